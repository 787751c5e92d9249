// Which inputs a cache hit writes beside the cached artifacts: artifacts win every clash with an input.
import { describe, expect, it } from 'vitest';
import { runStageFiles } from './run-files.js';

const file = (path: string, content = path) => ({ path, content: Buffer.from(content) });
const paths = (files: { path: string; content: Buffer }[]) => files.map((entry) => `${entry.path}=${entry.content.toString()}`).sort();

describe('runStageFiles', () => {
  describe('when no artifact clashes with an input', () => {
    it('should keep every input', () => {
      expect(paths(runStageFiles([file('main.c'), file('data.txt')], ['main']))).toEqual(['data.txt=data.txt', 'main.c=main.c']);
    });
  });

  describe('when an artifact has an input\'s path, or needs it as a folder, or is where an input\'s folder was', () => {
    it('should drop the input, so no path is written twice', () => {
      const inputs = [file('main.c'), file('main', 'user'), file('out', 'user file'), file('lib/util.c'), file('lib/deep/x.c')];
      expect(paths(runStageFiles(inputs, ['main', 'out/a.o', 'lib']))).toEqual(['main.c=main.c']);
    });
  });
});
