// Test projects: fast unit tests beside the code, integration tests against the real sandbox, Redis, PostgreSQL and Chromium.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['src/**/*.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          // The machine has two cores and the sandbox tests measure time limits; running files one at a time keeps verdicts honest.
          fileParallelism: false,
        },
      },
    ],
  },
});
