// Error codes of the configuration area.
import { defineError } from '../app-error.js';

export const CONFIG_ERRORS = {
  invalid: defineError('RUNLANE_ERR_CONFIG_INVALID', 500, 'A configuration value (file, environment variable or flag) does not match the schema.', 'Fix the key named in the message; `docs/configuration.md` lists every key, its type and default.'),
  fileUnreadable: defineError('RUNLANE_ERR_CONFIG_FILE_UNREADABLE', 500, 'The configuration file given with --config or RUNLANE_CONFIG could not be read or is not valid JSON.', 'Check the path and that the file is valid JSON.'),
} as const;
