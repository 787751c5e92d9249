// Submissions: what a client asks to run, and the record the service keeps of it.

import type { Identity } from './identity.js';
import type { SubmissionStatus } from './lifecycle.js';
import type { ResourceLimits } from './limits.js';
import type { PriorityKind } from './priority.js';
import type { ExecutionResult, OutputEncoding } from './result.js';
import type { Verdict } from './verdict.js';

export interface SourceFile {
  /** Relative path inside the work dir, e.g. `main.py` or `lib/util.py`. */
  name: string;
  content: string;
}

export interface TestCase {
  stdin: string;
  /** When given, the run's stdout is compared with it and a mismatch is `wrong_answer`. */
  expectedOutput?: string | null;
}

/** `trimmed` ignores trailing whitespace on each line and at the end; `exact` compares bytes. */
export type CompareMode = 'trimmed' | 'exact';

/** A validated request to run code: the engine's input. */
export interface ExecutionRequest {
  language: string;
  version?: string | null;
  files: SourceFile[];
  /** Name of the file that is the program's entry point; defaults to the first file. */
  entry?: string | null;
  stdin: string;
  args: string[];
  testCases: TestCase[];
  limits: Partial<ResourceLimits>;
  compareMode: CompareMode;
  outputEncoding: OutputEncoding;
}

/** A submission as the scheduler and store see it. */
export interface Submission {
  id: string;
  correlationId: string;
  roomId: string | null;
  user: Identity;
  title: string | null;
  priorityKind: PriorityKind;
  priority: number;
  request: ExecutionRequest;
  status: SubmissionStatus;
  verdict: Verdict | null;
  result: ExecutionResult | null;
  /** Why the service could not run it (status `failed`) or who cancelled it. */
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  /**
   * Hash of what determines the run (request, room, priority kind, title), to tell an idempotent retry of the same
   * request from a different request reusing its correlationId. Absent on submissions stored before it was recorded.
   */
  fingerprint?: string;
}

/** A request with the defaults of everything optional: no stdin, args or test cases, default limits, trimmed comparison, UTF-8 output. */
export function executionRequest(language: string, files: SourceFile[], overrides: Partial<ExecutionRequest> = {}): ExecutionRequest {
  return { language, files, stdin: '', args: [], testCases: [], limits: {}, compareMode: 'trimmed', outputEncoding: 'utf8', ...overrides };
}
