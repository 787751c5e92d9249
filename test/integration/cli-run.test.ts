// The `runlane` command line end to end: real process, real sandbox, output, verdict line and exit codes.
import { spawn } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/languages/catalogue.js';

const REPO_ROOT = new URL('../../', import.meta.url).pathname;
const FIXTURES = join(REPO_ROOT, 'test/fixtures/programs');
// The source entry through tsx, so the test needs no build and checks the code as it is; it exits the way bin/runlane.js does.
const ENTRY = "import { main } from './src/cli/main.ts'; process.exit(await main(process.argv.slice(1)));";

interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

let runRoot: string;
let scratch: string;
const cgroupName = `runlane-test-cli-${randomUUID()}`;

/**
 * Runs `runlane …` with a sandbox of its own (run root, uid range, cgroup parent) so it cannot meet other test runs.
 * stdout and stderr are pipes, as under `| jq`; stdin is /dev/null unless `input` is piped in.
 */
function runlane(args: string[], input?: string, extraEnv: Record<string, string> = {}): Promise<CliOutcome> {
  const env = {
    ...extraEnv,
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    RUNLANE_SANDBOX__RUN_ROOT: runRoot,
    RUNLANE_SANDBOX__UID_BASE: String(300_000 + randomInt(0, 1_000) * 64),
    RUNLANE_SANDBOX__UID_COUNT: '64',
    RUNLANE_SANDBOX__CGROUP_ROOT: cgroupName,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', ENTRY, ...args], {
      cwd: REPO_ROOT,
      env,
      timeout: 60_000,
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.stdin?.end(input);
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }));
  });
}

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1) ?? '';

beforeAll(async () => {
  runRoot = await mkdtemp(join(tmpdir(), 'runlane-cli-test-'));
  scratch = await mkdtemp(join(tmpdir(), 'runlane-cli-files-'));
});

afterAll(async () => {
  await rm(runRoot, { recursive: true, force: true });
  await rm(scratch, { recursive: true, force: true });
  // The cgroup parent of this suite, under whichever controllers (v1) or hierarchy (v2) the sandbox used.
  for (const controller of await readdir('/sys/fs/cgroup').catch(() => [])) await rmdir(join('/sys/fs/cgroup', controller, cgroupName)).catch(() => undefined);
  await rmdir(join('/sys/fs/cgroup', cgroupName)).catch(() => undefined);
});

