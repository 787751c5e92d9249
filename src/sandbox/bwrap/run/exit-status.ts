// Maps what the host sees of bwrap's exit to the program's exit code or signal.
import { constants } from 'node:os';

const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

/** A program's end as reported to callers. */
export interface ExitStatus {
  exitCode: number | null;
  signal: string | null;
}

/** Signal name for a number, e.g. 9 → `SIGKILL`; null when unknown. */
export function signalName(number: number): string | null {
  return SIGNAL_NAMES.get(number) ?? null;
}

/**
 * bwrap exits with the program's code, or 128 + N when the program was killed by signal N; a program that itself calls
 * exit(128 + N) therefore reads as killed by signal N. The ambiguity is inherent to bwrap and documented in docs/sandbox.md.
 * When bwrap itself was killed (by the run's teardown or an OOM group kill), Node reports the signal directly.
 */
export function interpretExit(code: number | null, signal: NodeJS.Signals | null): ExitStatus {
  if (signal !== null) return { exitCode: null, signal };
  if (code === null) return { exitCode: null, signal: null };
  if (code > 128 && code < 128 + 65) {
    const name = signalName(code - 128);
    if (name) return { exitCode: null, signal: name };
  }
  return { exitCode: code, signal: null };
}
