// Test project of the import fences: runs dependency-cruiser on a fixture tree, so it stays apart from the unit and integration projects.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/fences/**/*.test.ts'],
    root: new URL('../..', import.meta.url).pathname,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
