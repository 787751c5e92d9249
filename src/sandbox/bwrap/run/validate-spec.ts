// Refuses a run spec the kernel, bwrap or the work dir could not honour, before any slot is touched.
import { AppError, SANDBOX_ERRORS } from '../../../errors/index.js';
import type { SandboxCommand, SandboxFile, SandboxRunSpec } from '../../sandbox.js';
import { isSafeRelativePath } from '../../work-dir.js';
import { bwrapOptions, sandboxEnv } from '../bwrap-argv.js';
import type { HostLayout } from '../host-layout.js';
import { stackKiB } from '../prologue.js';

/** Longest single argument or environment string execve accepts, NUL included (Linux MAX_ARG_STRLEN: 32 pages). */
export const MAX_ARG_STRLEN = 32 * 4096;
/** Most items bwrap parses from its command line and `--args` stream together (its MAX_ARGS). */
const BWRAP_MAX_ARGS = 9000;
/** Items of bwrap's own command line besides the program's argv: `bwrap --args 3 --`. */
const BWRAP_COMMAND_ITEMS = 4;
/** Room for what setpriv and bwrap add to an execve (their paths, options and environment), bytes. */
const EXEC_OVERHEAD_BYTES = 4096;

const bad = (message: string) => new AppError(SANDBOX_ERRORS.badSpec, message);

/** Throws a `badSpec` AppError naming the first problem, in words that never show host paths. */
export function validateSpec(spec: SandboxRunSpec, layout: Pick<HostLayout, 'systemArgs'>): void {
  validateFiles(spec.files ?? []);
  validateCommand(spec, layout);
}

/** Checks a command (argv, environment, exec size) the way `validateSpec` does, files aside. */
export function validateCommand(spec: SandboxCommand, layout: Pick<HostLayout, 'systemArgs'>): void {
  if (spec.argv.length === 0 || spec.argv[0] === '' || spec.argv.some((arg) => arg.includes('\0'))) throw bad('argv must name a program and be free of NUL bytes');
  let env: Record<string, string>;
  let optionCount: number;
  try {
    env = sandboxEnv(spec.env);
    optionCount = bwrapOptions({ systemArgs: layout.systemArgs, boxDir: '-', tmpDir: '-', shmDir: '-', env: spec.env, statusFd: 0, seccompFd: 0 }).length;
  } catch (error) {
    throw bad((error as Error).message);
  }
  checkExecSize(spec, env, optionCount);
}

/** Throws a `badSpec` AppError for an unsafe or repeated path, or one path used as a file and a folder. */
export function validateFiles(files: readonly Pick<SandboxFile, 'path'>[]): void {
  const paths = new Set<string>();
  for (const file of files) {
    if (!isSafeRelativePath(file.path)) throw bad(`unsafe file path ${JSON.stringify(file.path)}`);
    if (paths.has(file.path)) throw bad(`file ${JSON.stringify(file.path)} is given twice`);
    paths.add(file.path);
  }
  // `lib` and `lib/x` cannot both be written: one would have to be a file and a folder at once.
  for (const path of paths) {
    for (let slash = path.indexOf('/'); slash !== -1; slash = path.indexOf('/', slash + 1)) {
      if (paths.has(path.slice(0, slash))) throw bad(`file ${JSON.stringify(path.slice(0, slash))} is also used as a folder`);
    }
  }
}

/**
 * execve refuses (E2BIG) one string over MAX_ARG_STRLEN, and argv + environment over a quarter of the stack rlimit
 * (at least 128 KiB, at most 6 MiB); bwrap refuses more than 9000 items. Checked here, a clear error instead of a failed start.
 */
function checkExecSize(spec: SandboxCommand, env: Record<string, string>, optionCount: number): void {
  let bytes = EXEC_OVERHEAD_BYTES;
  for (const [index, arg] of spec.argv.entries()) {
    const length = Buffer.byteLength(arg, 'utf8');
    if (length >= MAX_ARG_STRLEN) throw bad(`argument ${index} is ${length} bytes long; one argument may have at most ${MAX_ARG_STRLEN - 1} bytes`);
    bytes += length + 1 + 8;
  }
  for (const [name, value] of Object.entries(env)) {
    const length = Buffer.byteLength(`${name}=${value}`, 'utf8');
    if (length >= MAX_ARG_STRLEN) throw bad(`environment variable ${name} is ${length} bytes long; one variable may have at most ${MAX_ARG_STRLEN - 1} bytes`);
    bytes += length + 1 + 8;
  }
  const stackBytes = stackKiB(spec.limits) * 1024;
  const limit = Math.max(MAX_ARG_STRLEN, Math.min(6 * 1024 * 1024, Math.floor(stackBytes / 4)));
  if (bytes > limit) throw bad(`arguments and environment take ${bytes} bytes; with a ${spec.limits.stackMb} MB stack a program can be given at most ${limit}`);
  const items = spec.argv.length + optionCount + BWRAP_COMMAND_ITEMS;
  if (items > BWRAP_MAX_ARGS) throw bad(`${spec.argv.length} arguments are too many; at most ${BWRAP_MAX_ARGS - optionCount - BWRAP_COMMAND_ITEMS} fit`);
}
