// Error codes of the engine and language catalogue.
import { defineError } from '../app-error.js';

export const ENGINE_ERRORS = {
  unknownLanguage: defineError('RUNLANE_ERR_ENGINE_UNKNOWN_LANGUAGE', 400, 'The language is not in the catalogue.', 'Use an id or alias listed by `GET /api/v1/languages` or `runlane languages`.'),
  languageUnavailable: defineError('RUNLANE_ERR_ENGINE_LANGUAGE_UNAVAILABLE', 400, 'The language is in the catalogue but its toolchain is not installed on this node.', 'Install the toolchain named in the message (the setup script does it for Debian), or pick another language.'),
  unknownVersion: defineError('RUNLANE_ERR_ENGINE_UNKNOWN_VERSION', 400, 'The requested language version is not the one installed.', 'Omit `version`, or use the version shown by `GET /api/v1/languages`.'),
  emptySource: defineError('RUNLANE_ERR_ENGINE_EMPTY_SOURCE', 400, 'The submission has no source code.', 'Send non-empty `source` or at least one non-empty file in `files`.'),
  badFileName: defineError('RUNLANE_ERR_ENGINE_BAD_FILE_NAME', 400, 'A file name is absolute, contains `..`, repeats another file, is also used as a folder, or uses characters other than letters, digits, `_`, `-`, `+`, `.` and `/` (each part starting with a letter, digit or `_`).', 'Use unique relative names such as `main.py` or `lib/util.py`.'),
  reservedFileName: defineError('RUNLANE_ERR_ENGINE_RESERVED_FILE_NAME', 400, 'A submitted file has a name the language\'s compile step writes itself (`main` for C, C++, Go and Rust, `*.class` for Java, `main.js` beside `main.ts` for TypeScript), so the two would clash.', 'Rename or leave out that file; the message names it and the pattern it matches.'),
  badArgument: defineError('RUNLANE_ERR_ENGINE_BAD_ARGUMENT', 400, 'A program argument contains a NUL byte, which no operating system can pass to a program.', 'Remove NUL characters from `args`.'),
  unknownEntry: defineError('RUNLANE_ERR_ENGINE_UNKNOWN_ENTRY', 400, 'The `entry` file is not among the submitted files.', 'Name one of the submitted files as `entry`, or omit it to use the first file.'),
} as const;
