// The one mapping from internal submissions to their public JSON: no source code, no internals, ISO dates.
import type { Identity } from '../../domain/identity.js';
import type { StageResult, TestCaseResult } from '../../domain/result.js';
import type { Submission } from '../../domain/submission.js';
import type { AcceptedJsonType, SubmissionJsonType } from '../../contract/rest/submission-response.js';
import { withPositionAlias } from '../../contract/seed-aliases.js';
import { priorityJson } from './queue-json.js';

/** Queue place of a submission that is still waiting, as the service reports it. */
export interface QueuePlace {
  position: number | null;
  roomPosition: number | null;
}

const NO_PLACE: QueuePlace = { position: null, roomPosition: null };

/** The user as shown to others: id, name, avatar; never the role. */
export function toPublicUser(user: Identity): { userId: string; displayName: string; avatar: string | null } {
  return { userId: user.userId, displayName: user.displayName, avatar: user.avatar };
}

/** Full public view of a submission; result fields are null until it has finished. */
export function toSubmissionJson(submission: Submission, place: QueuePlace = NO_PLACE): SubmissionJsonType {
  const result = submission.result;
  return withPositionAlias({
    id: submission.id,
    status: submission.status,
    verdict: submission.verdict,
    correlationId: submission.correlationId,
    roomId: submission.roomId,
    title: submission.title,
    priority: submission.priorityKind,
    priorityBoostedBy: priorityJson(submission.priority).priorityBoostedBy,
    user: toPublicUser(submission.user),
    language: submission.request.language,
    // The toolchain that ran it; until then (and for results kept before versions were) the version asked for, if any.
    version: result?.toolchainVersion ?? submission.request.version ?? null,
    queuePosition: submission.status === 'queued' ? place.position : null,
    roomPosition: submission.status === 'queued' ? place.roomPosition : null,
    stdout: result?.stdout ?? null,
    stderr: result?.stderr ?? null,
    exitCode: result?.exitCode ?? null,
    signal: result?.signal ?? null,
    cpuTimeMs: result?.cpuTimeMs ?? null,
    wallTimeMs: result?.wallTimeMs ?? null,
    memoryKb: result?.memoryKb ?? null,
    message: result?.message ?? submission.error,
    outputEncoding: submission.request.outputEncoding,
    outputTruncated: result?.outputTruncated === true,
    compile: result?.compile ? { ...toStageJson(result.compile), cached: result.compileCached } : null,
    testCases: (result?.testCases ?? []).map(toTestCaseJson),
    createdAt: submission.createdAt.toISOString(),
    startedAt: submission.startedAt?.toISOString() ?? null,
    finishedAt: submission.finishedAt?.toISOString() ?? null,
  });
}

/** The short body of an accepted (not yet finished) submission. */
export function toAcceptedJson(submission: Submission, place: QueuePlace): AcceptedJsonType {
  return withPositionAlias({
    id: submission.id,
    status: submission.status,
    queuePosition: submission.status === 'queued' ? place.position : null,
    roomPosition: submission.status === 'queued' ? place.roomPosition : null,
    correlationId: submission.correlationId,
  });
}

function toStageJson(stage: StageResult) {
  return {
    verdict: stage.verdict,
    stdout: stage.stdout,
    stderr: stage.stderr,
    exitCode: stage.exitCode,
    signal: stage.signal,
    cpuTimeMs: stage.cpuTimeMs,
    wallTimeMs: stage.wallTimeMs,
    memoryKb: stage.memoryKb,
    message: stage.message,
    invalidUtf8: stage.invalidUtf8,
    stdoutTruncated: stage.stdoutTruncated === true,
    stderrTruncated: stage.stderrTruncated === true,
  };
}

function toTestCaseJson(testCase: TestCaseResult) {
  return { index: testCase.index, ...toStageJson(testCase), expectedOutput: testCase.expectedOutput };
}
