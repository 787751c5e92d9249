// Which of a compile's inputs a cache hit writes beside the cached artifacts, so its work dir is the one the compile left.
import type { SandboxFile } from '../sandbox/sandbox.js';

/**
 * The inputs none of the artifacts replaces. An artifact wins over an input of the same path (the compile rewrote it)
 * and over an input on a path it needs as a folder, or inside it: the run then sees the work dir as the compile left it,
 * and never two files with one name.
 */
export function runStageFiles(inputs: readonly SandboxFile[], artifactPaths: readonly string[]): SandboxFile[] {
  const taken = new Set(artifactPaths);
  const folders = new Set(artifactPaths.flatMap((path) => parentFolders(path)));
  return inputs.filter((file) => !taken.has(file.path) && !folders.has(file.path) && !parentFolders(file.path).some((folder) => taken.has(folder)));
}

function parentFolders(path: string): string[] {
  const folders: string[] = [];
  for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) folders.push(path.slice(0, slash));
  return folders;
}
