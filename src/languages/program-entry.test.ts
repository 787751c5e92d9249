// Where a Java program starts: files named after their public class, the class declaring main, and no main at all.
import { describe, expect, it } from 'vitest';
import { CATALOGUE } from './catalogue.js';
import { readJavaDeclarations } from './java-source.js';
import { resolveProgramEntry } from './program-entry.js';

const java = CATALOGUE.find((language) => language.id === 'java')!;
const python = CATALOGUE.find((language) => language.id === 'python')!;
const MAIN = 'public static void main(String[] args) { System.out.println("x"); }';

describe('when reading a Java source', () => {
  it('should find the package, the public type and the classes declaring main', () => {
    const source = `package com.example.app;\nimport java.util.*;\nclass Helper { void main() {} }\npublic final class Solution {\n  ${MAIN}\n  static class Inner { ${MAIN} }\n}\n`;
    expect(readJavaDeclarations(source)).toEqual({ packageName: 'com.example.app', publicType: 'Solution', mainClasses: ['Solution'] });
  });

  it('should not be fooled by comments, strings and char literals', () => {
    const source = [
      '// public class Fake { public static void main(String[] a) {} }',
      '/* public class AlsoFake { */',
      'class Main {',
      '  static String brace = "{ public class InString";',
      "  static char c = '{';",
      '  static String block = """',
      '    } public class InBlock {',
      '    """;',
      `  static public void main(String... args) {}`,
      '}',
    ].join('\n');
    expect(readJavaDeclarations(source)).toEqual({ packageName: null, publicType: null, mainClasses: ['Main'] });
  });
});

describe('when resolving a Java program entry', () => {
  it('should name a single source after its public class and start that class', () => {
    const entry = resolveProgramEntry(java, [{ name: 'Main.java', content: `public class Solution { ${MAIN} }` }], 'Main.java');
    expect(entry).toEqual({ files: [{ name: 'Solution.java', content: `public class Solution { ${MAIN} }` }], entry: 'Solution.java', mainClass: 'Solution', problem: null });
  });

  it('should start the class declaring main when the entry file has none', () => {
    const files = [
      { name: 'Greeter.java', content: 'public class Greeter { static String hi() { return "hi"; } }' },
      { name: 'app/App.java', content: `package app;\npublic class App { ${MAIN} }` },
    ];
    expect(resolveProgramEntry(java, files, 'Greeter.java')).toMatchObject({ entry: 'app/App.java', mainClass: 'app.App', problem: null });
  });

  it("should prefer the entry file's class when several declare main", () => {
    const files = [
      { name: 'A.java', content: `public class A { ${MAIN} }` },
      { name: 'B.java', content: `public class B { ${MAIN} }` },
    ];
    expect(resolveProgramEntry(java, files, 'B.java')).toMatchObject({ entry: 'B.java', mainClass: 'B' });
  });

  it('should not rename a file onto another submitted file', () => {
    const files = [
      { name: 'Main.java', content: `public class Other { ${MAIN} }` },
      { name: 'Other.java', content: 'class Spare {}' },
    ];
    expect(resolveProgramEntry(java, files, 'Main.java').files.map((file) => file.name)).toEqual(['Main.java', 'Other.java']);
  });

  it('should report a program without main as a problem the client can fix', () => {
    const entry = resolveProgramEntry(java, [{ name: 'Main.java', content: 'public class Main { static int x; }' }], 'Main.java');
    expect(entry.mainClass).toBeNull();
    expect(entry.problem).toMatch(/public static void main\(String\[\] args\)/);
  });

  it('should leave languages without entry detection alone', () => {
    const files = [{ name: 'main.py', content: 'print(1)' }];
    expect(resolveProgramEntry(python, files, 'main.py')).toEqual({ files, entry: 'main.py', mainClass: null, problem: null });
  });
});
