// Hostile and broken programs through the real engine and sandbox: one table row per abuse class, each with its verdict.
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ResourceLimits } from '../../src/domain/limits.js';
import type { ExecutionResult } from '../../src/domain/result.js';
import type { ExecutionRequest } from '../../src/domain/submission.js';
import type { Verdict } from '../../src/domain/verdict.js';
import { CATALOGUE } from '../../src/languages/catalogue.js';
import { detectLanguages } from '../../src/languages/detect.js';
import type { LanguageDefinition } from '../../src/languages/language.js';
import { createTestEngine, HOSTILE_LIMITS, requestOf, type TestEngine } from '../fixtures/programs/engine-harness.js';
import { programFile } from '../fixtures/programs/load-program.js';
import { announceSkip, scaledMs } from '../fixtures/sandbox/harness.js';

const REPO_ROOT = new URL('../../', import.meta.url).pathname;
// Planted in the server's environment before the sandbox starts: no program may ever see it.
const SECRET = `runlane-secret-${randomUUID()}`;
process.env.RUNLANE_TEST_SERVER_SECRET = SECRET;

/** A toolchain whose "compile" plants symlinks to host files and a FIFO in the work dir, which the engine then collects. */
function symlinkPlanter(hostFile: string): LanguageDefinition {
  const script = [
    'ln -s /etc/shadow shadow-link',
    `ln -s ${hostFile} host-file-link`,
    'ln -s /proc/self/environ environ-link',
    'ln -s / root-link',
    'mkdir -p sub && ln -s /etc/hostname sub/hostname-link',
    'mkfifo fifo',
    'echo built > artifact.txt',
  ].join(' && ');
  return {
    id: 'symlink-planter', aliases: [], displayName: 'Symlink planter', extensions: ['.sh'], versionCommand: ['sh', '-c', 'echo planter 1.0'], versionPattern: 'planter (\\d+\\.\\d+)',
    sourceFile: 'main.sh', compile: ['sh', '-c', script], run: ['sh', '{entry}'], debianPackages: ['dash'], editorMode: 'shell', helloWorld: 'echo "Hello, World!"',
  };
}

/**
 * A toolchain whose compile rewrites a submitted file it never declared in `compileOutputs`: the clash validation cannot
 * see coming, which the run stage must still settle (the compile's file wins) instead of failing to write both.
 */
const ARTIFACT_CLASH: LanguageDefinition = {
  id: 'artifact-clash', aliases: [], displayName: 'Artifact clash', extensions: ['.sh'], versionCommand: ['sh', '-c', 'echo clash 1.0'], versionPattern: 'clash (\\d+\\.\\d+)',
  sourceFile: 'main.sh', compile: ['sh', '-c', 'echo from the compile > data.txt && rm -f out && mkdir out && echo built > out/artifact'], run: ['sh', '{entry}'],
  debianPackages: ['dash'], editorMode: 'shell', helloWorld: 'echo "Hello, World!"',
};

interface Context {
  harness: TestEngine;
  /** A TCP port listening on the host's loopback. */
  hostPort: number;
  /** A config file of the "server", with the secret in it. */
  configFile: string;
}

interface Row {
  name: string;
  language: string;
  /** Fixture path under test/fixtures/programs, or inline files. */
  program: string | ((context: Context) => { name: string; content: string }[]);
  limits?: Partial<ResourceLimits>;
  args?: (context: Context) => string[];
  request?: Partial<ExecutionRequest>;
  verdict: Verdict | readonly Verdict[];
  /** Something run at the same time, e.g. an innocent program that must not be harmed. */
  alongside?: (context: Context) => Promise<void>;
  check?: (result: ExecutionResult, context: Context) => void | Promise<void>;
}

const innocentBystander = async ({ harness }: Context) => {
  const result = await harness.engine.execute(requestOf('bash', [{ name: 'main.sh', content: 'sleep 1; echo unharmed\n' }]));
  expect(result.stdout).toBe('unharmed\n');
  expect(result.verdict).toBe('accepted');
};

