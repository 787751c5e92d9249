// Entry of the `runlane` command line: builds the commander program from the command modules and runs it.
import { Command, CommanderError } from 'commander';
import { isAppError } from '../errors/index.js';
import type { CliContext } from './cli-context.js';
import { CliUsageError } from './cli-usage-error.js';
import { COMMANDS } from './commands/index.js';
import { EXIT_CODES } from './exit-codes.js';
import { packageVersion } from './package-version.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

/**
 * Runs `runlane` with the given arguments (without `node` and the script) and resolves with the process exit code
 * once everything written to stdout and stderr has been handed to the OS, so a caller may `process.exit` at once.
 */
export async function main(argv: string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  const code = await runProgram(argv, io);
  await Promise.all([drained(io.stdout), drained(io.stderr)]);
  return code;
}

/**
 * Resolves when the stream has flushed every earlier write: a pipe is written asynchronously, and a process that exits
 * before then loses what is still buffered (`runlane run big.py --json | jq` would get cut JSON).
 */
function drained(stream: NodeJS.WritableStream): Promise<void> {
  // Writes complete in order, so the callback of an empty write fires after all earlier ones; an error means nobody reads any more.
  return new Promise((resolve) => stream.write('', () => resolve()));
}

async function runProgram(argv: string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const context: CliContext = { ...io, setExitCode: (code) => (exitCode = code) };
  const program = new Command('runlane')
    .description('Runs untrusted programs in many languages, safely: a sandboxed runner, a queue and an API.')
    .version(packageVersion(), '-V, --version', 'print the Runlane version')
    .option('-c, --config <file>', 'JSON configuration file (else $RUNLANE_CONFIG)')
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) });
  for (const command of COMMANDS) command.register(program, context);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_CODES.rejected;
    if (error instanceof CliUsageError) {
      io.stderr.write(`runlane: ${error.message}\n`);
      return EXIT_CODES.rejected;
    }
    if (isAppError(error)) {
      io.stderr.write(`runlane: ${error.message}\n`);
      return error.statusCode < 500 ? EXIT_CODES.rejected : EXIT_CODES.unavailable;
    }
    throw error;
  }
}
