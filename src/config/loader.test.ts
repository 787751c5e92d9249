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
    // Seed 000's timeout is the only one its users set: a CPU-bound loop must stop at it too.
    expect(config.limits.run.cpuTimeMs).toBe(30_000);
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
      [{ EXECUTOR_MAX_EXECUTION_TIME: '999999999' }, 'from environment variable EXECUTOR_MAX_EXECUTION_TIME'],
      [{ HOST: 'bad' }, 'server.host from environment variable HOST'],
      [{ BATCH_SIZE: 'three' }, 'scheduler.testCaseBatchSize from environment variable BATCH_SIZE: must be an integer (got "three")'],
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

  describe('when a command that never listens reads the configuration', () => {
    it('should not refuse a HOST exported by the shell, since nothing binds it', () => {
      expect(() => loadConfig({ env: { HOST: 'my-laptop' } })).toThrow('server.host');
      expect(loadConfig({ env: { HOST: 'my-laptop' }, listens: false }).server.host).toBe('my-laptop');
    });
  });

  describe('when a seed system\'s environment is used as it is', () => {
    it('should take seed 002\'s MAX_CONCURRENT_SUBMISSIONS as the running cap and BATCH_SIZE as the test cases run at once', () => {
      const config = loadConfig({ env: { MAX_CONCURRENT_SUBMISSIONS: '3', BATCH_SIZE: '5' } });
      expect(config.scheduler.maxConcurrent).toBe(3);
      expect(config.scheduler.testCaseBatchSize).toBe(5);
    });

    it.each([
      [{ REDIS_HOST: 'cache', REDIS_PORT: '6380' }, 'redis://cache:6380'],
      [{ REDIS_HOST: 'cache' }, 'redis://cache:6379'],
      [{ REDIS_PORT: '6390' }, 'redis://localhost:6390'],
      [{ REDIS_HOST: '::1' }, 'redis://[::1]:6379'],
      [{ REDIS_HOST: 'cache', REDIS_URL: 'redis://cache:6379' }, 'redis://cache:6379'],
    ])('should make seed 004\'s %j the redis.url %s', (env, url) => {
      expect(loadConfig({ env }).redis.url).toBe(url);
    });

    it('should stop a CPU-bound default run at EXECUTOR_MAX_EXECUTION_TIME only within the CPU maximum, and say which key to raise', () => {
      expect(() => loadConfig({ env: { EXECUTOR_MAX_EXECUTION_TIME: '45000' } })).toThrow(
        'invalid configuration: limits.run.cpuTimeMs from environment variable EXECUTOR_MAX_EXECUTION_TIME: 45000 is above limits.max.cpuTimeMs (30000); lower it, or raise limits.max.cpuTimeMs (RUNLANE_LIMITS__MAX__CPU_TIME_MS) too',
      );
      const raised = loadConfig({ env: { EXECUTOR_MAX_EXECUTION_TIME: '45000', RUNLANE_LIMITS__MAX__CPU_TIME_MS: '45000' } });
      expect(raised.limits.run).toMatchObject({ wallTimeMs: 45_000, cpuTimeMs: 45_000 });
    });
  });

  describe('when two environment variables set one key to different values', () => {
    it.each([
      [{ MAX_CONCURRENT_EXECUTIONS: '4', MAX_CONCURRENT_SUBMISSIONS: '3' }, 'scheduler.maxConcurrent is set by both environment variable MAX_CONCURRENT_EXECUTIONS and MAX_CONCURRENT_SUBMISSIONS'],
      [{ REDIS_URL: 'redis://a:6379', REDIS_HOST: 'b' }, 'redis.url is set by both environment variable REDIS_URL and REDIS_HOST'],
      [{ EXECUTOR_MAX_EXECUTION_TIME: '20000', RUNLANE_LIMITS__RUN__CPU_TIME_MS: '10000' }, 'limits.run.cpuTimeMs is set by both environment variable EXECUTOR_MAX_EXECUTION_TIME and RUNLANE_LIMITS__RUN__CPU_TIME_MS'],
    ])('should refuse to start, naming both, for %j', (env, message) => {
      expect(() => loadConfig({ env })).toThrow(message);
    });

    it('should accept them when they agree', () => {
      expect(loadConfig({ env: { MAX_CONCURRENT_EXECUTIONS: '4', MAX_CONCURRENT_SUBMISSIONS: '4' } }).scheduler.maxConcurrent).toBe(4);
    });

    it('should refuse a REDIS_PORT that is not a port', () => {
      expect(() => loadConfig({ env: { REDIS_PORT: 'sixty' } })).toThrow('invalid configuration: redis.url from environment variable REDIS_PORT: must be a port number from 1 to 65535 (got "sixty")');
    });
  });

  describe('when HOST is not an address this machine can listen on', () => {
    it.each([
      ['bad', 'must be an IP address to listen on'],
      ['not a host!', 'must be an IP address to listen on'],
      ['203.0.113.77', 'is not an address of this machine'],
    ])('should report %s in the config-error format, naming HOST', (host, problem) => {
      expect(() => loadConfig({ env: { HOST: host } })).toThrow(`invalid configuration: server.host from environment variable HOST: ${problem}`);
    });

    it.each(['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost', '127.0.0.2'])('should accept %s', (host) => {
      expect(loadConfig({ env: { HOST: host } }).server.host).toBe(host);
    });
  });

  describe('when interactive limits are configured', () => {
    it('should default to minutes of wall time and an idle timeout, apart from batch runs', () => {
      expect(loadConfig({ env: {} }).limits.interactive).toEqual({
        defaults: { wallTimeMs: 600_000, cpuTimeMs: 60_000, idleTimeoutMs: 120_000 },
        max: { wallTimeMs: 3_600_000, cpuTimeMs: 600_000, idleTimeoutMs: 600_000 },
      });
    });

    it('should refuse a default above its maximum', () => {
      expect(() => loadConfig({ env: { RUNLANE_LIMITS__INTERACTIVE__DEFAULTS__IDLE_TIMEOUT_MS: '700000' } })).toThrow(
        'limits.interactive.defaults.idleTimeoutMs from environment variable RUNLANE_LIMITS__INTERACTIVE__DEFAULTS__IDLE_TIMEOUT_MS: 700000 is above limits.interactive.max.idleTimeoutMs (600000)',
      );
    });
  });
});
