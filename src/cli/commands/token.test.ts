// `runlane token`: the token it prints verifies with the server's secret and carries the asked-for claims; no secret is refused.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { JwtVerifier } from '../../auth/jwt-verifier.js';
import { main } from '../main.js';
import { parseTtl } from './token.js';

const SECRET = 'cli-token-secret-0123456789abcdef';

async function runToken(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  const code = await main(['token', ...args], { stdout, stderr, env });
  return { code, stdout: out, stderr: err };
}

describe('runlane token', () => {
  describe('when JWT_SECRET is set', () => {
    it('should print a token the server accepts, with sub, role and name', async () => {
      const outcome = await runToken(['--sub', 'ada', '--role', 'teacher', '--name', 'Ada L.', '--ttl', '15m'], { JWT_SECRET: SECRET });
      expect(outcome.code).toBe(0);
      const identity = await new JwtVerifier(SECRET).verify(outcome.stdout.trim());
      expect(identity).toMatchObject({ userId: 'ada', displayName: 'Ada L.', role: 'teacher' });
    });

    it('should mint a service token with its actAs ceiling', async () => {
      const outcome = await runToken(['--sub', 'backend', '--role', 'service', '--max-act-as-role', 'teacher'], { JWT_SECRET: SECRET });
      const identity = await new JwtVerifier(SECRET).verify(outcome.stdout.trim());
      expect(identity).toMatchObject({ userId: 'backend', role: 'service', maxActAsRole: 'teacher', keyId: expect.stringMatching(/^jwt:[0-9a-f]{16}$/) });
    });

    it.each([
      [['--role', 'user'], /--sub/],
      [['--sub', 'x', '--role', 'root'], /--role root: use one of user, teacher, admin, service/],
      [['--sub', 'x', '--ttl', 'forever'], /--ttl forever/],
    ])('should refuse %j by the flag that is wrong', async (args, message) => {
      const outcome = await runToken(args, { JWT_SECRET: SECRET });
      expect(outcome.code).toBe(2);
      expect(outcome.stderr).toMatch(message);
      expect(outcome.stdout).toBe('');
    });
  });

  describe('when no secret is configured', () => {
    it('should refuse clearly and print nothing', async () => {
      const outcome = await runToken(['--sub', 'ada'], {});
      expect(outcome.code).toBe(2);
      expect(outcome.stderr).toContain('no JWT secret is configured: set JWT_SECRET');
      expect(outcome.stdout).toBe('');
    });
  });
});

describe('parseTtl', () => {
  it.each([
    ['90', 90],
    ['30s', 30],
    ['15m', 900],
    ['1h', 3_600],
    ['7d', 604_800],
  ])('should read %s as %i seconds', (text, seconds) => {
    expect(parseTtl(text)).toBe(seconds);
  });
});
