// PID 1 of a resident sandbox: lives in namespaces built once by a root bwrap and forks, confines and execs each run on request.
//
// Started by bwrap (`--as-pid-1`, no user namespace at this level) as host root with full capabilities, it speaks the
// frame protocol of src/sandbox/resident/frames.ts on fd 3 (a stream socket to the server):
//   frame = u32 little-endian length L, then L bytes: a u8 type and L-1 bytes of payload.
//   server -> init: H hello ("hostUid sandboxUid\n" + classic BPF), P park (optionally the run's cgroup v2 group name),
//   J job, I stdin, i stdin EOF, K kill, S signal
//   init -> server: R ready, p parked (pid, then " placed" when created in the named group), s started, x exec failed,
//   o stdout, r stderr, E ended, F fatal
// The isolation argument (docs/sandbox.md, "Resident sandbox"): user code runs under the slot's pool uid in a user
// namespace of its own, so it can neither signal, trace nor read this process (host root, non-dumpable); every run gets a
// fresh user, IPC and cgroup namespace; after each run every process is killed and the reset is verified before the next.
// A wrong frame from the server is a bug, answered with F and exit: the server is trusted, the program never sees fd 3.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sched.h>
#include <linux/sched.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

enum { CONTROL_FD = 3 };
/** Largest frame body (type + payload): a job with 1 MiB of argv and environment. */
enum { MAX_FRAME = (1 << 20) + 1 };
/** Output frames carry at most this much, so one chatty run never delays a kill frame for long. */
enum { MAX_CHUNK = 64 * 1024 };
/** Above this much queued for the server, the run's output is not read: the pipe fills and the program waits. */
enum { CONTROL_HIGH_WATER = 1 << 20 };
/** Stdin the server may queue ahead of the program; the server bounds input far below this. */
enum { MAX_STDIN_QUEUE = 256 << 20 };
/** How long the end of a run may take once every process was killed (a stuck process or a pipe kept open elsewhere). */
enum { END_TIMEOUT_MS = 5000 };
enum { BPF_MAX_INSTRUCTIONS = 4096, JOB_FIELDS = 9 };

/** A growable byte queue written out as the peer accepts it. */
struct queue {
  char *data;
  size_t start, end, capacity;
};

enum run_state { IDLE, PARKED, RUNNING, ENDING, BROKEN };

static struct {
  unsigned long host_uid, sandbox_uid;
  struct sock_filter *filter;
  unsigned short filter_length;
  int hello;
  int signal_fd;
  struct queue control_out;
  char *control_in;
  size_t control_in_length;
  int control_eof;
} init;

/** The run in progress (at most one per resident). */
static struct {
  enum run_state state;
  pid_t child;
  int stdin_fd, stdout_fd, stderr_fd, job_fd, report_fd;
  struct queue stdin_queue, job_queue;
  int stdin_eof;
  unsigned long long output_left;
  char report[256];
  size_t report_length;
  int status, child_reaped, job_sent;
  struct timespec end_deadline;
} run = { .state = IDLE, .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1, .job_fd = -1, .report_fd = -1 };

static void send_frame(char type, const void *payload, size_t length);
static void flush_control(int block);

/** Tells the server why init stops, then stops; PID 1 exiting takes every process of the namespace with it. */
static void fatal(const char *format, ...) {
  char reason[512];
  va_list args;
  va_start(args, format);
  int length = vsnprintf(reason, sizeof reason, format, args);
  va_end(args);
  if (length < 0) length = 0;
  if ((size_t)length >= sizeof reason) length = sizeof reason - 1;
  send_frame('F', reason, (size_t)length);
  flush_control(1);
  kill(-1, SIGKILL);
  _exit(1);
}

static void queue_push(struct queue *queue, const void *data, size_t length) {
  if (queue->end + length > queue->capacity) {
    // Compact first: a queue drained at the front must not grow for ever.
    memmove(queue->data, queue->data + queue->start, queue->end - queue->start);
    queue->end -= queue->start;
    queue->start = 0;
    if (queue->end + length > queue->capacity) {
      size_t capacity = queue->capacity ? queue->capacity : 4096;
      while (capacity < queue->end + length) capacity *= 2;
      char *data_ = realloc(queue->data, capacity);
      if (!data_) _exit(1);
      queue->data = data_;
      queue->capacity = capacity;
    }
  }
  memcpy(queue->data + queue->end, data, length);
  queue->end += length;
}

static size_t queue_size(const struct queue *queue) {
  return queue->end - queue->start;
}

static void queue_reset(struct queue *queue) {
  free(queue->data);
  memset(queue, 0, sizeof *queue);
}

/** Writes what the descriptor accepts; returns -1 on an error other than "try later". */
static int queue_write(struct queue *queue, int fd) {
  while (queue_size(queue) > 0) {
    ssize_t done = write(fd, queue->data + queue->start, queue_size(queue));
    if (done < 0 && errno == EINTR) continue;
    if (done < 0 && errno == EAGAIN) return 0;
    if (done < 0) return -1;
    queue->start += (size_t)done;
  }
  queue->start = queue->end = 0;
  return 0;
}

