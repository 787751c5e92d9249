// Compile cache: an identical C++ submission a second time (cache hit) vs. the first time (compile + run), same engine.
import { chmod } from 'node:fs/promises';
import { randomInt, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { createEngine } from '../../src/engine/create-engine.js';
import { executionRequest } from '../../src/domain/submission.js';
import { silentLogger } from '../../src/logging/logger.js';
import { createBwrapSandbox } from '../../src/sandbox/bwrap/create-bwrap-sandbox.js';
import type { BenchContext, BenchRow } from '../lib/types.js';
import { median, percentile } from '../lib/stats.js';

export const name = 'compile-cache';
export const description = 'C++ hello with iostream: end-to-end execute time of a second identical submission (compile cache hit) vs. the first (compile + run).';

const PROGRAM = '#include <iostream>\n#include <string>\nint main() { std::string name; std::cin >> name; std::cout << "Hello, " << name << "!" << std::endl; }\n';

export async function run(ctx: BenchContext): Promise<BenchRow[]> {
  // The pool uids must be able to reach the run root inside the private temporary directory.
  await chmod(ctx.tmpDir, 0o711);
  const sandbox = await createBwrapSandbox(
    { bwrapPath: 'bwrap', runRoot: join(ctx.tmpDir, 'run-root'), uidBase: 420_000 + randomInt(0, 1000) * 64, uidCount: 64, cgroupRoot: `runlane-bench-cache-${process.pid}`, requireCgroups: false },
    silentLogger(),
  );
  try {
    const engine = await createEngine({ sandbox, config: loadConfig({ env: {}, flags: { 'sandbox.runRoot': join(ctx.tmpDir, 'run-root') } }) });
    if (!engine.languages().find((language) => language.id === 'cpp')?.installed) throw new Error('C++ (g++) is not installed');
    const rounds = ctx.iterations(10, 3);
    const first: number[] = [];
    const second: number[] = [];
    const compile: number[] = [];
    for (let round = 0; round < rounds; round++) {
      // A fresh comment makes a fresh program, so each round's first submission really compiles.
      const request = executionRequest('cpp', [{ name: 'main.cpp', content: `// ${randomUUID()}\n${PROGRAM}` }], { stdin: 'bench' });
      const cold = await timedExecute(() => engine.execute(request));
      const warm = await timedExecute(() => engine.execute(request));
      if (cold.result.compileCached || !warm.result.compileCached) throw new Error('the cache did not behave: expected a miss then a hit');
      if (warm.result.stdout !== 'Hello, bench!\n') throw new Error(`unexpected output ${JSON.stringify(warm.result.stdout)}`);
      first.push(cold.ms);
      second.push(warm.ms);
      compile.push(cold.result.compile?.wallTimeMs ?? 0);
    }
    const stats = engine.compileCacheStats();
    ctx.log(`first ${median(first).toFixed(0)} ms, second ${median(second).toFixed(0)} ms, cache ${stats.entries} entries / ${stats.bytes} bytes`);
    return [
      {
        program: 'C++ hello (iostream)',
        rounds,
        'first median ms': median(first),
        'first p99 ms': percentile(first, 99),
        'compile median ms': median(compile),
        'second median ms': median(second),
        'second p99 ms': percentile(second, 99),
        'speed-up (first / second)': median(first) / median(second),
        'cache bytes per program': Math.round(stats.bytes / Math.max(1, stats.entries)),
      },
    ];
  } finally {
    await sandbox.close();
  }
}

async function timedExecute<T>(action: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const started = performance.now();
  const result = await action();
  return { ms: performance.now() - started, result };
}
