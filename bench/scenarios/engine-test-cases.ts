// Engine test cases: one submission with several test cases, compiled (C) and interpreted (Python), end to end through the engine.
import { chmod } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { createEngine } from '../../src/engine/create-engine.js';
import { executionRequest, type ExecutionRequest } from '../../src/domain/submission.js';
import { silentLogger } from '../../src/logging/logger.js';
import { createBwrapSandbox } from '../../src/sandbox/bwrap/create-bwrap-sandbox.js';
import type { BenchContext, BenchRow } from '../lib/types.js';
import { median, percentile } from '../lib/stats.js';

export const name = 'engine-test-cases';
export const description =
  'A submission with 6 test cases through the engine: C (compile once, cached after the first round) and Python; time per submission, one at a time and 2 at once, and per test case.';

const CASES = 6;
const C_PROGRAM = '#include <stdio.h>\nint main(void) { int a, b; if (scanf("%d %d", &a, &b) != 2) return 1; printf("%d\\n", a + b); return 0; }\n';
const PY_PROGRAM = 'a, b = map(int, input().split())\nprint(a + b)\n';

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  // The pool uids must be able to reach the run root inside the private temporary directory.
  await chmod(ctx.tmpDir, 0o711);
  const runRoot = join(ctx.tmpDir, 'run-root');
  const sandbox = await createBwrapSandbox(
    { bwrapPath: 'bwrap', runRoot, uidBase: 440_000 + randomInt(0, 1000) * 64, uidCount: 64, cgroupRoot: `runlane-bench-engine-${process.pid}`, requireCgroups: false },
    silentLogger(),
  );
  try {
    const engine = await createEngine({ sandbox, config: loadConfig({ env: {}, flags: { 'sandbox.runRoot': runRoot } }) });
    const testCases = Array.from({ length: CASES }, (_, index) => ({ stdin: `${index} ${index + 1}\n`, expectedOutput: `${2 * index + 1}\n` }));
    const requests: [string, ExecutionRequest][] = [
      ['C, compile cached', executionRequest('c', [{ name: 'main.c', content: C_PROGRAM }], { testCases })],
      ['Python', executionRequest('python', [{ name: 'main.py', content: PY_PROGRAM }], { testCases })],
    ];
    const rounds = ctx.iterations(20, 4);
    const rows: BenchRow[] = [];
    for (const [label, request] of requests) {
      await expectAccepted(engine.execute(request));
      const serial: number[] = [];
      for (let round = 0; round < rounds; round++) serial.push(await timed(() => expectAccepted(engine.execute(request))));
      const started = performance.now();
      await Promise.all([0, 1].map(async () => {
        for (let round = 0; round < rounds; round++) await expectAccepted(engine.execute(request));
      }));
      const throughput = (2 * rounds) / ((performance.now() - started) / 1000);
      rows.push({
        program: `${label}, ${CASES} test cases`,
        rounds,
        'median ms': median(serial),
        'p99 ms': percentile(serial, 99),
        'ms per test case': median(serial) / CASES,
        'submissions/s at concurrency 2': throughput,
      });
      ctx.log(`${label}: median ${median(serial).toFixed(0)} ms, ${throughput.toFixed(2)}/s at concurrency 2`);
    }
    return rows;
  } finally {
    await sandbox.close();
  }
}

async function expectAccepted(execution: Promise<{ verdict: string }>): Promise<void> {
  const result = await execution;
  if (result.verdict !== 'accepted') throw new Error(`expected accepted, got ${result.verdict}`);
}

async function timed(action: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}