static void send_frame(char type, const void *payload, size_t length) {
  uint32_t size = (uint32_t)length + 1;
  unsigned char header[5] = { size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, size >> 24, (unsigned char)type };
  queue_push(&init.control_out, header, sizeof header);
  if (length) queue_push(&init.control_out, payload, length);
}

static void send_text(char type, const char *text) {
  send_frame(type, text, strlen(text));
}

/** Sends queued frames; blocking only on the way out (fatal), when nothing else needs service any more. */
static void flush_control(int block) {
  while (queue_size(&init.control_out) > 0) {
    if (queue_write(&init.control_out, CONTROL_FD) != 0) _exit(1);  // the server is gone: nothing left to tell
    if (!block || queue_size(&init.control_out) == 0) return;
    struct pollfd wait_out = { .fd = CONTROL_FD, .events = POLLOUT };
    poll(&wait_out, 1, 1000);
  }
}

/** A decimal number and nothing else: no sign, no spaces, no overflow of `max`. "-" means no limit where allowed. */
static int parse_number(const char *text, int dash_allowed, unsigned long long max, unsigned long long *value, int *unlimited) {
  if (unlimited) *unlimited = 0;
  if (dash_allowed && strcmp(text, "-") == 0) return *unlimited = 1;
  if (*text == '\0') return 0;
  unsigned long long result = 0;
  for (const char *c = text; *c; c++) {
    if (*c < '0' || *c > '9') return 0;
    unsigned digit = (unsigned)(*c - '0');
    if (result > (max - digit) / 10) return 0;
    result = result * 10 + digit;
  }
  *value = result;
  return 1;
}

/** A job, parsed in place from its frame payload (NUL-separated strings). */
struct job {
  unsigned long long cpu, fsize, nofile, stack, as, nproc, output;
  int as_unlimited, nproc_unlimited;
  char **argv, **envp;
};

/** Parses and checks a job; the same code validates it in init and reads it in the child. Returns NULL or the reason. */
static const char *parse_job(char *payload, size_t length, struct job *job) {
  if (length == 0 || payload[length - 1] != '\0') return "job is not NUL-terminated";
  size_t items = 0;
  for (size_t i = 0; i < length; i++) items += payload[i] == '\0';
  // The items follow the header, which strsep below cuts into fields.
  char *item = payload + strlen(payload) + 1;
  char *fields[JOB_FIELDS];
  int count = 0;
  for (char *rest = payload, *field; (field = strsep(&rest, " ")) != NULL;) {
    if (count == JOB_FIELDS) return "job header has too many fields";
    fields[count++] = field;
  }
  const unsigned long long big = (1ULL << 62);
  unsigned long long argc, envc;
  if (count != JOB_FIELDS || !parse_number(fields[0], 0, big, &job->cpu, NULL) || !parse_number(fields[1], 0, big, &job->fsize, NULL) ||
      !parse_number(fields[2], 0, big, &job->nofile, NULL) || !parse_number(fields[3], 0, big, &job->stack, NULL) ||
      !parse_number(fields[4], 1, big, &job->as, &job->as_unlimited) || !parse_number(fields[5], 1, big, &job->nproc, &job->nproc_unlimited) ||
      !parse_number(fields[6], 0, big, &job->output, NULL) || !parse_number(fields[7], 0, 1 << 20, &argc, NULL) ||
      !parse_number(fields[8], 0, 1 << 20, &envc, NULL)) {
    return "malformed job header";
  }
  if (argc == 0 || items != 1 + argc + envc) return "job item count disagrees with its header";
  job->argv = calloc(argc + 1, sizeof *job->argv);
  job->envp = calloc(envc + 1, sizeof *job->envp);
  if (!job->argv || !job->envp) return "out of memory";
  for (size_t i = 0; i < argc; i++, item += strlen(item) + 1) job->argv[i] = item;
  for (size_t i = 0; i < envc; i++, item += strlen(item) + 1) {
    if (strchr(item, '=') == NULL || item[0] == '=') return "environment item without a name";
    job->envp[i] = item;
  }
  if (job->argv[0][0] == '\0') return "empty program name";
  return NULL;
}

/* ---------------------------------------------------------------------------------------------------------------------
 * The run's child: everything below runs in the forked process, never in init. Any failure is reported on the exec-report
 * pipe (fd 3 once the job arrived, close-on-exec: end of file there means exec succeeded) and ends the child with 127.
 * ------------------------------------------------------------------------------------------------------------------ */

static int report_fd = -1;

static void child_fail(const char *what) {
  char reason[200];
  int length = snprintf(reason, sizeof reason, "%s%s%s", what, errno ? ": " : "", errno ? strerror(errno) : "");
  if (length > 0 && report_fd >= 0) {
    ssize_t ignored = write(report_fd, reason, (size_t)length < sizeof reason ? (size_t)length : sizeof reason - 1);
    (void)ignored;
  }
  _exit(127);
}

