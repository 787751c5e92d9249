// Every installed language through the real engine and sandbox: hello world, stdin and args, multi-file, compile errors, test cases, cache.
import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/engine/engine.js';
import { CATALOGUE } from '../../src/languages/catalogue.js';
import { detectLanguages } from '../../src/languages/detect.js';
import { languageForFile } from '../../src/languages/lookup.js';
import { announceSkip } from '../fixtures/sandbox/harness.js';
import { createTestEngine, requestOf, type TestEngine } from '../fixtures/programs/engine-harness.js';
import { programFile, programFiles } from '../fixtures/programs/load-program.js';

const EXAMPLES = new URL('../../examples/', import.meta.url);
const ECHO_FILES: Record<string, string> = {
  python: 'echo.py', javascript: 'echo.mjs', typescript: 'echo.ts', c: 'echo.c', cpp: 'echo.cpp', java: 'Echo.java', go: 'echo.go', rust: 'echo.rs', ruby: 'echo.rb', bash: 'echo.sh',
};

// Known while collecting tests, so a missing toolchain shows up as skipped tests (and a loud notice), not as failures.
const detected = await detectLanguages(CATALOGUE);
const installed = new Set(detected.filter((language) => language.installed).map((language) => language.id));
for (const language of detected) if (!language.installed) announceSkip(`${language.displayName} tests`, language.unavailableReason ?? 'not installed');

let harness: TestEngine;

beforeAll(async () => {
  harness = await createTestEngine();
});

afterAll(async () => {
  await harness?.dispose();
});

const whenInstalled = (id: string) => it.skipIf(!installed.has(id));

describe('when running the hello world of every language', () => {
  const examples = readdirSync(EXAMPLES).filter((name) => name.startsWith('hello') || name.startsWith('Hello'));

  it('should have one example per catalogue language', () => {
    const covered = examples.map((name) => languageForFile(CATALOGUE, name)?.id);
    expect(covered.sort()).toEqual(CATALOGUE.map((language) => language.id).sort());
  });

  for (const name of examples) {
    const language = languageForFile(CATALOGUE, name)!.id;
    it.skipIf(!installed.has(language))(`should accept ${name} and print Hello, World!`, async () => {
      const content = readFileSync(new URL(name, EXAMPLES), 'utf8');
      const result = await harness.engine.execute(requestOf(language, [{ name, content }]));
      expect(result.stderr).toBe('');
      expect(result.verdict).toBe('accepted');
      expect(result.stdout).toBe('Hello, World!\n');
      expect(result.exitCode).toBe(0);
      expect(result.testCases).toHaveLength(1);
      expect(result.memoryKb).toBeGreaterThan(0);
    });
  }
});

describe('when a program reads stdin and gets arguments', () => {
  for (const [language, file] of Object.entries(ECHO_FILES)) {
    it.skipIf(!installed.has(language))(`should pass both to ${language}`, async () => {
      const request = requestOf(language, [programFile(`echo/${file}`)], { stdin: 'from stdin\nsecond line\n', args: ['one', 'two words', '--three'] });
      const result = await harness.engine.execute(request);
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('args=one,two words,--three\nstdin=from stdin\n');
      expect(result.verdict).toBe('accepted');
    });
  }
});

describe('when a submission has several files', () => {
  const rows: [language: string, entry: string, others: string[]][] = [
    ['python', 'main.py', ['greet.py']],
    ['c', 'main.c', ['greet.c', 'greet.h']],
    ['java', 'Main.java', ['Greeter.java']],
    ['go', 'main.go', ['greet.go']],
    ['rust', 'main.rs', ['greet.rs']],
    ['typescript', 'main.ts', ['greet.ts']],
  ];
  for (const [language, entry, others] of rows) {
    it.skipIf(!installed.has(language))(`should build and run ${language} from its entry file`, async () => {
      const files = programFiles(`multi-file/${language}`, entry, others);
      // The entry is named explicitly and sent last, so "first file" cannot be what makes it work.
      const result = await harness.engine.execute(requestOf(language, [...files.slice(1), files[0]!], { entry }));
      expect(result.stderr).toBe('');
      expect(result.stdout).toBe('Hello, World!\n');
      expect(result.verdict).toBe('accepted');
    });
  }
});

describe('when the program does not compile', () => {
  const rows: [language: string, name: string, content: string, message: RegExp][] = [
    ['c', 'main.c', 'int main(void) { return 0 }\n', /error: expected .;. before/],
    ['cpp', 'main.cpp', 'int main() { undeclared(); }\n', /undeclared/],
    ['java', 'Main.java', 'public class Main { void f() { int x = "s"; } }\n', /incompatible types/],
    ['rust', 'main.rs', 'fn main() { let x: i32 = "s"; }\n', /mismatched types/],
    ['go', 'main.go', 'package main\nfunc main() { undefinedThing() }\n', /undefined: undefinedThing/],
    ['typescript', 'main.ts', 'const n: number = "text";\n', /TS2322/],
  ];
  for (const [language, name, content, message] of rows) {
    it.skipIf(!installed.has(language))(`should return ${language}'s compiler message as compilation_error`, async () => {
      const result = await harness.engine.execute(requestOf(language, [{ name, content }]));
      expect(result.verdict).toBe('compilation_error');
      expect(result.compile?.verdict).toBe('compilation_error');
      expect(result.stderr).toMatch(message);
      expect(result.testCases).toEqual([]);
    });
  }
});

