// Shared pieces of the seed-compatible routes: code + language bodies as submissions, output text, waiting for a slot.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Identity } from '../../domain/identity.js';
import type { Submission } from '../../domain/submission.js';
import { isAppError, QUEUE_ERRORS } from '../../errors/index.js';
import type { SubmissionService } from '../../submissions/submission-service.js';
import type { RunOutcome, SubmitInput } from '../../submissions/types.js';
import { requestFromDraft } from '../../submissions/normalise-request.js';
import { verdictNote, withNote, type VerdictWording } from './verdict-note.js';

/** What every seed's run request boils down to. */
export interface CompatRun {
  code: string;
  language: string;
  stdin?: string | undefined;
  roomId?: string | null | undefined;
  correlationId?: string | null | undefined;
  title?: string | null | undefined;
}

/** A single-file submission with default limits, as the seed systems ran code. */
export function compatInput(run: CompatRun, user: Identity, service: SubmissionService): SubmitInput {
  return {
    request: requestFromDraft({ language: run.language, source: run.code, stdin: run.stdin }, service.languages()),
    user,
    roomId: run.roomId ?? null,
    priorityKind: 'run',
    correlationId: run.correlationId ?? null,
    title: run.title ?? null,
  };
}

/**
 * What the seed clients show as "output": stdout then stderr, as Piston's combined output did; the compiler's messages for a
 * compilation error; then, for a run that did not succeed, a line saying why (see `verdictNote`), so a timeout or a
 * crash that printed nothing is never a blank output. The service's reason when it could not run it.
 */
export function combinedOutput(submission: Submission, wording: VerdictWording = 'plain'): string {
  const result = submission.result;
  if (!result) return verdictNote(submission, wording) ?? submission.error ?? '';
  if (result.verdict === 'compilation_error' && result.compile) {
    // The compiler's messages say what is wrong; the note is only for a compiler that failed without a word.
    const messages = result.compile.stdout + result.compile.stderr;
    return messages === '' ? withNote('', verdictNote(submission, wording)) : messages;
  }
  return withNote(result.stdout + result.stderr, verdictNote(submission, wording));
}

/**
 * Whether `combinedOutput` is not all the program wrote: cut to the submission output cap, or, for history entries,
 * to the preview (the whole result is read by id).
 */
export function outputTruncated(submission: Submission): boolean {
  return submission.result?.outputTruncated === true;
}

/** Milliseconds the program ran (compile and runs), rounded; 0 before it has run. */
export function executionTimeMs(submission: Submission): number {
  return Math.round(submission.result?.wallTimeMs ?? 0);
}

/** The seeds' notion of success: the program ran and was accepted. */
export function succeeded(submission: Submission): boolean {
  return submission.status === 'completed' && submission.verdict === 'accepted';
}

const ADMISSION_POLL_MS = 100;
const RETRIED_CODES = new Set([QUEUE_ERRORS.userBusy.code, QUEUE_ERRORS.roomQueueFull.code]);

/**
 * Runs synchronously like the seed routes did: a busy room or user is waited for (up to `admissionWaitMs`, as seed 003
 * waited for its room lock) instead of refused at once, then the submission is awaited. Returns the submission as it
 * stands when the wait ends; the 429 is passed on when the room or user stays busy for the whole wait.
 */
export async function runWhenAdmitted(service: SubmissionService, input: SubmitInput, admissionWaitMs: number): Promise<RunOutcome> {
  const deadline = Date.now() + admissionWaitMs;
  for (;;) {
    try {
      return await service.run(input);
    } catch (error) {
      if (!isAppError(error) || !RETRIED_CODES.has(error.code) || Date.now() + ADMISSION_POLL_MS > deadline) throw error;
      await sleep(ADMISSION_POLL_MS);
    }
  }
}