static void child_limit(int resource, unsigned long long value) {
  // "Unlimited" is never what the server asked for.
  if (value >= RLIM_INFINITY) { errno = 0; child_fail("rlimit out of range"); }
  struct rlimit limit = { .rlim_cur = value, .rlim_max = value };
  if (setrlimit(resource, &limit) != 0) child_fail("cannot set rlimits");
}

/** Where bwrap binds the slot's whole work dir tmpfs; its parent is root-only, so no program can reach it by this path. */
#define SLOT_MOUNT "/.runlane/slot"

/** Binds a directory of the slot over `target` in the run's mount namespace, without set-uid files or device nodes. */
static void child_bind(const char *source, const char *target) {
  if (mount(source, target, NULL, MS_BIND, NULL) != 0) child_fail("cannot bind the run's directories");
  if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV, NULL) != 0) child_fail("cannot bind the run's directories");
}

static void child_write_file(const char *path, const char *content) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  size_t length = strlen(content);
  if (fd < 0 || write(fd, content, length) != (ssize_t)length || close(fd) != 0) child_fail("cannot write the user namespace maps");
}

/** Reads the whole job from the job pipe: a u32 length then the payload. */
static char *child_read_job(int fd, size_t *length) {
  unsigned char header[4];
  size_t done = 0;
  char *payload = NULL;
  size_t want = sizeof header;
  for (;;) {
    ssize_t got = read(fd, payload ? payload + done : (char *)header + done, want - done);
    if (got < 0 && errno == EINTR) continue;
    // End of file before the job: the resident is closing; nothing to run and nothing to report.
    if (got <= 0) _exit(0);
    done += (size_t)got;
    if (done < want) continue;
    if (payload) break;
    want = (size_t)header[0] | (size_t)header[1] << 8 | (size_t)header[2] << 16 | (size_t)header[3] << 24;
    if (want == 0 || want > MAX_FRAME) _exit(127);
    payload = malloc(want);
    if (!payload) _exit(127);
    done = 0;
  }
  *length = want;
  return payload;
}

/** Drops every capability (bounding, ambient, permitted, effective, inheritable) and checks that none is left. */
static void child_drop_capabilities(void) {
  int last_cap = 0;
  while (prctl(PR_CAPBSET_READ, last_cap + 1, 0, 0, 0) >= 0) last_cap++;
  for (int cap = 0; cap <= last_cap; cap++) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) child_fail("cannot drop the bounding set");
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) child_fail("cannot clear ambient capabilities");
  struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
  struct __user_cap_data_struct caps[_LINUX_CAPABILITY_U32S_3];
  memset(caps, 0, sizeof caps);
  if (syscall(SYS_capset, &header, caps) != 0) child_fail("cannot clear capabilities");
  if (syscall(SYS_capget, &header, caps) != 0) child_fail("cannot read capabilities");
  errno = 0;
  for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
    if (caps[i].effective || caps[i].permitted || caps[i].inheritable) child_fail("capabilities remain");
  }
  for (int cap = 0; cap <= last_cap; cap++) {
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) != 0) child_fail("the bounding set is not empty");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, cap, 0, 0) > 0) child_fail("ambient capabilities remain");
  }
}

