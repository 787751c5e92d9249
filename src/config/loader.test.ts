// Config loading: defaults, layering order, seed env names, and errors that name the key.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './loader.js';
import { isAppError } from '../errors/index.js';

describe('loadConfig', () => {
  it('should fill every key with its default', () => {
    const config = loadConfig({ env: {} });
    expect(config.server.port).toBe(8080);
    expect(config.scheduler.roomMaxRunning).toBe(3);
    expect(config.limits.run.outputBytes).toBe(10_000_000);
    expect(config.database.url).toBeNull();
  });

  it('should honour the seeds\' environment variable names', () => {
    const config = loadConfig({
      env: { MAX_CONCURRENT_EXECUTIONS: '7', EXECUTOR_MAX_EXECUTION_TIME: '30000', MAX_MEMORY_PER_EXECUTION: '128', RATE_LIMIT_MAX_REQUESTS: '100', RATE_LIMIT_WINDOW_MS: '900000', PORT: '5000' },
    });
    expect(config.scheduler.maxConcurrent).toBe(7);
    expect(config.limits.run.wallTimeMs).toBe(30_000);
    expect(config.limits.run.memoryMb).toBe(128);
    expect(config.rateLimit).toEqual({ maxRequests: 100, windowMs: 900_000 });
    expect(config.server.port).toBe(5000);
  });

  it('should layer defaults < file < env < flags', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runlane-config-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ scheduler: { maxConcurrent: 2, roomMaxQueued: 5 }, server: { port: 1 } }));
    const config = loadConfig({ file, env: { RUNLANE_SCHEDULER__MAX_CONCURRENT: '4', PORT: '2' }, flags: { 'server.port': 3 } });
    expect(config.scheduler.roomMaxQueued).toBe(5);
    expect(config.scheduler.maxConcurrent).toBe(4);
    expect(config.server.port).toBe(3);
  });

  it('should return a frozen object', () => {
    const config = loadConfig({ env: {} });
    expect(Object.isFrozen(config.limits.run)).toBe(true);
  });

  describe('when a value is invalid', () => {
    it.each([
      [{ PORT: 'eighty' }, 'server.port'],
      [{ MAX_CONCURRENT_EXECUTIONS: '0' }, 'scheduler.maxConcurrent'],
      [{ RUNLANE_AUTH__ANONYMOUS: 'sometimes' }, 'auth.anonymous'],
      [{ RUNLANE_SCHEDULER__NO_SUCH_KEY: '1' }, 'scheduler.noSuchKey from environment variable RUNLANE_SCHEDULER__NO_SUCH_KEY'],
      [{ RUNLANE_TYPO: '1' }, 'typo from environment variable RUNLANE_TYPO'],
      [{ EXECUTOR_MAX_EXECUTION_TIME: '999999999' }, 'limits.run.wallTimeMs'],
    ])('should fail naming the key for %j', (env, key) => {
      try {
        loadConfig({ env });
        expect.unreachable('loadConfig should have thrown');
      } catch (error) {
        expect(isAppError(error)).toBe(true);
        expect((error as Error).message).toContain(key);
      }
    });
  });
});
