// `runlane run FILE`: one sandboxed run in the terminal with the same engine and verdicts as the service.
import type { Command } from 'commander';
import type { ExecutionResult } from '../../domain/result.js';
import type { CompareMode } from '../../domain/submission.js';
import type { CliCommand, CliContext } from '../cli-context.js';
import { VERDICT_EXIT_CODES } from '../exit-codes.js';
import { formatOutputDiff } from '../format-output-diff.js';
import { formatVerdictLine } from '../format-verdict.js';
import { baseConfig, openEngine } from '../open-engine.js';
import { normaliseRequest } from '../../submissions/normalise-request.js';
import { limitFlags } from '../limit-flags.js';
import { buildRunRequest, type RunFlags } from '../run-request.js';

const EXIT_CODE_HELP = `
Exit code: 0 accepted, 10 wrong_answer, 11 compilation_error, 12 runtime_error, 13 time_limit_exceeded,
14 memory_limit_exceeded, 15 output_limit_exceeded, 20 internal_error; 2 the command was refused
(bad flag, unreadable file, unknown language), 3 this host cannot run programs (no bwrap, not root).

Examples:
  runlane run examples/hello.py
  runlane run solution.cpp --stdin input.txt --expect output.txt --time 1 --memory 128
  runlane run main.py --file util.py -- first-arg second-arg`;

async function runAction(context: CliContext, program: Command, file: string, args: string[], flags: RunFlags): Promise<void> {
  const configFile = program.opts<{ config?: string }>().config;
  // A terminal's stdin is the user typing, not input for the program: only a pipe or a redirected file is read.
  const draft = await buildRunRequest(file, args, flags, process.stdin.isTTY ? null : process.stdin);
  const { max } = baseConfig(configFile, context.env).limits;
  const opened = await openEngine({ configFile, env: context.env, flags: limitFlags(flags, max), logDestination: context.stderr });
  let result: ExecutionResult;
  try {
    const request = normaliseRequest(draft, { languages: opened.engine.languages(), limits: opened.config.limits });
    result = await opened.engine.execute(request);
  } finally {
    await opened.close();
  }
  if (flags.json) {
    context.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    printOutput(context, result);
    context.stderr.write(`${formatVerdictLine(result)}\n`);
    printDiff(context, result, flags.exact ? 'exact' : 'trimmed');
  }
  context.setExitCode(VERDICT_EXIT_CODES[result.verdict]);
}

/** The program's own bytes (requested as base64, so nothing is re-encoded on the way), or the compiler's message. */
function printOutput(context: CliContext, result: ExecutionResult): void {
  if (result.verdict === 'compilation_error') {
    context.stderr.write(Buffer.from(result.stderr, 'base64'));
    return;
  }
  context.stdout.write(Buffer.from(result.stdout, 'base64'));
  context.stderr.write(Buffer.from(result.stderr, 'base64'));
}

/** Under a wrong_answer verdict: where the output first differs from --expect, both sides. */
function printDiff(context: CliContext, result: ExecutionResult, mode: CompareMode): void {
  const wrong = result.testCases.find((testCase) => testCase.verdict === 'wrong_answer' && testCase.expectedOutput !== null);
  if (!wrong) return;
  const lines = formatOutputDiff(wrong.expectedOutput!, Buffer.from(wrong.stdout, 'base64').toString('utf8'), mode);
  if (lines.length > 0) context.stderr.write(`${lines.join('\n')}\n`);
}

export const runCommand: CliCommand = {
  name: 'run',
  register(program, context) {
    program
      .command('run')
      .description('Run one program in the sandbox and print its output and verdict')
      .argument('<file>', 'source file; its extension tells the language unless --lang is given')
      .argument('[args...]', 'arguments passed to the program (put them after --)')
      .option('-l, --lang <language>', 'language id or alias (see `runlane languages`)')
      .option('-i, --stdin <file>', 'file given to the program as stdin (- reads this terminal\'s stdin); without it, piped stdin is used')
      .option('-t, --time <seconds>', 'CPU time limit in seconds (wall time follows: 2 × CPU + 1 s)')
      .option('--wall <seconds>', 'wall-clock time limit in seconds')
      .option('-m, --memory <MB>', 'memory limit in MiB')
      .option('-e, --expect <file>', 'expected output; a difference is wrong_answer')
      .option('--exact', 'compare with --expect byte for byte instead of ignoring trailing whitespace')
      .option('-f, --file <path...>', 'more source files placed beside FILE (FILE stays the entry point)')
      .option('--json', 'print the full result as JSON on stdout instead of the output and verdict line')
      .addHelpText('after', EXIT_CODE_HELP)
      .action((file: string, args: string[], flags: RunFlags) => runAction(context, program, file, args, flags));
  },
};