/** The parked child: waits for its job (the server places it in the run's cgroups meanwhile), confines itself, execs. */
static void child_main(int stdin_fd, int stdout_fd, int stderr_fd, int job_fd, int report) {
  report_fd = report;
  size_t length;
  char *payload = child_read_job(job_fd, &length);
  struct job job;
  const char *problem = parse_job(payload, length, &job);
  errno = 0;
  if (problem) child_fail(problem);

  // A session of its own, so no terminal and no process group of init's is shared with the program.
  if (setsid() < 0) child_fail("setsid");
  if (dup2(stdin_fd, 0) != 0 || dup2(stdout_fd, 1) != 1 || dup2(stderr_fd, 2) != 2) child_fail("cannot set up stdio");
  if (dup3(report, CONTROL_FD, O_CLOEXEC) != CONTROL_FD) child_fail("cannot move the report pipe");
  report_fd = CONTROL_FD;
  // Nothing of init's (its other pipe ends, the job pipe) reaches the program.
  if (syscall(SYS_close_range, CONTROL_FD + 1, ~0U, 0) != 0) child_fail("close_range");

  child_limit(RLIMIT_CORE, 0);
  child_limit(RLIMIT_CPU, job.cpu);
  child_limit(RLIMIT_FSIZE, job.fsize);
  child_limit(RLIMIT_NOFILE, job.nofile);
  child_limit(RLIMIT_STACK, job.stack);
  if (!job.as_unlimited) child_limit(RLIMIT_AS, job.as);
  if (!job.nproc_unlimited) child_limit(RLIMIT_NPROC, job.nproc);

  // A mount namespace of the run's own, made while still root: /box, /tmp and /dev/shm are bound from the slot's work
  // dir as it is now (between runs the server empties the slot by removing and recreating those directories), and
  // every mount of the run dies with it. Private first, so nothing mounted here propagates anywhere else.
  if (unshare(CLONE_NEWNS) != 0) child_fail("cannot create the run's mount namespace");
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) child_fail("cannot make the run's mounts private");
  child_bind(SLOT_MOUNT "/box", "/box");
  child_bind(SLOT_MOUNT "/tmp", "/tmp");
  child_bind(SLOT_MOUNT "/shm", "/dev/shm");

  uid_t uid = (uid_t)init.host_uid;
  if (setgroups(0, NULL) != 0 || setresgid(uid, uid, uid) != 0) child_fail("cannot change groups");
  // Leaving uid 0 clears every capability this process had in the resident's (host) user namespace.
  if (setresuid(uid, uid, uid) != 0) child_fail("cannot change uid");
  // The uid change made the process non-dumpable, which would leave /proc/self/*_map owned by host root.
  if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0) child_fail("cannot set dumpable");
  // A fresh user namespace (the program's uid, no capabilities that reach the resident's namespaces) and, owned by it,
  // a fresh IPC namespace (SysV IPC and POSIX message queues of one run can never reach the next) and a fresh cgroup
  // namespace rooted at the run's cgroups, where the server placed this child: /proc/self/cgroup shows "/" as in a
  // one-shot run, not the names of the server's groups.
  if (unshare(CLONE_NEWUSER | CLONE_NEWIPC | CLONE_NEWCGROUP) != 0) child_fail("cannot create the run's namespaces");
  char map[64];
  snprintf(map, sizeof map, "%lu %lu 1\n", init.sandbox_uid, init.host_uid);
  child_write_file("/proc/self/setgroups", "deny");
  child_write_file("/proc/self/uid_map", map);
  child_write_file("/proc/self/gid_map", map);
  uid_t inner = (uid_t)init.sandbox_uid;
  if (setresgid(inner, inner, inner) != 0 || setresuid(inner, inner, inner) != 0) child_fail("cannot take the sandbox uid");
  child_drop_capabilities();
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) child_fail("cannot set no_new_privs");
  errno = 0;
  if (getuid() != inner || geteuid() != inner || getgid() != inner || getegid() != inner) child_fail("uid did not change");
  if (chdir("/box") != 0) child_fail("cannot enter /box");

  // Init ignores SIGPIPE and blocks SIGCHLD; both would be inherited through exec.
  signal(SIGPIPE, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);

  struct sock_fprog program = { .len = init.filter_length, .filter = init.filter };
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &program) != 0) child_fail("cannot load the seccomp filter");
  // execvp searches the PATH of `environ`: the program's own environment, exactly what the job gives.
  environ = job.envp;
  execvp(job.argv[0], job.argv);
  child_fail("cannot execute the program");
}

/* ---------------------------------------------------------------------------------------------------------------------
 * Init.
 * ------------------------------------------------------------------------------------------------------------------ */

static void close_fd(int *fd) {
  if (*fd >= 0) close(*fd);
  *fd = -1;
}

static void set_nonblocking(int fd) {
  int flags = fcntl(fd, F_GETFL);
  if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) != 0) fatal("fcntl: %s", strerror(errno));
}

static void handle_hello(char *payload, size_t length) {
  if (init.hello) fatal("second hello");
  char *newline = memchr(payload, '\n', length);
  if (!newline) fatal("hello without identity line");
  *newline = '\0';
  char *space = strchr(payload, ' ');
  if (!space) fatal("malformed hello");
  *space = '\0';
  unsigned long long host_uid, sandbox_uid;
  if (!parse_number(payload, 0, 0xfffffffeULL, &host_uid, NULL) || host_uid == 0 ||
      !parse_number(space + 1, 0, 0xfffffffeULL, &sandbox_uid, NULL)) {
    fatal("malformed hello identity");
  }
  size_t filter_bytes = length - (size_t)(newline + 1 - payload);
  if (filter_bytes == 0 || filter_bytes % sizeof(struct sock_filter) != 0 || filter_bytes / sizeof(struct sock_filter) > BPF_MAX_INSTRUCTIONS) {
    fatal("malformed seccomp filter");
  }
  init.filter = malloc(filter_bytes);
  if (!init.filter) fatal("out of memory");
  memcpy(init.filter, newline + 1, filter_bytes);
  init.filter_length = (unsigned short)(filter_bytes / sizeof(struct sock_filter));
  init.host_uid = (unsigned long)host_uid;
  init.sandbox_uid = (unsigned long)sandbox_uid;
  init.hello = 1;
  send_frame('R', NULL, 0);
}

static void make_pipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0) fatal("pipe: %s", strerror(errno));
}

/** Where bwrap binds the server's cgroup v2 parent group (root-only, like the slot), when the host runs cgroup v2. */
#define CGROUP_MOUNT "/.runlane/cgroup"