const ROWS: Row[] = [
  {
    name: 'an infinite loop', language: 'c', program: 'hostile/infinite-loop.c', verdict: 'time_limit_exceeded',
    check: (result) => {
      expect(result.message).toMatch(/CPU time limit/);
      expect(result.wallTimeMs).toBeLessThan(scaledMs(10_000));
    },
  },
  {
    name: 'sleep 1000', language: 'bash', program: 'hostile/sleep-forever.sh', limits: { wallTimeMs: scaledMs(1_500) }, verdict: 'time_limit_exceeded',
    check: (result) => {
      expect(result.message).toMatch(/wall-time limit/);
      expect(result.testCases[0]!.wallTimeMs).toBeLessThan(scaledMs(6_000));
    },
  },
  {
    name: 'a CPU burn in 8 threads', language: 'c', program: 'hostile/cpu-burn-threads.c', verdict: 'time_limit_exceeded',
    // Eight threads on two cores would reach 8x the limit if it were per thread; the total must stay near one limit.
    check: (result) => expect(result.cpuTimeMs).toBeLessThan(scaledMs(2_500)),
  },
  {
    name: 'a CPU burn in 8 processes', language: 'bash', program: 'hostile/cpu-burn-processes.sh', verdict: 'time_limit_exceeded',
    check: (result) => expect(result.cpuTimeMs).toBeLessThan(scaledMs(2_500)),
  },
  {
    name: 'a 2 GB allocation in C', language: 'c', program: 'hostile/allocate-2gb.c', verdict: 'memory_limit_exceeded',
    check: (result) => expect(result.message).toMatch(/memory limit of 128 MB/),
  },
  { name: 'a 2 GB allocation in Python', language: 'python', program: 'hostile/allocate-2gb.py', verdict: 'memory_limit_exceeded' },
  {
    name: 'a runaway JavaScript heap', language: 'javascript', verdict: 'memory_limit_exceeded', limits: { cpuTimeMs: scaledMs(5_000), wallTimeMs: scaledMs(10_000) },
    program: () => [{ name: 'main.js', content: 'const blocks = [];\nfor (;;) blocks.push(new Array(1 << 20).fill(blocks.length));\n' }],
  },
  { name: 'a 2 GB heap in Java', language: 'java', program: 'hostile/AllocateHeap.java', limits: { cpuTimeMs: scaledMs(5_000), wallTimeMs: scaledMs(10_000) }, verdict: 'memory_limit_exceeded' },
  {
    // Not stretched under emulation: the program's own `sleep 5` must outlast the wall limit, or a contained bomb exits 0.
    name: 'a shell fork bomb', language: 'bash', program: 'hostile/fork-bomb.sh', limits: { wallTimeMs: 3_000 }, verdict: ['time_limit_exceeded', 'runtime_error'],
    check: (result) => expect(result.testCases[0]!.wallTimeMs).toBeLessThan(scaledMs(15_000)),
  },
  { name: 'a fork loop in C', language: 'c', program: 'hostile/fork-bomb.c', limits: { wallTimeMs: scaledMs(3_000) }, verdict: ['time_limit_exceeded', 'runtime_error'] },
  {
    name: '1 GB of output', language: 'c', program: 'hostile/output-1gb.c', verdict: 'output_limit_exceeded',
    check: (result) => expect(Buffer.byteLength(result.stdout) + Buffer.byteLength(result.stderr)).toBeLessThanOrEqual(1_000_000 * 3),
  },
  {
    name: 'a 1 GB file written in C', language: 'c', program: 'hostile/disk-1gb.c', verdict: 'output_limit_exceeded',
    check: (result) => expect(result.message).toMatch(/disk write limit/),
  },
  {
    // Python ignores SIGXFSZ: the write fails with EFBIG and the uncaught error ends the program; still the same verdict.
    name: 'a 1 GB file written in Python', language: 'python', program: 'hostile/disk-1gb.py', verdict: 'output_limit_exceeded',
    check: (result) => expect(result.stderr).toMatch(/File too large/),
  },
  {
    name: 'many files filling the work dir', language: 'bash', program: 'hostile/disk-fill.sh', verdict: 'output_limit_exceeded',
    check: (result) => {
      expect(result.stderr).toMatch(/No space left on device/);
      expect(result.stdout).not.toContain('filled');
    },
  },
  {
    name: 'reading /etc/shadow, the server source and its config', language: 'python', program: 'hostile/read-paths.py', verdict: 'accepted',
    args: ({ configFile }) => ['/etc/shadow', join(REPO_ROOT, 'package.json'), join(REPO_ROOT, 'src/config/schema.ts'), configFile, `/proc/${process.pid}/environ`, '/root/.bashrc'],
    check: (result) => {
      expect(result.stdout).not.toContain('LEAKED');
      expect(result.stdout.trim().split('\n')).toHaveLength(6);
      expect(result.stdout).not.toContain(SECRET);
    },
  },
  {
    name: 'reading /proc/1/environ and every visible environment', language: 'python', program: 'hostile/dump-environment.py', verdict: 'accepted',
    check: (result) => {
      expect(result.stdout).toContain('ENV {');
      expect(result.stdout).not.toContain(SECRET);
      expect(result.stdout).not.toContain('RUNLANE_TEST_SERVER_SECRET');
      // Only the run's own processes are visible, never the host's.
      expect(Number(/^PIDS (\d+)$/m.exec(result.stdout)![1])).toBeLessThan(8);
    },
  },
  {
    name: 'a TCP connection and a DNS lookup', language: 'python', program: 'hostile/network.py', verdict: 'accepted', args: ({ hostPort }) => [String(hostPort)],
    check: (result) => {
      expect(result.stdout).not.toContain('CONNECTED');
      expect(result.stdout).toMatch(/^host: blocked/m);
      expect(result.stdout).toMatch(/^public: blocked/m);
      expect(result.stdout).toMatch(/^dns: blocked/m);
    },
  },
  {
    name: 'symlinks and a FIFO planted by the compile step', language: 'symlink-planter', verdict: 'accepted',
    program: () => [{ name: 'main.sh', content: 'ls -AR | sort\nfor f in *-link sub fifo; do [ -e "$f" ] && echo "present: $f"; done\ncat artifact.txt\ncat *-link sub/* 2>/dev/null\nexit 0\n' }],
    check: (result) => {
      expect(result.stdout).not.toContain('present:');
      expect(result.stdout).not.toContain('root:');
      expect(result.stdout).not.toContain(SECRET);
      expect(result.stdout).not.toContain('"name": "runlane"');
      expect(result.stdout).toContain('built');
      expect(result.compile?.verdict).toBe('accepted');
    },
  },
  {
    name: 'a submitted file the compile rewrites, and one where the compile puts a folder', language: 'artifact-clash', verdict: 'accepted',
    program: () => [
      { name: 'main.sh', content: 'cat data.txt out/artifact\nls -A | sort\n' },
      { name: 'data.txt', content: 'from the user\n' },
      { name: 'out', content: 'a file where the compile makes a folder\n' },
    ],
    check: (result) => expect(result.stdout).toBe('from the compile\nbuilt\ndata.txt\nmain.sh\nout\n'),
  },
  { name: 'kill -9 -1', language: 'bash', program: 'hostile/kill-everything.sh', verdict: ['accepted', 'runtime_error'], alongside: innocentBystander },
  { name: 'a shell daemon escaping with setsid', language: 'bash', program: 'hostile/daemonize.sh', verdict: 'accepted', check: (result) => expect(result.stdout).toBe('started\n') },
  { name: 'a double-forking C daemon', language: 'c', program: 'hostile/daemonize.c', verdict: 'accepted', check: (result) => expect(result.stdout).toBe('started\n') },
  {
    name: 'invalid UTF-8 output', language: 'python', program: 'hostile/invalid-utf8.py', verdict: 'accepted',
    check: (result) => {
      expect(result.stdout).toBe('ok \uFFFD\uFFFD \uFFFD(\n');
      expect(result.stderr).toBe('\uFFFDerr\n');
      expect(result.testCases[0]!.invalidUtf8).toBe(true);
    },
  },
  {
    name: 'invalid UTF-8 output asked as base64', language: 'python', program: 'hostile/invalid-utf8.py', verdict: 'accepted', request: { outputEncoding: 'base64' },
    check: (result) => expect(Buffer.from(result.stdout, 'base64')).toEqual(Buffer.from('6f6b20fffe20c3280a', 'hex')),
  },
  { name: 'no trailing newline', language: 'python', program: 'hostile/no-trailing-newline.py', verdict: 'accepted', request: { testCases: [{ stdin: '', expectedOutput: '42\n' }] } },
  {
    name: 'no trailing newline in exact mode', language: 'python', program: 'hostile/no-trailing-newline.py', verdict: 'wrong_answer',
    request: { testCases: [{ stdin: '', expectedOutput: '42\n' }], compareMode: 'exact' },
  },
  { name: 'a stack overflow', language: 'c', program: 'hostile/stack-overflow.c', verdict: 'runtime_error', check: (result) => expect(result.signal).toBe('SIGSEGV') },
  {
    name: 'a non-zero exit', language: 'python', program: 'hostile/exit-code.py', verdict: 'runtime_error',
    check: (result) => {
      expect(result.exitCode).toBe(3);
      expect(result.stdout).toBe('partial\n');
    },
  },
  {
    name: 'a compile error', language: 'c', program: 'hostile/compile-error.c', verdict: 'compilation_error',
    check: (result) => expect(result.stderr).toMatch(/compile-error\.c:\d+:\d+: error: expected/),
  },
];

