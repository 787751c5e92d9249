// The root-side launcher of one sandboxed run: joins its cgroups, waits for the run, sets rlimits, drops to the pool uid, execs bwrap.
//
// Usage: runlane-launcher UID N PROCS_FILE... ARGV_FILE SECCOMP_FILE COMMAND [ARG...]
//
// It replaces `bash (prologue script) -> setpriv -> bwrap` with one small process and one exec, and keeps that chain's
// contract (src/sandbox/bwrap/prologue.ts and launcher.ts):
//   1. writes its pid to each of the N cgroup.procs files (exit 121 when one cannot be joined);
//   2. closes every descriptor above 4, so nothing the server inherited reaches bwrap or the program;
//   3. reports "ready\n" on fd 4, then reads one line from fd 3 (the go descriptor), byte by byte so that bwrap's options
//      after it stay unread for `bwrap --args 3`: "cpu fsizeKiB nofile stackKiB vmemKiB|- nproc|- argc\n";
//      end of file before a whole line means no run is coming: exit 0 without running anything;
//   4. reads the run's argv (argc NUL-terminated items) from ARGV_FILE (exit 123 when the line or the file disagree);
//   5. opens SECCOMP_FILE on fd 5 for bwrap's `--seccomp 5` (exit 124), sets the rlimits (exit 122);
//   6. does what `setpriv --reuid=UID --regid=UID --clear-groups --inh-caps=-all --bounding-set=-all --no-new-privs`
//      does, and checks the result (exit 125);
//   7. execs COMMAND ARG... -- argv... ; when that fails it says why on stderr and exits 127.
// Values are only ever compared and copied, never interpreted. Wrong arguments: exit 120.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { GO_FD = 3, STATUS_FD = 4, SECCOMP_FD = 5 };
enum { EXIT_USAGE = 120, EXIT_CGROUP = 121, EXIT_RLIMIT = 122, EXIT_BAD_RUN = 123, EXIT_SECCOMP = 124, EXIT_PRIVS = 125, EXIT_EXEC = 127 };
enum { GO_FIELDS = 7, MAX_GO_LINE = 256 };

static void die(int code, const char *what, const char *detail) {
  fprintf(stderr, "runlane-launcher: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  exit(code);
}

// A decimal number and nothing else (no sign, no spaces, no overflow); "-" (no limit) only where allowed.
static int parse_number(const char *text, int dash_allowed, unsigned long long *value, int *unlimited) {
  *unlimited = 0;
  if (dash_allowed && strcmp(text, "-") == 0) return *unlimited = 1;
  if (*text == '\0' || strlen(text) > 18) return 0;
  for (const char *c = text; *c; c++) if (*c < '0' || *c > '9') return 0;
  *value = strtoull(text, NULL, 10);
  return 1;
}

static void join_cgroup(const char *procs_file) {
  char pid[32];
  int length = snprintf(pid, sizeof pid, "%d\n", (int)getpid());
  // O_WRONLY without O_CREAT: a wrong path fails instead of creating a file that joins nothing.
  int fd = open(procs_file, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, pid, (size_t)length) != length || close(fd) != 0) die(EXIT_CGROUP, "cannot join cgroup", procs_file);
}

static void close_inherited_descriptors(void) {
  if (syscall(SYS_close_range, SECCOMP_FD, ~0U, 0) == 0) return;
  // Kernels before 5.9: walk /proc/self/fd (its own descriptor is skipped while it is open).
  DIR *dir = opendir("/proc/self/fd");
  if (!dir) die(EXIT_USAGE, "cannot list open descriptors", strerror(errno));
  for (struct dirent *entry; (entry = readdir(dir)) != NULL;) {
    int fd = atoi(entry->d_name);
    if (fd >= SECCOMP_FD && fd != dirfd(dir)) close(fd);
  }
  closedir(dir);
}