describe('when running a program', () => {
  it('should print its output and an accepted verdict line, and exit 0', async () => {
    const outcome = await runlane(['run', 'examples/hello.py']);
    expect(outcome.stdout).toBe('Hello, World!\n');
    expect(lastLine(outcome.stderr)).toMatch(/^accepted · \d+ ms CPU · \d+ ms wall · [\d.]+ [KM]B$/);
    expect(outcome.code).toBe(0);
  });

  it('should not care about a HOST the shell exports (tcsh does), since `run` listens on nothing', async () => {
    const outcome = await runlane(['run', 'examples/hello.py'], undefined, { HOST: 'my-laptop' });
    expect(outcome.stdout).toBe('Hello, World!\n');
    expect(outcome.code).toBe(0);
  });

  it('should take a language alias in any case, as every transport does', async () => {
    const outcome = await runlane(['run', 'examples/hello.py', '--lang', 'Python']);
    expect(outcome.stdout).toBe('Hello, World!\n');
    expect(outcome.code).toBe(0);
  });

  it('should exit 12 for a runtime error and say why', async () => {
    const outcome = await runlane(['run', join(FIXTURES, 'hostile/exit-code.py')]);
    expect(outcome.stdout).toBe('partial\n');
    expect(lastLine(outcome.stderr)).toMatch(/^runtime_error \(exited with code 3\) · /);
    expect(outcome.code).toBe(12);
  });

  it('should pass stdin and args, and judge against --expect', async () => {
    const input = join(scratch, 'input.txt');
    const expected = join(scratch, 'expected.txt');
    await writeFile(input, 'hello\n');
    await writeFile(expected, 'args=a,b c\nstdin=hello\n');
    const accepted = await runlane(['run', join(FIXTURES, 'echo/echo.py'), '--stdin', input, '--expect', expected, '--', 'a', 'b c']);
    expect(accepted.stdout).toBe('args=a,b c\nstdin=hello\n');
    expect(accepted.code).toBe(0);
    const wrong = await runlane(['run', join(FIXTURES, 'echo/echo.py'), '--stdin', input, '--expect', expected]);
    const [verdictLine, expectedLine, actualLine] = wrong.stderr.trimEnd().split('\n').slice(-3);
    expect(verdictLine).toMatch(/^wrong_answer \(output differs from the expected output at line 1\)/);
    expect(expectedLine).toBe('  line 1 expected: "args=a,b c"');
    expect(actualLine).toBe('  line 1 actual:   "args="');
    expect(wrong.code).toBe(10);
  });

  it('should read piped stdin as the program\'s stdin when --stdin is not given', async () => {
    const file = join(scratch, 'add.py');
    await writeFile(file, 'print(sum(map(int, input().split())))\n');
    const outcome = await runlane(['run', file], '1 2\n');
    expect(outcome.stdout).toBe('3\n');
    expect(outcome.code).toBe(0);
  });

  it('should print the full result as JSON with --json', async () => {
    const outcome = await runlane(['run', 'examples/hello.c', '--json']);
    const result = JSON.parse(outcome.stdout) as Record<string, unknown>;
    expect(result).toMatchObject({ verdict: 'accepted', stdout: 'Hello, World!\n', compileCached: false, exitCode: 0 });
    expect(Object.keys(result).sort()).toEqual(['compile', 'compileCached', 'cpuTimeMs', 'exitCode', 'memoryKb', 'message', 'signal', 'stderr', 'stdout', 'testCases', 'toolchainVersion', 'verdict', 'wallTimeMs']);
    expect(outcome.code).toBe(0);
  });

  it('should print all of a large --json result into a pipe, not only the first 64 KB', async () => {
    const file = join(scratch, 'big.py');
    await writeFile(file, "import sys\nsys.stdout.write('x' * 1_000_000)\n");
    const outcome = await runlane(['run', file, '--json']);
    const result = JSON.parse(outcome.stdout) as { verdict: string; stdout: string };
    expect(result.verdict).toBe('accepted');
    expect(result.stdout).toHaveLength(1_000_000);
    expect(outcome.code).toBe(0);
  });

  it("should show the compiler's message and exit 11 for a compile error", async () => {
    const outcome = await runlane(['run', join(FIXTURES, 'hostile/compile-error.c')]);
    expect(outcome.stderr).toMatch(/error: expected/);
    expect(lastLine(outcome.stderr)).toMatch(/^compilation_error /);
    expect(outcome.code).toBe(11);
  });

  it('should apply --time and exit 13 on a time limit', async () => {
    const outcome = await runlane(['run', join(FIXTURES, 'hostile/infinite-loop.c'), '--time', '0.5', '--memory', '64']);
    expect(lastLine(outcome.stderr)).toMatch(/^time_limit_exceeded \(CPU time limit of 500 ms exceeded\)/);
    expect(outcome.code).toBe(13);
  });

  it('should refuse an out-of-range --time by its flag name and range, not an internal config key, with exit code 2', async () => {
    const outcome = await runlane(['run', 'examples/hello.py', '--time', '100']);
    expect(outcome.stderr).toBe('runlane: --time must be a number of seconds from 0.001 to 30 (got "100")\n');
    expect(outcome.code).toBe(2);
  });

  it('should refuse a file whose language it cannot tell, with exit code 2', async () => {
    const file = join(scratch, 'notes.txt');
    await writeFile(file, 'hello');
    const outcome = await runlane(['run', file]);
    expect(outcome.stderr).toMatch(/cannot tell the language of notes\.txt.*--lang/);
    expect(outcome.code).toBe(2);
  });

  it('should honour --lang over the extension', async () => {
    const file = join(scratch, 'script.txt');
    await writeFile(file, 'puts "from ruby"\n');
    const outcome = await runlane(['run', file, '--lang', 'ruby']);
    expect(outcome.stdout).toBe('from ruby\n');
    expect(outcome.code).toBe(0);
  });
});

describe('when listing languages', () => {
  it('should print a header, then every catalogue language with its aliases and its version or "not installed"', async () => {
    const outcome = await runlane(['languages']);
    const [header, ...lines] = outcome.stdout.trimEnd().split('\n');
    expect(header).toMatch(/^ID\s+NAME\s+ALIASES\s+VERSION$/);
    expect(lines).toHaveLength(CATALOGUE.length);
    for (const [index, language] of CATALOGUE.entries()) {
      const aliases = language.aliases.map((alias) => alias.replace(/[+]/g, '\\+')).join(', ');
      expect(lines[index]).toMatch(new RegExp(`^${language.id}\\s+.+\\s+${aliases}\\s+(\\d+(\\.\\d+)*|not installed \\(.+\\))$`));
    }
    expect(outcome.code).toBe(0);
  });
});