const REFUSED: { name: string; request: ExecutionRequest; code: string }[] = [
  { name: 'an unknown language', request: requestOf('brainfuck', [{ name: 'main.bf', content: '+.' }]), code: 'RUNLANE_ERR_ENGINE_UNKNOWN_LANGUAGE' },
  { name: 'empty source', request: requestOf('python', [{ name: 'main.py', content: '' }]), code: 'RUNLANE_ERR_ENGINE_EMPTY_SOURCE' },
  { name: 'a file name escaping the work dir', request: requestOf('python', [{ name: '../../etc/cron.d/x', content: 'print(1)' }]), code: 'RUNLANE_ERR_ENGINE_BAD_FILE_NAME' },
  { name: 'a file name posing as a compiler flag', request: requestOf('c', [{ name: '-fplugin=x.c', content: 'int main(){}' }]), code: 'RUNLANE_ERR_ENGINE_BAD_FILE_NAME' },
  { name: 'a limit above the maximum', request: requestOf('python', [{ name: 'main.py', content: 'print(1)' }], { limits: { memoryMb: 1_000_000 } }), code: 'RUNLANE_ERR_HTTP_LIMIT_TOO_HIGH' },
];

const installed = new Set((await detectLanguages(CATALOGUE)).filter((language) => language.installed).map((language) => language.id));
installed.add('symlink-planter');
installed.add('artifact-clash');
for (const row of ROWS) if (!installed.has(row.language)) announceSkip(`hostile row "${row.name}"`, `${row.language} is not installed`);

