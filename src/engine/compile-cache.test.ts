// The compile cache stores by content key, evicts least-recently-used entries by bytes, and shares in-flight work.
import { describe, expect, it } from 'vitest';
import type { ResourceLimits } from '../domain/limits.js';
import { CompileCache } from './compile-cache.js';
import { compileKey, type CompileKeyParts } from './compile-key.js';

const sized = (maxBytes: number) => new CompileCache<string>({ maxBytes, sizeOf: (value) => value.length });
const compute = (value: string, cacheable = true) => async () => ({ value, cacheable });

describe('when the same key is asked twice', () => {
  it('should compute once and answer the second from the cache', async () => {
    const cache = sized(100);
    let runs = 0;
    const first = await cache.getOrCompute('k', async () => ((runs += 1), { value: 'abc', cacheable: true }));
    const second = await cache.getOrCompute('k', async () => ((runs += 1), { value: 'xyz', cacheable: true }));
    expect(runs).toBe(1);
    expect(first).toEqual({ value: 'abc', cached: false });
    expect(second).toEqual({ value: 'abc', cached: true });
    expect(cache.stats()).toMatchObject({ entries: 1, bytes: 3, hits: 1, misses: 1 });
  });

  it('should share one in-flight computation between concurrent callers', async () => {
    const cache = sized(100);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let runs = 0;
    const slow = async () => {
      runs++;
      await gate;
      return { value: 'v', cacheable: true };
    };
    const lookups = [cache.getOrCompute('k', slow), cache.getOrCompute('k', slow), cache.getOrCompute('k', slow)];
    release();
    const results = await Promise.all(lookups);
    expect(runs).toBe(1);
    expect(results.map((result) => result.cached)).toEqual([false, true, true]);
    expect(cache.stats()).toMatchObject({ joins: 2, misses: 1 });
  });

  it('should not keep a value that is not cacheable, nor a failure', async () => {
    const cache = sized(100);
    await cache.getOrCompute('k', compute('flaky', false));
    await expect(cache.getOrCompute('f', async () => Promise.reject(new Error('sandbox down')))).rejects.toThrow('sandbox down');
    expect(cache.stats().entries).toBe(0);
    expect((await cache.getOrCompute('f', compute('ok'))).cached).toBe(false);
  });
});

describe('when the cache is full', () => {
  it('should evict the least recently used entries until the new one fits', async () => {
    const cache = sized(10);
    await cache.getOrCompute('a', compute('aaaa'));
    await cache.getOrCompute('b', compute('bbbb'));
    await cache.getOrCompute('a', compute('unused'));
    await cache.getOrCompute('c', compute('cccc'));
    expect((await cache.getOrCompute('a', compute('new'))).cached).toBe(true);
    expect((await cache.getOrCompute('b', compute('bbbb'))).cached).toBe(false);
    expect(cache.stats().bytes).toBeLessThanOrEqual(10);
    expect(cache.stats().evictions).toBeGreaterThanOrEqual(1);
  });

  it('should never store a value larger than the whole cache', async () => {
    const cache = sized(3);
    await cache.getOrCompute('big', compute('too big'));
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
  });
});

describe('when building keys', () => {
  const limits = { cpuTimeMs: 1, wallTimeMs: 2, memoryMb: 3, processes: 4, outputBytes: 5, fileSizeBytes: 6, workDirMb: 7, openFiles: 8, stackMb: 9 } satisfies ResourceLimits;
  const parts: CompileKeyParts = {
    languageId: 'c', version: '12.2.0', argv: ['gcc', 'main.c'], env: {}, files: [{ path: 'main.c', content: 'int main(){}' }], limits,
  };

  it('should be stable for the same content whatever the file order', () => {
    const twoFiles = { ...parts, files: [...parts.files, { path: 'a.h', content: '' }] };
    expect(compileKey(twoFiles)).toBe(compileKey({ ...twoFiles, files: [...twoFiles.files].reverse() }));
    expect(compileKey(parts)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should change with the version, a flag, a byte of source, a file name or a limit', () => {
    const base = compileKey(parts);
    expect(compileKey({ ...parts, version: '12.3.0' })).not.toBe(base);
    expect(compileKey({ ...parts, argv: ['gcc', '-O2', 'main.c'] })).not.toBe(base);
    expect(compileKey({ ...parts, files: [{ path: 'main.c', content: 'int main(){ }' }] })).not.toBe(base);
    expect(compileKey({ ...parts, files: [{ path: 'main2.c', content: 'int main(){}' }] })).not.toBe(base);
    expect(compileKey({ ...parts, limits: { ...limits, memoryMb: 4 } })).not.toBe(base);
  });

  it('should not confuse content moved across a file boundary', () => {
    const a = compileKey({ ...parts, files: [{ path: 'x', content: 'ab' }, { path: 'y', content: 'c' }] });
    const b = compileKey({ ...parts, files: [{ path: 'x', content: 'a' }, { path: 'y', content: 'bc' }] });
    expect(a).not.toBe(b);
  });
});
