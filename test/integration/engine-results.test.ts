// What a result says, through the real engine and sandbox: Java entry classes, signal names, time figures, toolchain version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGUE } from '../../src/languages/catalogue.js';
import { detectLanguages } from '../../src/languages/detect.js';
import { announceSkip } from '../fixtures/sandbox/harness.js';
import { createTestEngine, requestOf, type TestEngine } from '../fixtures/programs/engine-harness.js';

const detected = await detectLanguages(CATALOGUE);
const installed = new Set(detected.filter((language) => language.installed).map((language) => language.id));
for (const id of ['java', 'c', 'python']) if (!installed.has(id)) announceSkip(`${id} result tests`, 'toolchain not installed');
const whenInstalled = (id: string) => it.skipIf(!installed.has(id));

let harness: TestEngine;

beforeAll(async () => {
  harness = await createTestEngine();
});

afterAll(async () => {
  await harness?.dispose();
});

const MAIN_BODY = 'public static void main(String[] args) { System.out.println("started in " + new Object(){}.getClass().getEnclosingClass().getName()); }';

describe('when a Java program is not in Main.java', () => {
  whenInstalled('java')('should run `public class Solution` sent as bare source', async () => {
    const request = harness.normalise({ language: 'java', source: `import java.util.*;\n\npublic class Solution {\n    ${MAIN_BODY}\n}\n` });
    const result = await harness.engine.execute(request);
    expect(result.stderr).toBe('');
    expect(result.verdict).toBe('accepted');
    expect(result.stdout).toBe('started in Solution\n');
  });

  whenInstalled('java')('should start the class with main in a multi-file program, whichever file comes first', async () => {
    // No entry given: it defaults to the first file, which has no main; the class with main is found in the second.
    const request = harness.normalise({
      language: 'java',
      files: [
        { name: 'app/Greeter.java', content: 'package app;\n\npublic class Greeter {\n    static String greet(String name) { return "Hello, " + name; }\n}\n' },
        { name: 'app/Runner.java', content: 'package app;\n\npublic class Runner {\n    public static void main(String[] args) { System.out.println(Greeter.greet("Runner")); }\n}\n' },
      ],
    });
    const result = await harness.engine.execute(request);
    expect(result.stderr).toBe('');
    expect(result.verdict).toBe('accepted');
    expect(result.stdout).toBe('Hello, Runner\n');
  });

  whenInstalled('java')('should call a program without a main method a compilation error that says what to add', async () => {
    const request = harness.normalise({ language: 'java', source: 'public class Solution {\n    static int answer() { return 42; }\n}\n' });
    const result = await harness.engine.execute(request);
    expect(result.verdict).toBe('compilation_error');
    expect(result.compile?.verdict).toBe('compilation_error');
    expect(result.message).toMatch(/no class declares a main method.*public static void main\(String\[\] args\)/);
    expect(result.testCases).toEqual([]);
  });
});

describe('when a program is killed by a signal', () => {
  const rows: [signal: string, body: string][] = [
    ['SIGABRT', 'abort();'],
    ['SIGSEGV', 'raise(SIGSEGV);'],
    ['SIGFPE', 'raise(SIGFPE);'],
    ['SIGBUS', 'raise(SIGBUS);'],
  ];
  for (const [signal, body] of rows) {
    whenInstalled('c')(`should name ${signal} by its usual name`, async () => {
      const source = `#include <signal.h>\n#include <stdlib.h>\n\nint main(void) {\n    ${body}\n    return 0;\n}\n`;
      const result = await harness.engine.execute(harness.normalise({ language: 'c', source }));
      expect(result.verdict).toBe('runtime_error');
      expect(result.signal).toBe(signal);
      expect(result.testCases[0]!.signal).toBe(signal);
      expect(result.exitCode).toBeNull();
    });
  }
});

describe('when reading the time figures', () => {
  whenInstalled('c')('should measure CPU and wall time over the same runs, with CPU no more than wall time', async () => {
    const source = '#include <stdio.h>\nint main(void) {\n    volatile unsigned long x = 0;\n    for (unsigned long i = 0; i < 400000000UL; i++) x += i;\n    printf("%lu\\n", x > 0);\n    return 0;\n}\n';
    const request = harness.normalise({ language: 'c', source, testCases: [{ stdin: '', expectedOutput: '1' }, { stdin: '', expectedOutput: '1' }] });
    const result = await harness.engine.execute(request);
    expect(result.verdict).toBe('accepted');
    expect(result.testCases).toHaveLength(2);
    for (const testCase of result.testCases) {
      expect(testCase.cpuTimeMs).toBeGreaterThan(50);
      expect(testCase.wallTimeMs).toBeGreaterThan(0);
      // cgroup CPU accounting and the host's wall clock differ by a few ms of start-up; a CPU-bound single thread is never far above.
      expect(testCase.cpuTimeMs).toBeLessThanOrEqual(testCase.wallTimeMs + 20);
    }
    // The top-level figures cover the runs only, never the compile, each the largest over the test cases.
    expect(result.cpuTimeMs).toBe(Math.max(...result.testCases.map((testCase) => testCase.cpuTimeMs)));
    expect(result.wallTimeMs).toBe(Math.max(...result.testCases.map((testCase) => testCase.wallTimeMs)));
    expect(result.cpuTimeMs).toBeLessThanOrEqual(result.wallTimeMs + 20);
  });
});

describe('when reading which toolchain ran the program', () => {
  whenInstalled('python')('should carry the version detected at start-up', async () => {
    const python = harness.engine.languages().find((language) => language.id === 'python')!;
    const result = await harness.engine.execute(requestOf('python', [{ name: 'main.py', content: 'import sys\nprint("%d.%d.%d" % sys.version_info[:3])\n' }]));
    expect(python.version).toMatch(/^\d+\.\d+/);
    expect(result.toolchainVersion).toBe(python.version);
    expect(result.stdout.trim()).toBe(python.version);
  });
});