const context = {} as Context;
let server: Server;
let configDir: string;

beforeAll(async () => {
  server = createServer((socket) => socket.end('hello from the host\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  configDir = await mkdtemp(join(tmpdir(), 'runlane-hostile-'));
  context.configFile = join(configDir, 'runlane.json');
  await writeFile(context.configFile, JSON.stringify({ auth: { jwtSecret: SECRET } }));
  context.hostPort = (server.address() as { port: number }).port;
  context.harness = await createTestEngine({ extraLanguages: [symlinkPlanter(join(REPO_ROOT, 'package.json')), ARTIFACT_CLASH] });
});

afterAll(async () => {
  if (context.harness) {
    // The sandbox keeps idle pre-created slots between runs; once closed, nothing of any run may remain.
    await context.harness.host.sandbox.close();
    expect(await context.harness.host.leftoverWorkDirs()).toEqual([]);
    expect(await context.harness.host.leftoverCgroups()).toEqual([]);
    await context.harness.dispose();
  }
  await new Promise((resolve) => server?.close(resolve));
  if (configDir) await rm(configDir, { recursive: true, force: true });
});

afterEach(async () => {
  // Teardown is part of every verdict: no process of the run may outlive it.
  expect(await context.harness.host.processesOfRuns()).toEqual([]);
});

describe('when a hostile or broken program runs', () => {
  for (const row of ROWS) {
    const expected = typeof row.verdict === 'string' ? [row.verdict] : row.verdict;
    it.skipIf(!installed.has(row.language))(`should contain ${row.name} (${expected.join(' or ')})`, async () => {
      const files = typeof row.program === 'string' ? [programFile(row.program)] : row.program(context);
      const request = requestOf(row.language, files, { limits: { ...HOSTILE_LIMITS, ...row.limits }, args: row.args?.(context) ?? [], ...row.request });
      const rssBefore = process.memoryUsage().rss;
      const [result] = await Promise.all([context.harness.engine.execute(request), row.alongside?.(context)]);
      expect(expected, `${result.verdict}: ${result.message}\n${result.stderr.slice(0, 500)}`).toContain(result.verdict);
      // However much the program writes, the server holds at most the output cap of it.
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(300 * 1024 * 1024);
      await row.check?.(result, context);
    });
  }
});

describe('when the request itself is bad', () => {
  for (const row of REFUSED) {
    it(`should refuse ${row.name} with ${row.code} before running anything`, async () => {
      const before = context.harness.specs.length;
      // The service normalises every request before the engine sees it; the engine trusts what it is given.
      await expect((async () => context.harness.engine.execute(context.harness.normalise(row.request)))()).rejects.toMatchObject({ code: row.code });
      expect(context.harness.specs.length).toBe(before);
    });
  }
});
