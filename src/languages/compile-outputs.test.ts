// Which submitted names clash with a compile's declared outputs.
import { describe, expect, it } from 'vitest';
import { compileOutputClash } from './compile-outputs.js';

const compiled = (compileOutputs: string[]) => ({ compile: ['cc'], compileOutputs });

describe('compileOutputClash', () => {
  describe('when a pattern is a plain path', () => {
    it('should match that path only', () => {
      expect(compileOutputClash(compiled(['main']), ['main.c', 'main'], ['main.c'])).toEqual({ name: 'main', pattern: 'main' });
      expect(compileOutputClash(compiled(['main']), ['main.c', 'sub/main', 'main.txt'], ['main.c'])).toBeNull();
    });
  });

  describe('when a pattern is an extension', () => {
    it('should match that extension in any folder', () => {
      expect(compileOutputClash(compiled(['*.class']), ['Main.java', 'pkg/Inner$1.class'], ['Main.java'])).toEqual({ name: 'pkg/Inner$1.class', pattern: '*.class' });
      expect(compileOutputClash(compiled(['*.class']), ['Main.java', 'classes.txt'], ['Main.java'])).toBeNull();
    });
  });

  describe('when a pattern sits beside each source', () => {
    it('should match the output of a source, not other files with the extension', () => {
      const pattern = ['{sourceStem}.js'];
      expect(compileOutputClash(compiled(pattern), ['main.ts', 'lib/u.ts', 'lib/u.js'], ['main.ts', 'lib/u.ts'])).toEqual({ name: 'lib/u.js', pattern: '{sourceStem}.js' });
      expect(compileOutputClash(compiled(pattern), ['main.ts', 'vendor.js'], ['main.ts'])).toBeNull();
    });
  });

  describe('when the language has no compile stage', () => {
    it('should never report a clash', () => {
      expect(compileOutputClash({ compile: null, compileOutputs: ['main'] }, ['main'], [])).toBeNull();
    });
  });
});