/** A group name the server made: letters, digits, '.', '_' and '-', not "." or "..", nothing that could be a path. */
static int valid_group_name(const char *name, size_t length) {
  if (length == 0 || length > 200) return 0;
  if ((length == 1 && name[0] == '.') || (length == 2 && name[0] == '.' && name[1] == '.')) return 0;
  for (size_t i = 0; i < length; i++) {
    char c = name[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')) return 0;
  }
  return 1;
}

/**
 * Forks the run's child straight into the run's cgroup v2 group when one is named (clone3 with CLONE_INTO_CGROUP, Linux
 * 5.7+): the child never runs outside it and nobody writes cgroup.procs. Returns the pid, 0 in the child, and says in
 * `placed` whether that worked; a kernel without clone3, a group that cannot be opened (no v2 bind, the parent was
 * recreated) or one the kernel refuses falls back to a plain fork, and the server places the child as on v1.
 */
static pid_t fork_into_group(const char *group, size_t length, int *placed) {
  *placed = 0;
  if (length) {
    char path[sizeof CGROUP_MOUNT + 202];
    snprintf(path, sizeof path, "%s/%.*s", CGROUP_MOUNT, (int)length, group);
    int dir = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
      struct clone_args args = { .flags = CLONE_INTO_CGROUP, .exit_signal = SIGCHLD, .cgroup = (uint64_t)dir };
      long child = syscall(SYS_clone3, &args, sizeof args);
      if (child == 0) return 0;
      close(dir);
      if (child > 0) {
        *placed = 1;
        return (pid_t)child;
      }
    }
  }
  return fork();
}

static void handle_park(const char *group, size_t length) {
  if (!init.hello) fatal("park before hello");
  if (run.state != IDLE) fatal("park while a run is parked or running");
  if (length && !valid_group_name(group, length)) fatal("malformed group name in park");
  int in[2], out[2], err[2], job[2], report[2];
  make_pipe(in);
  make_pipe(out);
  make_pipe(err);
  make_pipe(job);
  make_pipe(report);
  int placed;
  pid_t child = fork_into_group(group, length, &placed);
  if (child < 0) fatal("fork: %s", strerror(errno));
  if (child == 0) {
    // Init's side of everything, and the server's socket, never stay open in the child.
    close(CONTROL_FD);
    close(init.signal_fd);
    close(in[1]);
    close(out[0]);
    close(err[0]);
    close(job[1]);
    close(report[0]);
    child_main(in[0], out[1], err[1], job[0], report[1]);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  close(job[0]);
  close(report[1]);
  run.child = child;
  run.stdin_fd = in[1];
  run.stdout_fd = out[0];
  run.stderr_fd = err[0];
  run.job_fd = job[1];
  run.report_fd = report[0];
  set_nonblocking(run.stdin_fd);
  set_nonblocking(run.stdout_fd);
  set_nonblocking(run.stderr_fd);
  set_nonblocking(run.job_fd);
  set_nonblocking(run.report_fd);
  run.stdin_eof = 0;
  run.output_left = 0;
  run.report_length = 0;
  run.child_reaped = 0;
  run.job_sent = 0;
  run.state = PARKED;
  char pid[40];
  snprintf(pid, sizeof pid, placed ? "%d placed" : "%d", (int)child);
  send_text('p', pid);
}

static void handle_job(char *payload, size_t length) {
  if (run.state != PARKED) fatal("job without a parked child");
  char *copy = malloc(length);
  if (!copy) fatal("out of memory");
  memcpy(copy, payload, length);
  struct job job;
  const char *problem = parse_job(copy, length, &job);
  if (problem) fatal("%s", problem);
  // One run may forward outputBytes + 1 bytes: the server then knows the limit was passed.
  run.output_left = job.output + 1;
  free(job.argv);
  free(job.envp);
  free(copy);
  uint32_t size = (uint32_t)length;
  unsigned char header[4] = { size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, size >> 24 };
  queue_push(&run.job_queue, header, sizeof header);
  queue_push(&run.job_queue, payload, length);
  run.state = RUNNING;
}

static void handle_frame(char type, char *payload, size_t length) {
  if (type != 'H' && !init.hello) fatal("frame '%c' before hello", type);
  int live = run.state == PARKED || run.state == RUNNING;
  switch (type) {
    case 'H': handle_hello(payload, length); return;
    case 'P': handle_park(payload, length); return;
    case 'J': handle_job(payload, length); return;
    case 'I':
      // Input that arrives after the run ended (the server raced the end) is dropped.
      if (!live || run.stdin_eof || run.stdin_fd < 0) return;
      if (queue_size(&run.stdin_queue) + length > MAX_STDIN_QUEUE) fatal("stdin queue overflow");
      queue_push(&run.stdin_queue, payload, length);
      return;
    case 'i':
      if (length) fatal("stdin EOF with payload");
      run.stdin_eof = 1;
      return;
    case 'K':
      if (length) fatal("kill with payload");
      // From PID 1, -1 reaches every process of the namespace except PID 1 itself.
      if (live) kill(-1, SIGKILL);
      return;
    case 'S': {
      char number[8];
      unsigned long long signal_number;
      if (length == 0 || length >= sizeof number) fatal("malformed signal");
      memcpy(number, payload, length);
      number[length] = '\0';
      if (!parse_number(number, 0, 64, &signal_number, NULL) || signal_number == 0) fatal("malformed signal");
      if (live) kill(-1, (int)signal_number);
      return;
    }
    default: fatal("unknown frame type 0x%02x", (unsigned char)type);
  }
}

/** Reads what the server sent and handles every complete frame. */
static void read_control(void) {
  for (;;) {
    size_t room = MAX_FRAME + 4 - init.control_in_length;
    ssize_t got = read(CONTROL_FD, init.control_in + init.control_in_length, room);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && errno == EAGAIN) break;
    if (got <= 0) { init.control_eof = 1; break; }
    init.control_in_length += (size_t)got;
    size_t at = 0;
    while (init.control_in_length - at >= 4) {
      unsigned char *header = (unsigned char *)init.control_in + at;
      size_t size = (size_t)header[0] | (size_t)header[1] << 8 | (size_t)header[2] << 16 | (size_t)header[3] << 24;
      if (size == 0 || size > MAX_FRAME) fatal("frame length %zu out of range", size);
      if (init.control_in_length - at - 4 < size) break;
      handle_frame(init.control_in[at + 4], init.control_in + at + 5, size - 1);
      at += 4 + size;
    }
    memmove(init.control_in, init.control_in + at, init.control_in_length - at);
    init.control_in_length -= at;
    if ((size_t)got < room) break;
  }
}

