// Maps what the host sees of bwrap's exit to the program's exit code or signal.
import { constants } from 'node:os';

/**
 * The usual name of each Linux signal. A reverse lookup of `os.constants.signals` returns whichever alias comes last
 * (`SIGIOT` for 6, `SIGPOLL` for 29), which is not the name people search for; this table fixes the choice.
 */
const PREFERRED_NAMES: readonly string[] = [
  '', 'SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGKILL', 'SIGUSR1', 'SIGSEGV',
  'SIGUSR2', 'SIGPIPE', 'SIGALRM', 'SIGTERM', 'SIGSTKFLT', 'SIGCHLD', 'SIGCONT', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU',
  'SIGURG', 'SIGXCPU', 'SIGXFSZ', 'SIGVTALRM', 'SIGPROF', 'SIGWINCH', 'SIGIO', 'SIGPWR', 'SIGSYS',
];

/** Aliases Node may report for a signal it saw itself, mapped to the name this module reports. */
const ALIASES: Readonly<Record<string, string>> = { SIGIOT: 'SIGABRT', SIGPOLL: 'SIGIO', SIGUNUSED: 'SIGSYS' };

const SIGNAL_NAMES = new Map<number, string>(Object.entries(constants.signals).map(([name, number]) => [number, ALIASES[name] ?? name]));
PREFERRED_NAMES.forEach((name, number) => {
  if (name) SIGNAL_NAMES.set(number, name);
});

/** A program's end as reported to callers. */
export interface ExitStatus {
  exitCode: number | null;
  signal: string | null;
}

/** Usual signal name for a number, e.g. 9 → `SIGKILL`, 6 → `SIGABRT` (never `SIGIOT`); null when unknown. */
export function signalName(number: number): string | null {
  return SIGNAL_NAMES.get(number) ?? null;
}

/**
 * bwrap exits with the program's code, or 128 + N when the program was killed by signal N; a program that itself calls
 * exit(128 + N) therefore reads as killed by signal N. The ambiguity is inherent to bwrap and documented in docs/sandbox.md.
 * When bwrap itself was killed (by the run's teardown or an OOM group kill), Node reports the signal directly.
 */
export function interpretExit(code: number | null, signal: NodeJS.Signals | null): ExitStatus {
  if (signal !== null) return { exitCode: null, signal: ALIASES[signal] ?? signal };
  if (code === null) return { exitCode: null, signal: null };
  if (code > 128 && code < 128 + 65) {
    const name = signalName(code - 128);
    if (name) return { exitCode: null, signal: name };
  }
  return { exitCode: code, signal: null };
}
