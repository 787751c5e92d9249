// Error codes of the sandbox area.
import { defineError } from '../app-error.js';

export const SANDBOX_ERRORS = {
  bwrapMissing: defineError('RUNLANE_ERR_SANDBOX_BWRAP_MISSING', 503, 'bubblewrap (`bwrap`) is not installed, so no program can be run safely.', 'Install it: `apt-get install -y bubblewrap` (Debian/Ubuntu) or your distribution\'s `bubblewrap` package.'),
  setupFailed: defineError('RUNLANE_ERR_SANDBOX_SETUP_FAILED', 500, 'The sandbox could not be prepared (work dir, cgroup or namespace setup failed).', 'Check the server log for the cause; the run was not started and may be retried.'),
  unsupportedHost: defineError('RUNLANE_ERR_SANDBOX_UNSUPPORTED_HOST', 503, 'The host cannot create the namespaces the sandbox needs (user namespaces disabled, or not Linux).', 'Enable unprivileged user namespaces (`sysctl kernel.unprivileged_userns_clone=1`) or run on Linux.'),
  setprivMissing: defineError('RUNLANE_ERR_SANDBOX_SETPRIV_MISSING', 503, '`setpriv` (util-linux) is not installed, so runs cannot be started from an unprivileged host uid.', 'Install it: `apt-get install -y util-linux` (Debian/Ubuntu).'),
  notRoot: defineError('RUNLANE_ERR_SANDBOX_NOT_ROOT', 503, 'The sandbox needs root on the host to create cgroups, mount each run\'s work dir and switch to the run\'s unprivileged uid.', 'Start the service as root (it drops to a pool uid for every run), or run it in a container with those rights.'),
  busy: defineError('RUNLANE_ERR_SANDBOX_BUSY', 503, 'Every sandbox uid of the pool is in use by a live run.', 'Retry later, or raise `sandbox.uidCount` above the node\'s maximum concurrent executions.'),
  badSpec: defineError('RUNLANE_ERR_SANDBOX_BAD_SPEC', 500, 'A run was requested with an invalid command, file name or environment variable.', 'This is a bug in the caller of the sandbox; the message names the bad field.'),
  workDirFull: defineError('RUNLANE_ERR_SANDBOX_WORK_DIR_FULL', 413, 'A run\'s files and arguments do not fit in the work dir it asked for, so it was not started.', 'Ask for a larger `workDirMb` limit, or send smaller files and arguments.'),
  seccompMissing: defineError('RUNLANE_ERR_SANDBOX_SECCOMP_MISSING', 503, 'The seccomp filter every run is confined by has not been built (or is unreadable), so the sandbox refuses to start.', 'Run `bash scripts/setup.sh`: it installs `libseccomp-dev` and builds the filter into `native/build/seccomp.bpf`.'),
  teardownFailed: defineError('RUNLANE_ERR_SANDBOX_TEARDOWN_FAILED', 500, 'A run finished but its processes could not be killed or its figures read; a slot whose processes may remain is retired and its uid kept out of use.', 'Check the server log; leftover processes of the run\'s uid or directories under the run root may need removing by hand.'),
} as const;
