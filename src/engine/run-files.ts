// Assembles the run stage's work dir from the sources and the compile's artifacts, and checks it fits the run's work dir.
import type { SandboxFile } from '../sandbox/sandbox.js';

/** tmpfs charges whole pages: a one-byte file costs 4 KiB. */
const PAGE_BYTES = 4096;

/**
 * The files of the run stage: the compile's artifacts, then every source none of them replaces. An artifact wins over a
 * source of the same path (the compile rewrote it) and over a source on a path it needs as a folder, or inside it: the
 * run then sees the work dir as the compile left it, and never two files with one name.
 */
export function runStageFiles(sources: readonly SandboxFile[], artifacts: readonly SandboxFile[]): SandboxFile[] {
  const taken = new Set(artifacts.map((file) => file.path));
  const folders = new Set(artifacts.flatMap((file) => parentFolders(file.path)));
  const kept = sources.filter((file) => !taken.has(file.path) && !folders.has(file.path) && !parentFolders(file.path).some((folder) => taken.has(folder)));
  return [...artifacts, ...kept];
}

/** Bytes the files take on the run's tmpfs, every file rounded up to whole pages. */
export function workDirBytes(files: readonly SandboxFile[]): number {
  return files.reduce((sum, file) => sum + Math.ceil(file.content.length / PAGE_BYTES) * PAGE_BYTES, 0);
}

function parentFolders(path: string): string[] {
  const folders: string[] = [];
  for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) folders.push(path.slice(0, slash));
  return folders;
}
