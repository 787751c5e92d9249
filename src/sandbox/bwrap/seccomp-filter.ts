// Finds and checks the seccomp filter (built from native/seccomp-filter.c by scripts/setup.sh) bwrap loads into every run.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError, SANDBOX_ERRORS } from '../../errors/index.js';

/** Where scripts/setup.sh writes the filter; the same relative path from src/ and from the built dist/. */
export const DEFAULT_SECCOMP_FILTER = fileURLToPath(new URL('../../../native/build/seccomp.bpf', import.meta.url));

/** A classic BPF program is a sequence of 8-byte instructions, at most BPF_MAXINSNS (4096) of them. */
const BPF_INSTRUCTION_BYTES = 8;
const BPF_MAX_INSTRUCTIONS = 4096;
/** Its first instruction must load the architecture (`ld [4]`), as every libseccomp filter does, so a stray file is refused. */
const LOAD_ARCH = { code: 0x20, k: 4 };

/**
 * Checks the filter at start-up and returns its absolute path (each run's prologue opens it for bwrap's `--seccomp`).
 * Refuses, with the command that builds it, when it is missing or not a libseccomp BPF program.
 */
export async function loadSeccompFilter(path: string = DEFAULT_SECCOMP_FILTER): Promise<string> {
  const absolute = resolve(path);
  const fix = 'run `bash scripts/setup.sh` (it installs libseccomp-dev and builds the filter)';
  let program: Buffer;
  try {
    program = await readFile(absolute);
  } catch (error) {
    throw new AppError(SANDBOX_ERRORS.seccompMissing, `the seccomp filter ${absolute} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): ${fix}`, { cause: error });
  }
  const instructions = program.length / BPF_INSTRUCTION_BYTES;
  const valid =
    Number.isInteger(instructions) && instructions > 0 && instructions <= BPF_MAX_INSTRUCTIONS &&
    program.readUInt16LE(0) === LOAD_ARCH.code && program.readUInt32LE(4) === LOAD_ARCH.k;
  if (!valid) throw new AppError(SANDBOX_ERRORS.seccompMissing, `${absolute} is not a seccomp filter built by native/seccomp-filter.c: ${fix}`);
  return absolute;
}
