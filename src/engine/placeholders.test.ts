// Placeholder expansion turns catalogue templates into argv without a shell.
import { describe, expect, it } from 'vitest';
import { entryStem, expandCommand } from './placeholders.js';

const values = { entry: 'src/Main.java', sources: ['src/Main.java', 'Util.java'], memoryMb: 256 };

describe('when expanding a command', () => {
  it('should substitute placeholders inside arguments', () => {
    expect(expandCommand(['java', '-Xmx{memoryMb}m', '{entryStem}'], values)).toEqual(['java', '-Xmx256m', 'src/Main']);
  });

  it('should expand {sources} into one argument per file', () => {
    expect(expandCommand(['javac', '-d', '.', '{sources}'], values)).toEqual(['javac', '-d', '.', 'src/Main.java', 'Util.java']);
    expect(expandCommand(['cc', '{sources}', '-lm'], { ...values, sources: [] })).toEqual(['cc', '-lm']);
  });

  it('should keep names with spaces or shell characters as single arguments', () => {
    expect(expandCommand(['python3', '{entry}'], { ...values, entry: 'a b;rm -rf.py' })).toEqual(['python3', 'a b;rm -rf.py']);
  });

  it('should refuse an unknown placeholder', () => {
    expect(() => expandCommand(['x', '{nope}'], values)).toThrow(/unknown placeholder/);
  });
});

describe('when taking the stem of an entry', () => {
  it('should drop only the last extension of the file name', () => {
    expect(entryStem('main.py')).toBe('main');
    expect(entryStem('a.b/c.d.ts')).toBe('a.b/c.d');
    expect(entryStem('dir.x/main')).toBe('dir.x/main');
    expect(entryStem('.hidden')).toBe('.hidden');
  });
});
