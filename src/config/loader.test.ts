// Config loading: defaults, layering order, seed env names, and errors that name the key.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
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

  describe('when a secret is invalid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runlane-config-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const messageOf = (run: () => unknown): string => {
      try {
        run();
      } catch (error) {
        expect(isAppError(error)).toBe(true);
        return (error as Error).message;
      }
      return expect.unreachable('loadConfig should have thrown');
    };

    it('should say what is wrong with JWT_SECRET without printing it', () => {
      const message = messageOf(() => loadConfig({ env: { JWT_SECRET: 'my-real-prod-se' } }));
      expect(message).not.toContain('my-real-prod-se');
      expect(message).toContain('auth.jwtSecret from environment variable JWT_SECRET');
      expect(message).toContain('must be at least 16 characters');
      expect(message).not.toContain('union');
    });

    it('should not print an API key, wherever it was set', () => {
      const file = join(dir, 'keys.json');
      writeFileSync(file, JSON.stringify({ auth: { apiKeys: [{ key: 'short-api-key', userId: 'bot', displayName: 'Bot' }] } }));
      for (const load of [
        () => loadConfig({ env: {}, file }),
        () => loadConfig({ env: { RUNLANE_AUTH__API_KEYS: JSON.stringify([{ key: 'short-api-key', userId: 'bot', displayName: 'Bot' }]) } }),
      ]) {
        const message = messageOf(load);
        expect(message).not.toContain('short-api-key');
        expect(message).toContain('auth.apiKeys.0.key');
        expect(message).toContain('must be at least 16 characters');
      }
    });

    it.each([
      ['a misspelt secret key', { RUNLANE_AUTH__JWT_SECERT: 'a-long-enough-secret-value' }, 'a-long-enough-secret-value', 'is not a known key'],
      ['a whole section given as text', { RUNLANE_AUTH: 'a-long-enough-secret-value' }, 'a-long-enough-secret-value', 'must be an object'],
      ['any key named like a credential', { RUNLANE_AUTH__SESSION_TOKEN: 'token-value-123' }, 'token-value-123', 'is not a known key'],
    ])('should not print %s', (_name, env, secret, problem) => {
      const message = messageOf(() => loadConfig({ env }));
      expect(message).not.toContain(secret);
      expect(message).toContain(problem);
    });

    it('should not echo a config file that is not valid JSON', () => {
      const file = join(dir, 'broken.json');
      writeFileSync(file, '{"auth": {"jwtSecret": hunter2pw}}');
      const message = messageOf(() => loadConfig({ env: {}, file }));
      expect(message).not.toContain('hunter2pw');
      expect(message).toContain('not valid JSON');
    });
  });

  describe('when a value of a union type is invalid', () => {
    it.each([
      [{ RUNLANE_AUTH__ANONYMOUS: 'sometimes' }, 'auth.anonymous from environment variable RUNLANE_AUTH__ANONYMOUS: must be "auto" or true or false (got "sometimes")'],
      [{ LOG_LEVEL: 'loud' }, 'must be one of "fatal", "error", "warn", "info", "debug", "trace" or "silent" (got "loud")'],
      [{ PORT: 'eighty' }, 'server.port from environment variable PORT: must be an integer (got "eighty")'],
      [{ MAX_CONCURRENT_EXECUTIONS: '0' }, 'must be at least 1 (got 0)'],
    ])('should say which values are accepted for %j', (env, expected) => {
      expect(() => loadConfig({ env })).toThrow(expected);
    });
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
