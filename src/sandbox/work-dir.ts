// A private, size-capped work dir: a tmpfs mounted on the host, owned by one pool uid, holding a run's /box, /tmp and /dev/shm.
import { execFile } from 'node:child_process';
import { chmod, chown, copyFile, lstat, mkdir, open, readdir, rm, rmdir, statfs, unlink } from 'node:fs/promises';
import { chownSync, closeSync, constants, fchmodSync, fchownSync, lstatSync, mkdirSync, opendirSync, openSync, readdirSync, rmdirSync, statfsSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SandboxFile } from './sandbox.js';
import { collectFiles, type CollectLimits } from './collect-files.js';
import { exportTree, fileMode } from './copy-files.js';
import { pruneToRegularFiles } from './prune-tree.js';
import type { ExportOptions } from './sandbox.js';
import { isCode } from './cgroup/cgroup-fs.js';

const run = promisify(execFile);

/** Inodes per work dir: enough for a Go or Java build, few enough that inode exhaustion stays cheap. */
const INODES_PER_WORK_DIR = 65_536;
/** The directories of an empty work dir, bound at /box, /tmp and /dev/shm. */
const RUN_DIRS = ['box', 'tmp', 'shm'] as const;
/** The file carrying a run's argv to its prologue, in the tmpfs root (never visible inside the sandbox). */
const ARGV_FILE = 'argv';
/** Input files up to this size are written with direct calls; larger ones through the thread pool, off the event loop. */
const DIRECT_WRITE_MAX_BYTES = 256 * 1024;
/** A reset removes up to this many entries with direct calls; a fuller tree goes through the thread pool. */
const DIRECT_RESET_MAX_ENTRIES = 64;
/** How the server creates a file in the work dir: O_EXCL | O_NOFOLLOW, so a repeated or crafted name can neither overwrite nor follow anything. */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
/** Errors that mean the tmpfs is full (bytes or inodes) or a file outgrew what the work dir can hold. */
const FULL_CODES = ['ENOSPC', 'EDQUOT', 'EFBIG'];

/** Tools and environment used to mount work dirs (resolved once at start-up). */
export interface WorkDirTools {
  mountPath: string;
  umountPath: string;
  /** Environment for the helper processes: a bare PATH, never the server's variables. */
  env: NodeJS.ProcessEnv;
}

/** The size a work dir of `sizeMb` is actually mounted with (whole MiB, at least 1). */
export function normaliseSize(sizeMb: number): number {
  return Math.max(1, Math.floor(sizeMb));
}

/** Validates a work-dir-relative path: not absolute, no `..`, no empty segment. */
export function isSafeRelativePath(path: string): boolean {
  if (path.length === 0 || path.startsWith('/') || path.includes('\0')) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}

/** True when an error says the work dir is full (no space, no inodes, or a file too large for it). */
export function isWorkDirFull(error: unknown): boolean {
  return FULL_CODES.some((code) => isCode(error, code));
}

/**
 * A work dir on the host: `boxDir` is bound at /box, `tmpDir` at /tmp and `shmDir` at /dev/shm, so all three share one
 * size cap. It belongs to one pool slot (one uid) and is emptied between runs; the tmpfs root itself is never visible
 * inside the sandbox, so nothing a run does survives `reset()`, and `verifyEmpty()` proves it.
 */
export class WorkDir {
  readonly boxDir: string;
  readonly tmpDir: string;
  readonly shmDir: string;
  /** Where the run's argv is written for its prologue. */
  readonly argvFile: string;
  private mounted = false;
  /** Blocks and inodes the tmpfs counts when it holds only the empty run dirs, measured once right after mounting. */
  private emptyUsage: { blocks: number; inodes: number } | null = null;

  private constructor(
    readonly root: string,
    private readonly uid: number,
    private readonly tools: WorkDirTools,
    private size: number,
  ) {
    this.boxDir = join(root, 'box');
    this.tmpDir = join(root, 'tmp');
    this.shmDir = join(root, 'shm');
    this.argvFile = join(root, ARGV_FILE);
  }