/** Forwards what a run wrote, within its output budget; past the budget the bytes are read and dropped. */
static void relay_output(int *fd, char type) {
  static char buffer[MAX_CHUNK];
  for (int round = 0; round < 16; round++) {
    ssize_t got = read(*fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && errno == EAGAIN) return;
    if (got <= 0) { close_fd(fd); return; }
    size_t forward = (size_t)got < run.output_left ? (size_t)got : (size_t)run.output_left;
    if (forward) send_frame(type, buffer, forward);
    run.output_left -= forward;
    if (queue_size(&init.control_out) >= CONTROL_HIGH_WATER) return;
  }
}

static void read_report(void) {
  for (;;) {
    char buffer[256];
    ssize_t got = read(run.report_fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && errno == EAGAIN) return;
    if (got > 0) {
      size_t keep = sizeof run.report - 1 - run.report_length;
      if ((size_t)got < keep) keep = (size_t)got;
      memcpy(run.report + run.report_length, buffer, keep);
      run.report_length += keep;
      continue;
    }
    // End of file: exec succeeded (close-on-exec) unless the child said why it failed first.
    close_fd(&run.report_fd);
    if (run.report_length) {
      send_frame('x', run.report, run.report_length);
    } else {
      send_frame('s', NULL, 0);
    }
    return;
  }
}

static void deadline_in(struct timespec *deadline, int ms) {
  clock_gettime(CLOCK_MONOTONIC, deadline);
  deadline->tv_sec += ms / 1000;
  deadline->tv_nsec += (long)(ms % 1000) * 1000000L;
  if (deadline->tv_nsec >= 1000000000L) { deadline->tv_sec++; deadline->tv_nsec -= 1000000000L; }
}

static long ms_until(const struct timespec *deadline) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  long ms = (deadline->tv_sec - now.tv_sec) * 1000 + (deadline->tv_nsec - now.tv_nsec) / 1000000;
  return ms < 0 ? 0 : ms;
}

/** Reaps every exited process (orphans of the run are reparented to PID 1); returns 1 once none is left. */
static int reap(void) {
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG | __WALL);
    if (pid < 0 && errno == EINTR) continue;
    if (pid < 0) return errno == ECHILD;
    if (pid == 0) return 0;
    if (pid == run.child) {
      run.status = status;
      run.child_reaped = 1;
      // The run is over when its first process is: whatever it left running dies with it.
      kill(-1, SIGKILL);
    }
  }
}

/** The tables checked after each run, opened once: a seq_file read again from offset 0 shows its current content. */
static const char *const socket_tables[] = { "/proc/net/unix", "/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp", "/proc/net/udp6", "/proc/net/raw", "/proc/net/raw6" };
enum { SOCKET_TABLES = sizeof socket_tables / sizeof *socket_tables };
static int socket_table_fds[SOCKET_TABLES];
static int sockstat_fd = -1;
static DIR *proc_dir;

static void open_reset_checks(void) {
  // Opened by PID 1 inside the resident's namespaces, so they show the network namespace and pids every run shares.
  proc_dir = opendir("/proc");
  if (!proc_dir) fatal("cannot open /proc: %s", strerror(errno));
  sockstat_fd = open("/proc/net/sockstat", O_RDONLY | O_CLOEXEC);
  if (sockstat_fd < 0) fatal("cannot open /proc/net/sockstat: %s", strerror(errno));
  for (size_t i = 0; i < SOCKET_TABLES; i++) {
    socket_table_fds[i] = open(socket_tables[i], O_RDONLY | O_CLOEXEC);
    // A kernel without IPv6 has no tcp6 table: nothing can be left in it.
    if (socket_table_fds[i] < 0 && errno != ENOENT) fatal("cannot open %s: %s", socket_tables[i], strerror(errno));
  }
}

