// A language catalogue entry: data, not code.
import type { ResourceLimits } from '../domain/limits.js';

export interface LanguageDefinition {
  /** Stable id used by the API, e.g. `python`, `cpp`. */
  id: string;
  /** Other names accepted for it, e.g. `py`, `python3`. */
  aliases: string[];
  displayName: string;
  /** argv printing the toolchain version on the host, e.g. `["python3", "--version"]`. */
  versionCommand: string[];
  /** Pulls the version number out of the version command's output. */
  versionPattern: string;
  /** Default source file name when a submission sends bare `source`. */
  sourceFile: string;
  /**
   * argv of the compile stage, run inside the sandbox in the work dir, or null for interpreted languages.
   * Placeholders: `{entry}` (entry file), `{entryStem}` (entry without extension), `{sources}` (every source file, expands to several args),
   * `{memoryMb}` (run memory limit).
   */
  compile: string[] | null;
  /** argv of the run stage, same placeholders; program args are appended. */
  run: string[];
  /** Extra environment for both stages (e.g. GOCACHE). */
  env?: Record<string, string>;
  /** Limits this language needs by default on top of the configured defaults (e.g. more processes for the JVM). */
  runLimits?: Partial<ResourceLimits>;
  compileLimits?: Partial<ResourceLimits>;
  /** Debian packages that provide the toolchain; the setup script installs them. */
  debianPackages: string[];
  /** Highlighting mode for editors (CodeMirror language name). */
  editorMode: string;
  /** A small program printing `Hello, World!`, for docs, tests and the UI. */
  helloWorld: string;
}

/** A catalogue entry together with what this node detected about it. */
export interface LanguageStatus extends LanguageDefinition {
  installed: boolean;
  /** Detected version, e.g. `3.11.2`, or null when not installed. */
  version: string | null;
  /** Why it is unavailable, when it is. */
  unavailableReason: string | null;
}