  /**
   * Mounts a fresh tmpfs of `sizeMb` at `<runsDir>/<runId>`, owned by `uid` with mode 0700 (other runs' uids cannot enter),
   * nosuid and nodev. /box, /tmp and /dev/shm share the one cap.
   */
  static async create(runsDir: string, name: string, uid: number, sizeMb: number, tools: WorkDirTools): Promise<WorkDir> {
    const size = normaliseSize(sizeMb);
    const dir = new WorkDir(join(runsDir, name), uid, tools, size);
    await mkdir(dir.root, { mode: 0o700 });
    try {
      const options = `size=${size}m,nr_inodes=${INODES_PER_WORK_DIR},mode=0700,uid=${uid},gid=${uid},nosuid,nodev`;
      await run(tools.mountPath, ['-t', 'tmpfs', '-o', options, 'runlane-run', dir.root], { env: tools.env });
      dir.mounted = true;
      dir.makeRunDirs();
      dir.emptyUsage = dir.usage();
      await dir.verifyEmpty();
    } catch (error) {
      await dir.destroy().catch(() => undefined);
      throw error;
    }
    return dir;
  }

  /** Size cap in MiB. */
  get sizeMb(): number {
    return this.size;
  }

  /** Changes the size cap (remount); only between runs, when the dir is empty. */
  async resize(sizeMb: number): Promise<void> {
    const size = normaliseSize(sizeMb);
    if (size === this.size) return;
    await run(this.tools.mountPath, ['-o', `remount,size=${size}m`, this.root], { env: this.tools.env });
    this.size = size;
  }

  /**
   * Empties the whole tmpfs after a run (every process of it is dead by then) and recreates the run dirs, then verifies
   * the result. Everything in the root goes, not only the run dirs: the argv file, and anything a failed set-up left.
   * The run dirs are recreated, not emptied: the program owned them and may have changed their mode, times or extended
   * attributes. fs.rm never follows symlinks, so links the program left behind are removed, not their targets.
   *
   * The common case (a few entries, empty dirs) is done with direct calls: on a tmpfs each is microseconds of kernel work,
   * where a thread-pool round trip costs the event loop more than the call itself, dozens of times per run. A tree the
   * program filled is removed through the thread pool, since its size is the program's choice.
   */
  async reset(): Promise<void> {
    const budget = { entries: DIRECT_RESET_MAX_ENTRIES };
    const removals: Promise<void>[] = [];
    for (const name of readdirSync(this.root)) {
      const path = join(this.root, name);
      if (!removeSmallTree(path, budget)) removals.push(rm(path, { recursive: true, force: true }));
    }
    await Promise.all(removals);
    this.makeRunDirs();
    await this.verifyEmpty();
  }

  /**
   * Throws unless the tmpfs holds exactly the empty run dirs, owned by the slot's uid with mode 0700, and the file system
   * counts no more inodes or blocks than it did freshly mounted (a file deleted while a process still holds it open would).
   * A handful of direct calls (see `reset`).
   */
  async verifyEmpty(): Promise<void> {
    const names = readdirSync(this.root).sort();
    if (names.join('/') !== [...RUN_DIRS].sort().join('/')) throw new Error(`work dir holds ${JSON.stringify(names)} instead of only the empty run dirs`);
    for (const name of RUN_DIRS) {
      const dir = join(this.root, name);
      const info = lstatSync(dir);
      if (!info.isDirectory() || info.uid !== this.uid || info.gid !== this.uid || (info.mode & 0o7777) !== 0o700) {
        throw new Error(`work dir entry ${name} is not a directory of uid ${this.uid} with mode 0700`);
      }
      const entries = readdirSync(dir);
      if (entries.length > 0) throw new Error(`work dir entry ${name} is not empty (${entries.length} entries)`);
    }
    if (!(await this.isPristine())) throw new Error('the work dir file system still counts files or data after it was emptied');
  }

  /** One statfs: true when the tmpfs uses no more blocks and inodes than freshly mounted (a cheap check before each hand-out). */
  async isPristine(): Promise<boolean> {
    const usage = this.usage();
    return this.emptyUsage !== null && usage.blocks === this.emptyUsage.blocks && usage.inodes === this.emptyUsage.inodes;
  }