describe('when a submission has test cases', () => {
  const program = '#include <iostream>\nint main() { long a, b; std::cin >> a >> b; std::cout << a + b << "\\n"; }\n';

  whenInstalled('cpp')('should compile once, run every case and judge each', async () => {
    const events: EngineEvent[] = [];
    const before = harness.specs.length;
    const workspacesBefore = harness.workspaces();
    const testCases = [
      { stdin: '1 2', expectedOutput: '3' },
      { stdin: '10 20', expectedOutput: '30\n' },
      { stdin: '-5 5', expectedOutput: '0   \n\n' },
      { stdin: '2 2', expectedOutput: '5' },
      { stdin: '100 1', expectedOutput: '101' },
    ];
    const unique = `// ${Date.now()}\n${program}`;
    const result = await harness.engine.execute(requestOf('cpp', [{ name: 'sum.cpp', content: unique }], { testCases }), { onEvent: (event) => events.push(event) });
    const runs = harness.specs.slice(before);
    expect(runs.filter((spec) => spec.stage === 'compile')).toHaveLength(1);
    expect(runs.filter((spec) => spec.stage === 'run')).toHaveLength(5);
    // The compile's workspace runs its share where the program was built; two more lanes get it from the cache.
    expect(harness.workspaces() - workspacesBefore).toBe(3);
    expect(events.filter((event) => event.type === 'compile-finished')).toEqual([expect.objectContaining({ cached: false })]);
    expect(result.testCases.map((testCase) => testCase.verdict)).toEqual(['accepted', 'accepted', 'accepted', 'wrong_answer', 'accepted']);
    expect(result.testCases[3]).toMatchObject({ stdout: '4\n', expectedOutput: '5', index: 3 });
    expect(result.verdict).toBe('wrong_answer');
    expect(result.message).toMatch(/^test case 4: /);
  });

  whenInstalled('cpp')('should reuse the compiled program for an identical second submission', async () => {
    const content = `// cache ${Date.now()}\n${program}`;
    const request = requestOf('cpp', [{ name: 'sum.cpp', content }], { stdin: '2 3' });
    const first = await harness.engine.execute(request);
    const statsBefore = harness.engine.compileCacheStats();
    const before = harness.specs.length;
    const second = await harness.engine.execute(request);
    expect(first.compileCached).toBe(false);
    expect(second.compileCached).toBe(true);
    expect(second.stdout).toBe('5\n');
    expect(harness.specs.slice(before).filter((spec) => spec.stage === 'compile')).toHaveLength(0);
    expect(harness.engine.compileCacheStats().hits).toBe(statsBefore.hits + 1);
  });

  whenInstalled('c')('should compile concurrent identical submissions once', async () => {
    const content = `// concurrent ${Date.now()}\nint main(void) { return 0; }\n`;
    const before = harness.specs.length;
    const results = await Promise.all([1, 2, 3].map(() => harness.engine.execute(requestOf('c', [{ name: 'main.c', content }]))));
    expect(results.map((result) => result.verdict)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(harness.specs.slice(before).filter((spec) => spec.stage === 'compile')).toHaveLength(1);
    expect(results.filter((result) => result.compileCached)).toHaveLength(2);
  });
});

describe('when the JVM runs under the cgroup memory limit', () => {
  whenInstalled('java')('should let a program use most of its requested heap', async () => {
    const content = [
      'public class Main {',
      '  public static void main(String[] args) {',
      '    byte[][] blocks = new byte[96][];',
      '    for (int i = 0; i < blocks.length; i++) { blocks[i] = new byte[1 << 20]; blocks[i][0] = 1; }',
      '    System.out.println("held " + blocks.length + " MiB");',
      '  }',
      '}',
    ].join('\n');
    const result = await harness.engine.execute(requestOf('java', [{ name: 'Main.java', content }], { limits: { memoryMb: 128 } }));
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('held 96 MiB\n');
    expect(result.verdict).toBe('accepted');
  });
});

describe('when a program runs interactively', () => {
  whenInstalled('c')('should compile through the cache, stream stdin and stdout, and report the verdict', async () => {
    const content = `// interactive ${Date.now()}\n#include <stdio.h>\nint main(void) { char line[64]; while (fgets(line, sizeof line, stdin)) { printf("echo: %s", line); fflush(stdout); } return 0; }\n`;
    const started = await harness.engine.startInteractive(requestOf('c', [{ name: 'main.c', content }]));
    expect(started.compileError).toBeNull();
    const process = started.process!;
    let output = '';
    process.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    process.stdin.write('first\n');
    await expect.poll(() => output, { timeout: 10_000 }).toBe('echo: first\n');
    process.stdin.end('second\n');
    const outcome = await started.outcome;
    expect(output).toBe('echo: first\necho: second\n');
    expect(outcome).toMatchObject({ verdict: 'accepted', exitCode: 0, stdout: '' });
  });

  whenInstalled('c')('should hand back a compile error and start nothing', async () => {
    const started = await harness.engine.startInteractive(requestOf('c', [{ name: 'main.c', content: 'int main(void) { oops }\n' }]));
    expect(started.process).toBeNull();
    expect(started.compileError?.verdict).toBe('compilation_error');
    expect((await started.outcome).verdict).toBe('compilation_error');
  });
});
