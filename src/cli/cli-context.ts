// What every CLI command gets: its output streams, the environment, and a way to set the process exit code.
import type { Command } from 'commander';

export interface CliContext {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** The code `main` resolves with once the command finished. */
  setExitCode(code: number): void;
}

/** One `runlane <command>`: a module that adds itself to the program. */
export interface CliCommand {
  name: string;
  register(program: Command, context: CliContext): void;
}