  /** Bytes the files take beyond an empty work dir (tmpfs counts whole pages). */
  async usedBytes(): Promise<number> {
    const stats = await statfs(this.root);
    const blocks = stats.blocks - stats.bfree - (this.emptyUsage?.blocks ?? 0);
    return Math.max(0, blocks) * stats.bsize;
  }

  /** Empties /tmp and /dev/shm between two commands of a workspace (every process of the first is dead by then). */
  async clearScratch(): Promise<void> {
    await Promise.all(
      [this.tmpDir, this.shmDir].map(async (dir) => {
        await Promise.all((await readdir(dir)).map((name) => rm(join(dir, name), { recursive: true, force: true })));
      }),
    );
  }

  /** Removes the argv file if a failed set-up left it (the next command writes its own with O_EXCL). */
  async discardArgv(): Promise<void> {
    await rm(this.argvFile, { force: true });
  }

  /** Blocks and inodes in use (the block count survives a resize: only the total changes). One statfs. */
  private usage(): { blocks: number; inodes: number } {
    const stats = statfsSync(this.root);
    return { blocks: stats.blocks - stats.bfree, inodes: stats.files - stats.ffree };
  }

  private makeRunDirs(): void {
    for (const name of RUN_DIRS) {
      const sub = join(this.root, name);
      mkdirSync(sub, { mode: 0o700 });
      chownSync(sub, this.uid, this.uid);
    }
  }

  /** Writes the run's argv, NUL-terminated, for the prologue (root-owned, 0600, out of the sandbox's sight). */
  async writeArgv(argv: readonly string[]): Promise<void> {
    const content = Buffer.from(argv.map((arg) => `${arg}\0`).join(''), 'utf8');
    const handle = await open(this.argvFile, CREATE_NEW, 0o600);
    try {
      await handle.writeFile(content);
    } finally {
      await handle.close();
    }
  }

  /** Removes the argv file once the prologue has read it, giving its space back to the run. */
  async removeArgv(): Promise<void> {
    await unlink(this.argvFile);
  }

  /** Writes the run's input files into /box (before the program starts, so nothing in the dir can be a trap yet). */
  async writeFiles(files: readonly SandboxFile[]): Promise<void> {
    for (const file of files) {
      if (!isSafeRelativePath(file.path)) throw new Error(`unsafe file path: ${JSON.stringify(file.path)}`);
      const target = join(this.boxDir, file.path);
      await this.makeParents(dirname(file.path));
      if (file.content.length <= DIRECT_WRITE_MAX_BYTES) this.writeFileDirect(target, file);
      else await this.writeFilePooled(target, file);
    }
  }

  /** A small file in one go: open, write, chmod, chown and close are microseconds each on a tmpfs (see `reset`). */
  private writeFileDirect(target: string, file: SandboxFile): void {
    const mode = file.mode ?? 0o644;
    const fd = openSync(target, CREATE_NEW, mode);
    try {
      const { content } = file;
      for (let written = 0; written < content.length; ) written += writeSync(fd, content, written, content.length - written);
      fchmodSync(fd, mode);
      fchownSync(fd, this.uid, this.uid);
    } finally {
      closeSync(fd);
    }
  }

  private async writeFilePooled(target: string, file: SandboxFile): Promise<void> {
    const handle = await open(target, CREATE_NEW, file.mode ?? 0o644);
    try {
      await handle.writeFile(file.content);
      await handle.chmod(file.mode ?? 0o644);
      await handle.chown(this.uid, this.uid);
    } finally {
      await handle.close();
    }
  }

  /**
   * Copies files of a host directory the server owns into /box, as `writeFiles` writes them (O_EXCL, owned by the slot's
   * uid), without reading them into memory. Only before a program ran in the dir: parents are created, not checked.
   */
  async importFiles(sourceDir: string, paths: readonly string[]): Promise<void> {
    for (const path of paths) {
      if (!isSafeRelativePath(path)) throw new Error(`unsafe file path: ${JSON.stringify(path)}`);
      const source = join(sourceDir, path);
      const target = join(this.boxDir, path);
      await this.makeParents(dirname(path));
      await copyFile(source, target, constants.COPYFILE_EXCL);
      await chmod(target, await fileMode(source));
      await chown(target, this.uid, this.uid);
    }
  }

