// Builds the sandbox's seccomp deny-list with libseccomp and writes it as classic BPF for `bwrap --seccomp FD`.
//
// Usage: seccomp-filter OUTPUT.bpf [--pfc]
//   Writes the filter to OUTPUT.bpf (through a temporary file and a rename, so a running server never reads half a
//   filter); --pfc also prints libseccomp's readable form of it on stdout.
//
// Everything not listed is allowed: this is a deny-list against calls that open channels the namespaces do not cover or
// that attack the kernel. Blocked calls fail with an errno instead of killing the program, so runtimes that probe a
// feature (libuv and io_uring, glibc and clone3) fall back quietly. Only a foreign syscall ABI (i386 `int 0x80`, x32)
// kills the process: a filter written for x86-64 numbers cannot judge calls numbered for another ABI.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif

static scmp_filter_ctx ctx;

static void fail(const char *what, int rc) {
  fprintf(stderr, "seccomp-filter: %s: %s\n", what, strerror(rc < 0 ? -rc : rc));
  exit(1);
}

/** The syscall number on the native architecture; a name libseccomp does not know is a build error, never a silent gap. */
static int syscall_number(const char *name) {
  int number = seccomp_syscall_resolve_name(name);
  if (number == __NR_SCMP_ERROR) {
    fprintf(stderr, "seccomp-filter: libseccomp does not know the syscall %s\n", name);
    exit(1);
  }
  return number;
}

/** Makes every call of `name` fail with `error`. A syscall the native architecture lacks needs no rule. */
static void deny(const char *name, int error) {
  int number = syscall_number(name);
  if (number < 0) return;
  int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(error), number, 0);
  if (rc < 0) fail(name, rc);
}

/** Makes the calls of `name` whose argument `arg` matches `cmp` fail with `error`. */
static void deny_when(const char *name, int error, struct scmp_arg_cmp cmp) {
  int number = syscall_number(name);
  if (number < 0) return;
  int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(error), number, 1, cmp);
  if (rc < 0) fail(name, rc);
}

/**
 * socket(2) and socketpair(2) families other than AF_UNIX, AF_INET and AF_INET6 (AF_VSOCK reaches the hypervisor and
 * is not covered by network namespaces; AF_NETLINK, AF_PACKET and the rest are kernel attack surface). The family is an
 * int: any 64-bit value other than exactly 1, 2 or 10 is refused, so junk in the upper half cannot smuggle one through.
 */
static void deny_socket_families(const char *name) {
  deny_when(name, EAFNOSUPPORT, SCMP_A0(SCMP_CMP_EQ, 0));
  for (int family = AF_INET + 1; family < AF_INET6; family++) deny_when(name, EAFNOSUPPORT, SCMP_A0(SCMP_CMP_EQ, family));
  deny_when(name, EAFNOSUPPORT, SCMP_A0(SCMP_CMP_GT, AF_INET6));
}

/** Signals and queued signals aimed at the namespace's init (pid 1); pids are ints, so only the low 32 bits are compared. */
static void deny_pid_one(const char *name, int arg) {
  deny_when(name, EPERM, SCMP_CMP(arg, SCMP_CMP_MASKED_EQ, 0xffffffffULL, 1));
}

int main(int argc, char **argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && strcmp(argv[2], "--pfc") != 0)) {
    fprintf(stderr, "usage: seccomp-filter OUTPUT.bpf [--pfc]\n");
    return 2;
  }
  ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == NULL) fail("seccomp_init", ENOMEM);
  int rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (rc < 0) fail("bad-architecture action", rc);

  deny_socket_families("socket");
  deny_socket_families("socketpair");

  // Kernel interfaces with a long record of privilege escalations, none needed by a program that computes and prints.
  static const char *const kernel_attack[] = {
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "userfaultfd", "perf_event_open", "bpf",
    "keyctl", "add_key", "request_key",
    "memfd_secret",
  };
  // Mounts, namespaces, kernel code and system administration: most already fail for want of capabilities, but a call
  // the kernel never starts cannot reach a bug in its permission checks.
  static const char *const administration[] = {
    "mount", "umount2", "pivot_root", "move_mount", "open_tree", "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    "unshare", "setns",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "acct", "swapon", "swapoff", "reboot", "syslog", "quotactl", "quotactl_fd", "lookup_dcookie",
    "name_to_handle_at", "open_by_handle_at", "fanotify_init",
    "vhangup", "iopl", "ioperm", "uselib", "ustat", "sysfs", "_sysctl", "nfsservctl",
  };
  // ENOSYS reads as "this kernel has no such call", the answer runtimes probe for before falling back; EPERM is what an
  // unprivileged caller of an administrative call expects.
  for (size_t i = 0; i < sizeof kernel_attack / sizeof *kernel_attack; i++) deny(kernel_attack[i], ENOSYS);
  for (size_t i = 0; i < sizeof administration / sizeof *administration; i++) deny(administration[i], EPERM);

  // clone3 passes its flags in memory, which seccomp cannot read: ENOSYS makes glibc fall back to clone, whose flags it can.
  deny("clone3", ENOSYS);
  static const unsigned long namespace_flags[] = {
    CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET,
  };
  for (size_t i = 0; i < sizeof namespace_flags / sizeof *namespace_flags; i++) {
    unsigned long flag = namespace_flags[i];
    deny_when("clone", EPERM, SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag));
  }

  // Reading or steering another process: the run's processes share one uid, so only the call itself can be refused.
  deny("ptrace", EPERM);
  deny("process_vm_readv", EPERM);
  deny("process_vm_writev", EPERM);
  deny("pidfd_getfd", EPERM);

  deny_pid_one("kill", 0);
  deny_pid_one("tkill", 0);
  deny_pid_one("tgkill", 0);
  deny_pid_one("tgkill", 1);
  deny_pid_one("rt_sigqueueinfo", 0);
  deny_pid_one("rt_tgsigqueueinfo", 0);
  deny_pid_one("rt_tgsigqueueinfo", 1);
  deny_pid_one("pidfd_open", 0);

  const char *output = argv[1];
  size_t length = strlen(output);
  char *temporary = malloc(length + 16);
  if (temporary == NULL) fail("malloc", ENOMEM);
  snprintf(temporary, length + 16, "%s.tmp.%d", output, (int)getpid());
  int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) fail(temporary, errno);
  rc = seccomp_export_bpf(ctx, fd);
  if (rc < 0) fail("seccomp_export_bpf", rc);
  if (fsync(fd) != 0 || close(fd) != 0) fail(temporary, errno);
  if (rename(temporary, output) != 0) fail(output, errno);
  if (argc == 3) {
    rc = seccomp_export_pfc(ctx, STDOUT_FILENO);
    if (rc < 0) fail("seccomp_export_pfc", rc);
  }
  seccomp_release(ctx);
  free(temporary);
  return 0;
}