/**
 * Counts the sockets of a /proc/net table that still belong to a socket inode (column `inode_column`). TIME_WAIT and
 * orphaned connections have inode 0. A table too large to read at once counts as holding sockets.
 */
static int owned_sockets(int fd, int inode_column) {
  static char table[64 * 1024];
  if (fd < 0) return 0;
  size_t length = 0;
  for (;;) {
    if (length == sizeof table - 1) return 1;
    ssize_t got = pread(fd, table + length, sizeof table - 1 - length, (off_t)length);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return 1;
    if (got == 0) break;
    length += (size_t)got;
  }
  table[length] = '\0';
  int owned = 0;
  char *line_save = NULL;
  // The first line is the header.
  strtok_r(table, "\n", &line_save);
  for (char *line; (line = strtok_r(NULL, "\n", &line_save)) != NULL;) {
    char *save = NULL, *field = strtok_r(line, " \t", &save);
    for (int column = 0; field && column < inode_column; column++) field = strtok_r(NULL, " \t", &save);
    if (!field || strcmp(field, "0") != 0) owned++;
  }
  return owned;
}

/** NULL when no socket of the run is left in the network namespace every run shares, else what is left. */
static const char *sockets_left(void) {
  // "sockets: used" counts every socket of this network namespace (unix ones included) until it is freed, whatever its
  // state; TIME_WAIT entries are not sockets. Zero is the common case and costs one read, where the tables below walk
  // the host-wide hash tables (milliseconds on a busy host).
  char sockstat[256];
  ssize_t got = pread(sockstat_fd, sockstat, sizeof sockstat - 1, 0);
  if (got > 0) {
    sockstat[got] = '\0';
    if (strncmp(sockstat, "sockets: used 0\n", 16) == 0) return NULL;
  }
  // Unix sockets (abstract ones included) live only as long as a descriptor holds them: any line is one left over.
  if (owned_sockets(socket_table_fds[0], 6) != 0) return "a unix socket survived the run";
  // Column 9 of the inet tables is the socket inode: 0 for TIME_WAIT and orphans, which no process can read or write.
  for (size_t i = 1; i < SOCKET_TABLES; i++) if (owned_sockets(socket_table_fds[i], 9) != 0) return "an inet socket survived the run";
  return NULL;
}

/** Checks that nothing of the run is left in the namespaces it shares with the next run; NULL when clean. */
static const char *verify_reset(void) {
  // procfs lists the live pids afresh each time the stream is read from the start.
  rewinddir(proc_dir);
  const char *problem = NULL;
  errno = 0;
  for (struct dirent *entry; (entry = readdir(proc_dir)) != NULL;) {
    if (entry->d_name[0] >= '1' && entry->d_name[0] <= '9' && strcmp(entry->d_name, "1") != 0) problem = "a process survived the run";
  }
  if (errno != 0) return "cannot list /proc";
  if (problem) return problem;
  problem = sockets_left();
  if (problem) return problem;
  struct utsname names;
  if (uname(&names) != 0 || strcmp(names.nodename, "runlane") != 0) return "the host name changed";
  return NULL;
}

static void finish_run(void) {
  const char *problem = NULL;
  // Reached when the end phase timed out, too: a process that outlives SIGKILL (frozen, stuck in the kernel) or a pipe
  // kept open by something other than a process (a descriptor in flight on a unix socket) makes the resident unusable.
  if (reap() != 1) problem = "processes survived SIGKILL";
  else if (run.stdout_fd >= 0 || run.stderr_fd >= 0) problem = "output pipes stayed open after every process died";
  else problem = verify_reset();
  // A child killed while parked had no job: the server hears only that it ended. One that got its job reports on the
  // exec pipe (end of file without a reason reads as started, also when it was killed just before its exec).
  if (!run.job_sent) close_fd(&run.report_fd);
  if (run.report_fd >= 0) read_report();
  if (run.report_fd >= 0) { close_fd(&run.report_fd); send_text('x', "the run ended before its program started"); }
  char text[300];
  int status = run.status;
  int length = WIFSIGNALED(status) ? snprintf(text, sizeof text, "signal %d", WTERMSIG(status)) : snprintf(text, sizeof text, "exit %d", WEXITSTATUS(status));
  snprintf(text + length, sizeof text - (size_t)length, problem ? " unclean %s" : " clean", problem);
  close_fd(&run.stdin_fd);
  close_fd(&run.stdout_fd);
  close_fd(&run.stderr_fd);
  close_fd(&run.job_fd);
  queue_reset(&run.stdin_queue);
  queue_reset(&run.job_queue);
  send_text('E', text);
  // A resident whose reset failed takes no further run: the server retires it.
  run.state = problem ? BROKEN : IDLE;
}