// Reads the go line one byte at a time: whatever follows the newline belongs to bwrap.
static int read_go_line(char *line) {
  size_t length = 0;
  for (;;) {
    char c;
    ssize_t got = read(GO_FD, &c, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return 0;
    if (c == '\n') break;
    if (length + 1 >= MAX_GO_LINE) die(EXIT_BAD_RUN, "go line too long", NULL);
    line[length++] = c;
  }
  line[length] = '\0';
  return 1;
}

static char *read_file(const char *path, size_t *size) {
  int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  struct stat info;
  if (fd < 0 || fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) die(EXIT_BAD_RUN, "cannot read the argv file", path);
  char *content = malloc((size_t)info.st_size + 1);
  if (!content) die(EXIT_BAD_RUN, "argv file too large", path);
  size_t done = 0;
  while (done < (size_t)info.st_size) {
    ssize_t got = read(fd, content + done, (size_t)info.st_size - done);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) die(EXIT_BAD_RUN, "cannot read the argv file", path);
    done += (size_t)got;
  }
  close(fd);
  *size = done;
  return content;
}

static void set_limit(int resource, unsigned long long value) {
  // A value that means "unlimited" (or wrapped when scaled to bytes) is never what the server asked for.
  if (value >= RLIM_INFINITY) die(EXIT_RLIMIT, "rlimit out of range", NULL);
  struct rlimit limit = { .rlim_cur = value, .rlim_max = value };
  if (setrlimit(resource, &limit) != 0) die(EXIT_RLIMIT, "cannot set rlimits", strerror(errno));
}

static void set_limit_kib(int resource, unsigned long long kib) {
  if (kib > (RLIM_INFINITY - 1) / 1024) die(EXIT_RLIMIT, "rlimit out of range", NULL);
  set_limit(resource, kib * 1024);
}

// setpriv's --clear-groups --regid --reuid --bounding-set=-all --inh-caps=-all --no-new-privs, then a check of the result.
static void drop_privileges(uid_t uid) {
  int last_cap = 0;
  while (prctl(PR_CAPBSET_READ, last_cap + 1, 0, 0, 0) >= 0) last_cap++;
  for (int cap = 0; cap <= last_cap; cap++) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) die(EXIT_PRIVS, "cannot drop the bounding set", strerror(errno));
  }
  if (setgroups(0, NULL) != 0 || setresgid(uid, uid, uid) != 0) die(EXIT_PRIVS, "cannot change groups", strerror(errno));
  // Without SECBIT_KEEP_CAPS, leaving uid 0 clears the permitted, effective and ambient sets; inheritable is cleared below.
  if (setresuid(uid, uid, uid) != 0) die(EXIT_PRIVS, "cannot change uid", strerror(errno));
  struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
  memset(caps, 0, sizeof caps);
  if (syscall(SYS_capset, &header, caps) != 0) die(EXIT_PRIVS, "cannot clear capabilities", strerror(errno));
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die(EXIT_PRIVS, "cannot set no_new_privs", strerror(errno));

  uid_t ruid, euid, suid;
  gid_t rgid, egid, sgid;
  if (getresuid(&ruid, &euid, &suid) != 0 || ruid != uid || euid != uid || suid != uid) die(EXIT_PRIVS, "uid did not change", NULL);
  if (getresgid(&rgid, &egid, &sgid) != 0 || rgid != uid || egid != uid || sgid != uid) die(EXIT_PRIVS, "gid did not change", NULL);
  if (getgroups(0, NULL) != 0) die(EXIT_PRIVS, "supplementary groups remain", NULL);
  if (syscall(SYS_capget, &header, caps) != 0) die(EXIT_PRIVS, "cannot read capabilities", strerror(errno));
  for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
    if (caps[i].effective || caps[i].permitted || caps[i].inheritable) die(EXIT_PRIVS, "capabilities remain", NULL);
  }
  for (int cap = 0; cap <= last_cap; cap++) {
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 0) die(EXIT_PRIVS, "the bounding set is not empty", NULL);
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) > 0) die(EXIT_PRIVS, "ambient capabilities remain", NULL);
  }
  if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1) die(EXIT_PRIVS, "no_new_privs is not set", NULL);
}

