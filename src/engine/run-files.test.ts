// The run stage's files: artifacts win every clash with a source, and the work dir size counts whole pages.
import { describe, expect, it } from 'vitest';
import { runStageFiles, workDirBytes } from './run-files.js';

const file = (path: string, content = path) => ({ path, content: Buffer.from(content) });
const paths = (files: { path: string; content: Buffer }[]) => files.map((entry) => `${entry.path}=${entry.content.toString()}`).sort();

describe('runStageFiles', () => {
  describe('when no artifact clashes with a source', () => {
    it('should keep every source and every artifact', () => {
      expect(paths(runStageFiles([file('main.c'), file('data.txt')], [file('main', 'ELF')]))).toEqual(['data.txt=data.txt', 'main.c=main.c', 'main=ELF']);
    });
  });

  describe('when an artifact has a source\'s path, or needs it as a folder, or is where a source\'s folder was', () => {
    it('should keep the artifact and drop the source, so no path is written twice', () => {
      const sources = [file('main.c'), file('main', 'user'), file('out', 'user file'), file('lib/util.c'), file('lib/deep/x.c')];
      const artifacts = [file('main', 'ELF'), file('out/a.o', 'obj'), file('lib', 'a file now')];
      expect(paths(runStageFiles(sources, artifacts))).toEqual(['lib=a file now', 'main.c=main.c', 'main=ELF', 'out/a.o=obj']);
    });
  });
});

describe('workDirBytes', () => {
  it('should count every file as whole 4 KiB pages, as tmpfs charges them', () => {
    expect(workDirBytes([file('a', ''), file('b', 'x'), { path: 'c', content: Buffer.alloc(4097) }])).toBe(0 + 4096 + 8192);
  });
});
