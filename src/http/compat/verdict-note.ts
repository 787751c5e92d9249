// The line a seed client shows for a run that did not succeed, in the words its own system used, instead of blank output.
import type { Verdict } from '../../domain/verdict.js';
import type { Submission } from '../../domain/submission.js';

/**
 * Whose words to use. Seed 000 (CodeRank) answered a timeout with exactly "Execution timeout", and its clients test for
 * it; the other seeds passed on an error message, so theirs name the verdict and the limit.
 */
export type VerdictWording = 'coderank' | 'plain';

/** What seed 000's executor returned when a run outlasted its timeout. */
export const CODERANK_TIMEOUT = 'Execution timeout';

const TITLES: Record<Exclude<Verdict, 'accepted'>, string> = {
  wrong_answer: 'Wrong answer',
  compilation_error: 'Compilation error',
  runtime_error: 'Runtime error',
  time_limit_exceeded: 'Time limit exceeded',
  memory_limit_exceeded: 'Memory limit exceeded',
  output_limit_exceeded: 'Output limit exceeded',
  internal_error: 'Internal error',
};

/**
 * The note for a finished submission that did not succeed (`Time limit exceeded: CPU time limit of 5000 ms exceeded`), the
 * service's reason for one it could not run, or null while it is accepted, queued or running.
 */
export function verdictNote(submission: Submission, wording: VerdictWording): string | null {
  if (submission.status === 'failed') return `${TITLES.internal_error}: ${submission.error ?? 'the service could not run it'}`;
  if (submission.status === 'cancelled') return `Cancelled: ${submission.error ?? 'cancelled'}`;
  const verdict = submission.verdict;
  if (submission.status !== 'completed' || verdict === null || verdict === 'accepted') return null;
  if (verdict === 'time_limit_exceeded' && wording === 'coderank') return CODERANK_TIMEOUT;
  const message = submission.result?.message;
  return message ? `${TITLES[verdict]}: ${message}` : TITLES[verdict];
}

/** `output` followed by the note on a line of its own: what the program wrote is kept, and the reason is never missing. */
export function withNote(output: string, note: string | null): string {
  if (note === null) return output;
  if (output === '') return note;
  return `${output}${output.endsWith('\n') ? '' : '\n'}${note}`;
}