int main(void) {
  // Nothing of this process may be read through /proc or ptrace by anyone but host root.
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  // The server closing the socket shows as an error on write, not as a signal that would end PID 1.
  signal(SIGPIPE, SIG_IGN);
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  if (sigprocmask(SIG_BLOCK, &chld, NULL) != 0) return 1;
  if (fcntl(CONTROL_FD, F_GETFD) < 0) return 1;
  // bwrap's status descriptor and anything else inherited stay with bwrap; init needs only stdio and the socket.
  if (syscall(SYS_close_range, CONTROL_FD + 1, ~0U, 0) != 0) return 1;
  init.signal_fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
  if (init.signal_fd < 0) return 1;
  if (fcntl(CONTROL_FD, F_SETFD, FD_CLOEXEC) != 0) return 1;
  set_nonblocking(CONTROL_FD);
  init.control_in = malloc(MAX_FRAME + 4);
  if (!init.control_in) return 1;
  open_reset_checks();

  for (;;) {
    struct pollfd fds[7];
    int count = 0;
    int control = count++;
    fds[control] = (struct pollfd){ .fd = CONTROL_FD, .events = (short)(POLLIN | (queue_size(&init.control_out) ? POLLOUT : 0)) };
    fds[count++] = (struct pollfd){ .fd = init.signal_fd, .events = POLLIN };
    // The run's output waits while the server is behind, except in the end phase, which must drain to end of file.
    int read_output = queue_size(&init.control_out) < CONTROL_HIGH_WATER || run.output_left == 0 || run.state == ENDING;
    int out = -1, err = -1, in = -1, job = -1, report = -1;
    if (run.stdout_fd >= 0 && read_output) fds[out = count++] = (struct pollfd){ .fd = run.stdout_fd, .events = POLLIN };
    if (run.stderr_fd >= 0 && read_output) fds[err = count++] = (struct pollfd){ .fd = run.stderr_fd, .events = POLLIN };
    if (run.stdin_fd >= 0 && queue_size(&run.stdin_queue)) fds[in = count++] = (struct pollfd){ .fd = run.stdin_fd, .events = POLLOUT };
    if (run.job_fd >= 0 && queue_size(&run.job_queue)) fds[job = count++] = (struct pollfd){ .fd = run.job_fd, .events = POLLOUT };
    if (run.report_fd >= 0 && run.state == RUNNING) fds[report = count++] = (struct pollfd){ .fd = run.report_fd, .events = POLLIN };
    int timeout = run.state == ENDING ? (int)ms_until(&run.end_deadline) : -1;
    int ready = poll(fds, (nfds_t)count, timeout);
    if (ready < 0 && errno != EINTR) fatal("poll: %s", strerror(errno));

    if (fds[control].revents & POLLOUT) {
      if (queue_write(&init.control_out, CONTROL_FD) != 0) init.control_eof = 1;
    }
    if (fds[control].revents & (POLLIN | POLLHUP | POLLERR)) read_control();
    if (init.control_eof) {
      // The server is gone: nothing may outlive it.
      kill(-1, SIGKILL);
      return 0;
    }
    if (job >= 0 && fds[job].revents) {
      if (queue_write(&run.job_queue, run.job_fd) != 0) queue_reset(&run.job_queue);
      if (queue_size(&run.job_queue) == 0) close_fd(&run.job_fd);
    }
    if (report >= 0 && fds[report].revents) read_report();
    if (in >= 0 && fds[in].revents) {
      // EPIPE: the program closed its input or exited; what it did not read is dropped, as a pipe would.
      if (queue_write(&run.stdin_queue, run.stdin_fd) != 0) { queue_reset(&run.stdin_queue); close_fd(&run.stdin_fd); }
    }
    if (run.stdin_eof && run.stdin_fd >= 0 && queue_size(&run.stdin_queue) == 0) close_fd(&run.stdin_fd);
    if (out >= 0 && fds[out].revents) relay_output(&run.stdout_fd, 'o');
    if (err >= 0 && fds[err].revents) relay_output(&run.stderr_fd, 'r');

    if (fds[1].revents & POLLIN) {
      struct signalfd_siginfo info;
      while (read(init.signal_fd, &info, sizeof info) > 0) {}
      reap();
      // Processes the child left were killed in reap(); the end phase waits for them and for the pipes to drain.
      if (run.child_reaped && (run.state == PARKED || run.state == RUNNING)) {
        run.job_sent = run.state == RUNNING;
        run.state = ENDING;
        deadline_in(&run.end_deadline, END_TIMEOUT_MS);
      }
    }
    if (run.state == ENDING) {
      // Every writer is dead: the pipes reach end of file; the budget no longer matters, only draining does.
      if (run.report_fd >= 0 && run.job_sent) read_report();
      int drained = run.stdout_fd < 0 && run.stderr_fd < 0;
      if ((drained && reap()) || ms_until(&run.end_deadline) == 0) finish_run();
    }
  }
}
