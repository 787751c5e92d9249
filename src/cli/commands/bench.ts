// `runlane bench [--quick] [scenario…]`: runs the benchmark suite (bench/main.ts) with the same Node.js, passing scenario filters through.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CliCommand } from '../cli-context.js';
import { CliUsageError } from '../cli-usage-error.js';

/** The package root: two levels above this module in both src/ and dist/. */
const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export const benchCommand: CliCommand = {
  name: 'bench',
  register(program, context) {
    program
      .command('bench')
      .description('Run the benchmarks (each figure against a baseline measured in the same run); results in bench/results/ (latest.md, .json, .svg)')
      .argument('[scenarios...]', 'only scenarios whose name contains one of these words (default: the sandbox speed suite; `all`: every scenario)')
      .option('--json', 'print the results as JSON (what bench/results/latest.json holds) instead of Markdown')
      .option('--quick', 'a short pass: a fifth of the iterations and short idle windows (the default set in under a minute)')
      .action(async (scenarios: string[], options: { json?: boolean; quick?: boolean }) => {
        const entry = `${PACKAGE_ROOT}bench/main.ts`;
        if (!existsSync(entry)) throw new CliUsageError(`the benchmark suite is not part of this installation (missing ${entry})`);
        // --expose-gc lets the memory scenarios measure heap per queued job precisely.
        // Progress and the closing summary arrive on stderr as the suite runs; stdout carries only the report.
        const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', entry, ...scenarios, ...(options.json ? ['--json'] : []), ...(options.quick ? ['--quick'] : [])], {
          cwd: PACKAGE_ROOT,
          env: context.env,
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        child.stdout.pipe(context.stdout, { end: false });
        child.stderr.pipe(context.stderr, { end: false });
        const code = await new Promise<number>((resolve) => child.once('exit', (exitCode) => resolve(exitCode ?? 1)));
        context.setExitCode(code);
      });
  },
};
