// `runlane serve` as a real process refuses a bad environment before it starts anything, in the one config-error format.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runRunlaneToExit } from '../support/runlane-process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'runlane-serve-config-'));

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs `runlane serve` with `env` until it exits; resolves with its exit code and everything it wrote. */
function serve(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return runRunlaneToExit(['serve', '--port', '0', '--data-dir', dataDir], env);
}

describe('runlane serve with a bad environment', () => {
  describe('when HOST is not an address it can listen on', () => {
    it('should exit non-zero with the config-error line naming HOST, not a raw network error', async () => {
      const { code, output } = await serve({ HOST: 'bad' });
      expect(code).not.toBe(0);
      expect(output).toContain('runlane: invalid configuration: server.host from environment variable HOST: must be an IP address to listen on');
      expect(output).not.toMatch(/ENOTFOUND|getaddrinfo|EADDRNOTAVAIL/);
    });
  });

  describe('when two seed names set the running cap to different values', () => {
    it('should exit non-zero naming both variables', async () => {
      const { code, output } = await serve({ MAX_CONCURRENT_EXECUTIONS: '4', MAX_CONCURRENT_SUBMISSIONS: '2' });
      expect(code).not.toBe(0);
      expect(output).toContain('scheduler.maxConcurrent is set by both environment variable MAX_CONCURRENT_EXECUTIONS and MAX_CONCURRENT_SUBMISSIONS');
    });
  });
});
