// Who may read what: executions are private to their owner and staff, except in rooms, whose members share them live anyway.
import type { Identity, Role } from './identity.js';
import type { ExecutionResult, TestCaseResult } from './result.js';
import type { Submission } from './submission.js';

const STAFF: readonly Role[] = ['teacher', 'admin'];

/** The parts of an execution the rules look at. */
export interface OwnedExecution {
  user: { userId: string };
  roomId: string | null;
}

/** Teachers and admins see every execution (they grade and supervise). */
export function isStaff(viewer: Identity): boolean {
  return STAFF.includes(viewer.role);
}

/** An execution is visible to its owner, to staff, and to anyone when it was run in a room. */
export function canViewExecution(viewer: Identity, execution: OwnedExecution): boolean {
  return execution.user.userId === viewer.userId || isStaff(viewer) || execution.roomId !== null;
}

/** Source, stdin, args, test inputs and expected outputs belong to the author; staff see them to grade. */
export function canViewPrivateParts(viewer: Identity, execution: OwnedExecution): boolean {
  return execution.user.userId === viewer.userId || isStaff(viewer);
}

/** A user's history lists executions outside rooms too, so only the user and staff may read it. */
export function canViewUserHistory(viewer: Identity, userId: string): boolean {
  return viewer.userId === userId || isStaff(viewer);
}

/**
 * Queue listings name the viewer's own work, room work (room members see it live) and, for staff, everything.
 * Someone else's private execution is left out and only counted, so its id and correlationId stay unknown.
 */
export function queueEntriesVisibleTo<T extends { userId: string; roomId: string | null }>(viewer: Identity, entries: readonly T[]): T[] {
  if (isStaff(viewer)) return [...entries];
  return entries.filter((entry) => entry.userId === viewer.userId || entry.roomId !== null);
}

/** What one viewer may read of a visible execution. */
export interface ExecutionView {
  /** The submission itself for its author and staff, else a copy without its private parts. */
  submission: Submission;
  /** True when the private parts (source, stdin, args, test inputs, expected outputs) are included. */
  complete: boolean;
}

/** The one place that decides which parts of an execution a viewer gets; every read path goes through it. */
export function viewExecution(viewer: Identity, submission: Submission): ExecutionView {
  if (canViewPrivateParts(viewer, submission)) return { submission, complete: true };
  return { submission: redactSubmission(submission), complete: false };
}

/**
 * An execution as others see it: who, when, language, verdicts and figures, without source, stdin, args, test inputs or
 * expected outputs. A run judged against an expected output also loses its stdout/stderr, since an accepted run's output
 * is its expected output.
 */
export function redactSubmission(submission: Submission): Submission {
  const { request } = submission;
  return {
    ...submission,
    request: {
      ...request,
      files: [],
      stdin: '',
      args: [],
      testCases: request.testCases.map(() => ({ stdin: '', expectedOutput: null })),
    },
    result: submission.result ? redactResult(submission.result) : null,
  };
}

/** A result as others see it (see {@link redactSubmission}); also what a room hears live. */
export function redactResult(result: ExecutionResult): ExecutionResult {
  const first = result.testCases[0];
  // The top-level output copies the first run's, so it is hidden exactly when that run's is.
  const outputs = first && isJudged(first) ? { stdout: '', stderr: '' } : {};
  return { ...result, ...outputs, testCases: result.testCases.map(redactTestCase) };
}

function redactTestCase(testCase: TestCaseResult): TestCaseResult {
  if (!isJudged(testCase)) return testCase;
  return { ...testCase, stdout: '', stderr: '', expectedOutput: null };
}

function isJudged(testCase: TestCaseResult): boolean {
  return testCase.expectedOutput !== null;
}
