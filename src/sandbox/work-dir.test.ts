// Which input file paths may be written into /box.
import { describe, expect, it } from 'vitest';
import { isSafeRelativePath } from './work-dir.js';

describe('isSafeRelativePath', () => {
  it('should accept plain relative paths', () => {
    for (const path of ['main.py', 'src/lib/util.py', 'Main.java', '.hidden']) expect(isSafeRelativePath(path)).toBe(true);
  });

  it('should refuse absolute paths, parent references, empty segments and NUL bytes', () => {
    for (const path of ['', '/etc/passwd', '../x', 'a/../../x', 'a//b', './a', 'a/.', 'a\0b']) expect(isSafeRelativePath(path)).toBe(false);
  });
});
