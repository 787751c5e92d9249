// Test projects: fast unit tests beside the code, integration tests against the real sandbox, Redis, PostgreSQL and Chromium.
import { defineConfig } from 'vitest/config';

// Under software emulation (the cgroup v2 VM) everything runs about ten times slower; timeouts stretch with it.
const timeScale = Math.max(1, Number(process.env.RUNLANE_TEST_TIME_SCALE) || 1);

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          testTimeout: 10_000 * timeScale,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // The 1,000-submission cluster run has a project (and a CI step) of its own: it takes minutes.
          exclude: ['test/integration/cluster-scale.test.ts', 'test/integration/sandbox-soak.test.ts'],
          testTimeout: 60_000 * timeScale,
          hookTimeout: 60_000 * timeScale,
          // The machine has two cores and the sandbox tests measure time limits; running files one at a time keeps verdicts honest.
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'scale',
          include: ['test/integration/cluster-scale.test.ts', 'test/integration/sandbox-soak.test.ts'],
          testTimeout: 1_200_000,
          hookTimeout: 120_000,
          // The sandbox soak forces a full GC before each memory sample, so its figures show leaks rather than garbage.
          execArgv: ['--expose-gc'],
          // Both files load the two cores fully; side by side they would slow each other into wrong time-limit verdicts.
          fileParallelism: false,
        },
      },
    ],
  },
});