  /** Leaves only regular files and the folders holding them in /box (between commands, when no process is left). */
  async pruneBox(): Promise<void> {
    await pruneToRegularFiles(this.boxDir);
  }

  /** Copies the regular files of /box into a new host directory; see `exportTree`. */
  async exportFiles(targetDir: string, options: ExportOptions): Promise<string[]> {
    return exportTree(this.boxDir, targetDir, options);
  }

  /** Reads back the regular files of /box; symlinks and special files are skipped, never followed. */
  async collect(limits: CollectLimits): Promise<SandboxFile[]> {
    return collectFiles(this.boxDir, limits);
  }

  /**
   * Whether the run ran into a file-size cap: the tmpfs is (almost) full, out of inodes, or a file reached RLIMIT_FSIZE.
   * Used when a program failed without a signal (Python, for one, ignores SIGXFSZ and fails with EFBIG instead).
   */
  async hitFileSizeCap(fileSizeBytes: number): Promise<boolean> {
    const stats = await statfs(this.root);
    if (stats.bavail <= Math.ceil(stats.blocks / 100) || stats.ffree === 0) return true;
    const pending = [this.root];
    let visited = 0;
    while (pending.length > 0 && visited < 10_000) {
      const dir = pending.pop()!;
      for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
        visited++;
        const path = join(dir, entry.name);
        if (entry.isDirectory()) pending.push(path);
        else if (entry.isFile() && (await lstat(path)).size >= fileSizeBytes) return true;
      }
    }
    return false;
  }

  /** Unmounts the tmpfs (everything in it vanishes at once) and removes the mount point. */
  async destroy(): Promise<void> {
    if (this.mounted) {
      await this.unmount();
      this.mounted = false;
    }
    try {
      await rmdir(this.root);
    } catch (error) {
      if (isCode(error, 'ENOENT')) return;
      // Not a mount point any more but not empty: never recurse into a tree the program could have shaped unless unmounted.
      if (isCode(error, 'ENOTEMPTY')) await rm(this.root, { recursive: true, force: true });
      else throw error;
    }
  }

  private async unmount(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await run(this.tools.umountPath, [this.root], { env: this.tools.env });
        return;
      } catch (error) {
        // EBUSY right after a kill: an exiting process may still hold the mount for a moment.
        if (attempt >= 20) {
          await run(this.tools.umountPath, ['--lazy', this.root], { env: this.tools.env });
          throw new Error(`work dir ${this.root} was busy; detached it lazily`, { cause: error });
        }
        await sleep(attempt < 5 ? 5 : 25);
      }
    }
  }

  private async makeParents(relativeDir: string): Promise<void> {
    if (relativeDir === '.' || relativeDir === '') return;
    let current = this.boxDir;
    for (const segment of relativeDir.split('/')) {
      current = join(current, segment);
      try {
        await mkdir(current, { mode: 0o755 });
        await chown(current, this.uid, this.uid);
      } catch (error) {
        if (!isCode(error, 'EEXIST')) throw error;
      }
    }
  }
}

/**
 * Removes `path` (a file, a link, or a tree of at most `budget.entries` entries) with direct calls; returns false, with part
 * of it possibly removed, when the tree is larger than what is left of the budget (the caller removes the rest). Never
 * follows a symlink: lstat says what each entry is, and unlink removes the link itself. Directories are read entry by
 * entry, so one the program filled with tens of thousands of names costs the event loop no more than the budget.
 */
function removeSmallTree(path: string, budget: { entries: number }): boolean {
  if (--budget.entries < 0) return false;
  if (!lstatSync(path).isDirectory()) {
    unlinkSync(path);
    return true;
  }
  const dir = opendirSync(path);
  try {
    for (let entry = dir.readSync(); entry !== null; entry = dir.readSync()) {
      if (!removeSmallTree(join(path, entry.name), budget)) return false;
    }
  } finally {
    dir.closeSync();
  }
  try {
    rmdirSync(path);
  } catch (error) {
    // An entry the listing did not show: the caller's recursive removal takes what is left.
    if (isCode(error, 'ENOTEMPTY')) return false;
    throw error;
  }
  return true;
}
