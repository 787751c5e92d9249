// The open-file limit as /proc reports it, and the connection caps it bounds.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { connectionCap, parseSoftOpenFilesLimit, readSoftOpenFilesLimit } from './fd-budget.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max processes             63462                63462                processes
Max open files            20000                1048576              files
Max locked memory         8388608              8388608              bytes
`;

describe('parseSoftOpenFilesLimit', () => {
  it('should read the soft limit, not the hard one', () => {
    expect(parseSoftOpenFilesLimit(LIMITS)).toBe(20_000);
  });

  it('should give null for an unlimited or missing limit', () => {
    expect(parseSoftOpenFilesLimit(LIMITS.replace('20000  ', 'unlimited'))).toBeNull();
    expect(parseSoftOpenFilesLimit('Max processes 5 5 processes')).toBeNull();
  });
});

describe('readSoftOpenFilesLimit', () => {
  it('should read a limits file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'runlane-limits-'));
    try {
      writeFileSync(join(dir, 'limits'), LIMITS);
      expect(readSoftOpenFilesLimit(() => undefined, join(dir, 'limits'))).toBe(20_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should report a file it cannot read and give null', () => {
    const errors: unknown[] = [];
    expect(readSoftOpenFilesLimit((error) => errors.push(error), '/nonexistent/limits')).toBeNull();
    expect(errors).toHaveLength(1);
  });
});

describe('connectionCap', () => {
  it('should keep the configured cap when the limit leaves room for it', () => {
    expect(connectionCap(1000, 0.5, 20_000)).toBe(1000);
  });

  it('should lower the cap to the share of the limit', () => {
    expect(connectionCap(10_000, 0.5, 1024)).toBe(512);
    expect(connectionCap(20_000, 0.75, 1024)).toBe(768);
  });

  it('should keep the configured cap when the limit is unknown, and never go below 1', () => {
    expect(connectionCap(300, 0.5, null)).toBe(300);
    expect(connectionCap(300, 0.5, 1)).toBe(1);
  });
});