int main(int argc, char **argv) {
  unsigned long long uid = 0, groups = 0;
  int unlimited;
  if (argc < 3 || !parse_number(argv[1], 0, &uid, &unlimited) || uid == 0 || uid > 0xfffffffeULL) die(EXIT_USAGE, "usage: runlane-launcher UID N PROCS_FILE... ARGV_FILE SECCOMP_FILE COMMAND [ARG...] (UID above 0)", NULL);
  if (!parse_number(argv[2], 0, &groups, &unlimited) || groups > 16 || (unsigned long long)argc < 3 + groups + 3) die(EXIT_USAGE, "wrong argument count", NULL);
  char **procs_files = argv + 3;
  const char *argv_file = argv[3 + groups];
  const char *seccomp_file = argv[4 + groups];
  char **command = argv + 5 + groups;
  int command_length = argc - 5 - (int)groups;
  for (int fd = 0; fd <= STATUS_FD; fd++) if (fcntl(fd, F_GETFD) < 0) die(EXIT_USAGE, "descriptors 0-4 must be open", NULL);

  // Joined before "ready": the write can stall on an RCU grace period, and a waiting launcher pays that before any run does.
  for (unsigned long long i = 0; i < groups; i++) join_cgroup(procs_files[i]);
  close_inherited_descriptors();
  if (write(STATUS_FD, "ready\n", 6) != 6) die(EXIT_USAGE, "cannot report ready", strerror(errno));

  char line[MAX_GO_LINE];
  if (!read_go_line(line)) return 0;
  char *fields[GO_FIELDS];
  int count = 0;
  for (char *rest = line, *field; (field = strsep(&rest, " ")) != NULL;) {
    if (count == GO_FIELDS) die(EXIT_BAD_RUN, "go line has too many fields", NULL);
    fields[count++] = field;
  }
  unsigned long long cpu, fsize_kib, nofile, stack_kib, vmem_kib = 0, nproc = 0, expected_args;
  int vmem_unlimited, nproc_unlimited;
  if (count != GO_FIELDS || !parse_number(fields[0], 0, &cpu, &unlimited) || !parse_number(fields[1], 0, &fsize_kib, &unlimited) ||
      !parse_number(fields[2], 0, &nofile, &unlimited) || !parse_number(fields[3], 0, &stack_kib, &unlimited) ||
      !parse_number(fields[4], 1, &vmem_kib, &vmem_unlimited) || !parse_number(fields[5], 1, &nproc, &nproc_unlimited) ||
      !parse_number(fields[6], 0, &expected_args, &unlimited) || expected_args == 0) {
    die(EXIT_BAD_RUN, "malformed go line", NULL);
  }

  size_t size;
  char *content = read_file(argv_file, &size);
  if (size == 0 || content[size - 1] != '\0') die(EXIT_BAD_RUN, "the argv file is not NUL-terminated", NULL);
  unsigned long long items = 0;
  for (size_t i = 0; i < size; i++) items += content[i] == '\0';
  if (items != expected_args) die(EXIT_BAD_RUN, "the argv file holds another number of arguments than announced", NULL);

  char **exec_argv = calloc((size_t)command_length + 1 + items + 1, sizeof *exec_argv);
  if (!exec_argv) die(EXIT_BAD_RUN, "out of memory", NULL);
  int next = 0;
  for (int i = 0; i < command_length; i++) exec_argv[next++] = command[i];
  exec_argv[next++] = "--";
  for (size_t i = 0; i < size; i += strlen(content + i) + 1) exec_argv[next++] = content + i;

  int seccomp = open(seccomp_file, O_RDONLY);
  if (seccomp < 0 || (seccomp != SECCOMP_FD && (dup2(seccomp, SECCOMP_FD) != SECCOMP_FD || close(seccomp) != 0))) die(EXIT_SECCOMP, "cannot open the seccomp filter", seccomp_file);

  set_limit(RLIMIT_CORE, 0);
  set_limit(RLIMIT_CPU, cpu);
  set_limit_kib(RLIMIT_FSIZE, fsize_kib);
  set_limit(RLIMIT_NOFILE, nofile);
  set_limit_kib(RLIMIT_STACK, stack_kib);
  if (!vmem_unlimited) set_limit_kib(RLIMIT_AS, vmem_kib);
  if (!nproc_unlimited) set_limit(RLIMIT_NPROC, nproc);

  drop_privileges((uid_t)uid);
  execv(command[0], exec_argv);
  die(EXIT_EXEC, "cannot execute", command[0]);
}
