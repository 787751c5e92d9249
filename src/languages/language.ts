// A language catalogue entry: data, not code.
import type { ResourceLimits } from '../domain/limits.js';

/** A file the language adds to the compile stage's work dir (e.g. type declarations), never sent by a client. */
export interface SupportFile {
  /** Relative path inside the work dir; starts with `.runlane` so it cannot clash with a submitted file. */
  path: string;
  content: string;
}

export interface LanguageDefinition {
  /** Stable id used by the API, e.g. `python`, `cpp`. */
  id: string;
  /** Other names accepted for it, e.g. `py`, `python3`. */
  aliases: string[];
  displayName: string;
  /** File extensions (with the dot) that belong to this language; the first one is the language's own, used to infer it from a file name. */
  extensions: string[];
  /** argv printing the toolchain version on the host, e.g. `["python3", "--version"]`. */
  versionCommand: string[];
  /** Pulls the version number out of the version command's output (first capture group). */
  versionPattern: string;
  /** Default source file name when a submission sends bare `source`. */
  sourceFile: string;
  /**
   * argv of the compile stage, run inside the sandbox in the work dir, or null for interpreted languages.
   * Placeholders: `{entry}` (entry file), `{entryStem}` (entry without extension), `{sources}` (every submitted file with one of
   * `extensions`, expands to several args; must be a whole argument), `{memoryMb}` (memory limit of the stage, MiB),
   * `{mainClass}` (the class to start, found by `entryDetection`; the entry stem without it).
   */
  compile: string[] | null;
  /** argv of the run stage, same placeholders; program args are appended. */
  run: string[];
  /**
   * Names the compile writes into the work dir, which a submitted file therefore may not have (refused with
   * `RUNLANE_ERR_ENGINE_RESERVED_FILE_NAME`): a relative path (`main`), `*.ext` (any file ending so, in any folder), or
   * `{sourceStem}.ext` (beside each source of this language: `main.js` for `main.ts`).
   * @defaultValue none
   */
  compileOutputs?: string[];
  /**
   * How the program's start is found when the runtime starts a named class rather than a file. `java-main-class`: each
   * source is named after its public class (so `public class Solution` in bare `source` works), `{mainClass}` is the class
   * declaring `static void main` (the entry file's, else the first in any file), and a program without one is a
   * compilation error.
   * @defaultValue none: the entry file is what runs
   */
  entryDetection?: 'java-main-class';
  /** Extra environment for both stages (e.g. GOCACHE). */
  env?: Record<string, string>;
  /** Limits this language needs by default on top of the configured defaults (e.g. more processes for the JVM). */
  runLimits?: Partial<ResourceLimits>;
  compileLimits?: Partial<ResourceLimits>;
  /**
   * Memory the runtime itself needs beyond the program's data (JVM metaspace, code cache, thread stacks), MiB.
   * Added to the cgroup limit of both stages so that `{memoryMb}` (e.g. `-Xmx`) is what the program really gets.
   * @defaultValue 0
   */
  memoryOverheadMb?: number;
  /**
   * Pattern matched against stderr of a run that exited non-zero: a match means the runtime refused an allocation
   * (e.g. `java.lang.OutOfMemoryError`), which is `memory_limit_exceeded`, not a runtime error.
   */
  outOfMemoryPattern?: string;
  /** Files added to the compile stage (e.g. minimal Node.js declarations for TypeScript). */
  supportFiles?: SupportFile[];
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
