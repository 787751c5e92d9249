// The sandbox refuses to start without a seccomp filter that looks like one libseccomp built.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSeccompFilter } from './seccomp-filter.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'runlane-seccomp-'));
});
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** `ld [4]` (load the architecture) then `ret ALLOW`: the smallest program shaped like a libseccomp filter. */
function program(): Buffer {
  const buffer = Buffer.alloc(16);
  buffer.writeUInt16LE(0x20, 0);
  buffer.writeUInt32LE(4, 4);
  buffer.writeUInt16LE(0x06, 8);
  buffer.writeUInt32LE(0x7fff0000, 12);
  return buffer;
}

describe('loadSeccompFilter', () => {
  describe('when the filter is a BPF program', () => {
    it('should return its absolute path', async () => {
      await writeFile(join(dir, 'good.bpf'), program());
      expect(await loadSeccompFilter(join(dir, 'good.bpf'))).toBe(join(dir, 'good.bpf'));
    });
  });

  describe('when the filter is missing, empty, cut short or something else', () => {
    it.each([
      ['missing', null],
      ['empty', Buffer.alloc(0)],
      ['cut short', program().subarray(0, 12)],
      ['not starting with the architecture check', Buffer.concat([program().subarray(8), program().subarray(0, 8)])],
    ])('should refuse a %s file and say how to build it', async (name, content) => {
      const path = join(dir, `${name.replaceAll(' ', '-')}.bpf`);
      if (content) await writeFile(path, content);
      await expect(loadSeccompFilter(path)).rejects.toMatchObject({ code: 'RUNLANE_ERR_SANDBOX_SECCOMP_MISSING', message: expect.stringContaining('scripts/setup.sh') });
    });
  });
});
