// Error codes of the sandbox area.
import { defineError } from '../app-error.js';

export const SANDBOX_ERRORS = {
  bwrapMissing: defineError('RUNLANE_ERR_SANDBOX_BWRAP_MISSING', 503, 'bubblewrap (`bwrap`) is not installed, so no program can be run safely.', 'Install it: `apt-get install -y bubblewrap` (Debian/Ubuntu) or your distribution\'s `bubblewrap` package.'),
  setupFailed: defineError('RUNLANE_ERR_SANDBOX_SETUP_FAILED', 500, 'The sandbox could not be prepared (work dir, cgroup or namespace setup failed).', 'Check the server log for the cause; the run was not started and may be retried.'),
  unsupportedHost: defineError('RUNLANE_ERR_SANDBOX_UNSUPPORTED_HOST', 503, 'The host cannot create the namespaces the sandbox needs (user namespaces disabled, or not Linux).', 'Enable unprivileged user namespaces (`sysctl kernel.unprivileged_userns_clone=1`) or run on Linux.'),
} as const;
