// Encodes a run for the resident's PID 1: one NUL-separated job payload carrying rlimits, output budget, argv and environment.

/** One program to run in a parked child. */
export interface ResidentJob {
  argv: readonly string[];
  /** The complete environment of the program (nothing is added). */
  env: Readonly<Record<string, string>>;
  /** Values as the prologue's go line has them, in bytes where it has KiB; null = not set. */
  rlimits: {
    cpuSeconds: number;
    fileSizeBytes: number;
    openFiles: number;
    stackBytes: number;
    addressSpaceBytes: number | null;
    processes: number | null;
  };
  /** Output budget: PID 1 forwards at most outputBytes + 1 bytes of stdout and stderr together. */
  outputBytes: number;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function count(name: string, value: number): string {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got ${value}`);
  return String(value);
}

function item(text: string, what: string): string {
  if (text.includes('\0')) throw new Error(`${what} contains a NUL byte`);
  return `${text}\0`;
}

/**
 * `cpu fsize nofile stack as|- nproc|- output argc envc\0`, then argc argv items and envc `NAME=value` items, each
 * NUL-terminated. Throws on a value PID 1 would refuse (it treats a malformed job as a server bug and stops).
 */
export function encodeJob(job: ResidentJob): Buffer {
  if (job.argv.length === 0 || job.argv[0] === '') throw new Error('a job needs a program');
  const { rlimits } = job;
  const header = [
    count('cpuSeconds', rlimits.cpuSeconds),
    count('fileSizeBytes', rlimits.fileSizeBytes),
    count('openFiles', rlimits.openFiles),
    count('stackBytes', rlimits.stackBytes),
    rlimits.addressSpaceBytes === null ? '-' : count('addressSpaceBytes', rlimits.addressSpaceBytes),
    rlimits.processes === null ? '-' : count('processes', rlimits.processes),
    count('outputBytes', job.outputBytes),
    job.argv.length,
    Object.keys(job.env).length,
  ].join(' ');
  const parts = [`${header}\0`, ...job.argv.map((arg) => item(arg, 'an argument'))];
  for (const [name, value] of Object.entries(job.env)) {
    if (!ENV_NAME.test(name)) throw new Error(`invalid environment variable name: ${JSON.stringify(name)}`);
    parts.push(item(`${name}=${value}`, `environment variable ${name}`));
  }
  return Buffer.from(parts.join(''), 'utf8');
}
