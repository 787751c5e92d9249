// Process exit codes of the CLI: one per verdict class, plus codes for rejected input and an unusable host.
import type { Verdict } from '../domain/verdict.js';

/**
 * `runlane run` exits with the verdict's code, so scripts can branch on the outcome:
 * 0 accepted · 10 wrong answer · 11 compilation error · 12 runtime error · 13 time limit · 14 memory limit ·
 * 15 output limit · 20 internal error. Codes 1–3 are not about the program: see EXIT_CODES.
 */
export const VERDICT_EXIT_CODES: Readonly<Record<Verdict, number>> = {
  accepted: 0,
  wrong_answer: 10,
  compilation_error: 11,
  runtime_error: 12,
  time_limit_exceeded: 13,
  memory_limit_exceeded: 14,
  output_limit_exceeded: 15,
  internal_error: 20,
};

export const EXIT_CODES = {
  /** An unexpected failure of the CLI itself. */
  failure: 1,
  /** The command line or the request was refused (bad flag, unreadable file, unknown language, limit too high). */
  rejected: 2,
  /** This host cannot run programs (no bwrap, not root, invalid configuration). */
  unavailable: 3,
} as const;
