// The realtime contract: event names and the payload of every event the server sends, as web clients may import them.
import type { LimitKey } from '../domain/limits.js';
import type { SeedExecutionAliases, SeedQueueEntryAliases, SeedResultStatus } from './seed-aliases.js';

/** Outcome of a program, as in REST (`docs/api.md`); only `internal_error` is the service's fault. */
export type VerdictName =
  | 'accepted'
  | 'wrong_answer'
  | 'compilation_error'
  | 'runtime_error'
  | 'time_limit_exceeded'
  | 'memory_limit_exceeded'
  | 'output_limit_exceeded'
  | 'internal_error';

/** Lifecycle of an execution. */
export type ExecutionStatus = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** A member of a room. */
export interface PresenceUser {
  userId: string;
  displayName: string;
  avatar: string | null;
  role: 'user' | 'teacher' | 'admin' | 'anonymous' | 'service';
  /** ISO time the user's first connection joined. */
  joinedAt: string;
  /** How many connections of the user are in the room. */
  connections: number;
}

/** One stage's outcome (the compile, or one run) as clients see it. */
export interface StagePayload {
  verdict: VerdictName;
  stdout: string;
  stderr: string;
  invalidUtf8: boolean;
  message: string | null;
  cpuTimeMs: number;
  wallTimeMs: number;
  memoryKb: number;
  exitCode: number | null;
  signal: string | null;
  /** Set when the text was cut (to the output budget or a preview); absent means complete. */
  stdoutTruncated?: boolean;
  stderrTruncated?: boolean;
}

/** Server → client event names. */
export const SERVER_EVENTS = {
  roomState: 'room-state',
  userJoined: 'user-joined',
  userLeft: 'user-left',
  codeUpdate: 'code-update',
  executionQueued: 'execution-queued',
  queuePosition: 'queue-position',
  executionStarted: 'execution-started',
  executionCompleted: 'execution-completed',
  /** Alias of `execution-completed` with the identical payload (same sequence); both seeds' clients listen to one of them. */
  executionResult: 'execution-result',
  executionFailed: 'execution-failed',
  executionCancelled: 'execution-cancelled',
  executionStatus: 'execution-status',
  executionHistory: 'execution-history',
  error: 'error',
  documentSync: 'yjs-sync',
  awareness: 'yjs-awareness',
} as const;

/** Client → server event names of the room namespace. */
export const CLIENT_EVENTS = [
  'join-room',
  'leave-room',
  'get-room-state',
  'code-change',
  'execute-code',
  'get-execution-status',
  'get-execution-history',
  'cancel-execution',
  'yjs-sync',
  'yjs-awareness',
] as const;

export type ClientEvent = (typeof CLIENT_EVENTS)[number];

/** Fields of every sequenced room event. */
export interface RoomEventBase {
  roomId: string;
  /** The room's event number: strictly increasing, no gaps, persisted across restarts. */
  sequence: number;
  /** ISO time the event was emitted. */
  timestamp: string;
}

/** Who ran what: carried by every execution event so a result is never attributed to the wrong user. */
export interface ExecutionAttribution {
  executionId: string;
  correlationId: string;
  userId: string;
  displayName: string;
  avatar: string | null;
  /** The catalogue id (`python`, `cpp`), whatever alias the submitter used. */
  language: string;
  timestamps: { queuedAt: string; startedAt: string | null; finishedAt: string | null };
}

/** An execution as listed in status and room-state snapshots; every execution event carries these fields. */
export interface ExecutionSummary extends ExecutionAttribution, SeedExecutionAliases {
  status: ExecutionStatus;
  /** 1-based place among the room's queued executions; null once running or outside a room. */
  roomPosition: number | null;
  /** 1-based place in the node's (later the cluster's) dispatch order; null once running. */
  queuePosition: number | null;
}

/** The ack of `execute-code`; the room hears about the execution through the execution events. */
export interface ExecuteCodeAck extends Pick<SeedExecutionAliases, 'position'> {
  executionId: string;
  correlationId: string;
  status: ExecutionStatus;
  /** 1-based place among the room's queued executions; null when it started at once. */
  roomPosition: number | null;
  /** 1-based place in the node's dispatch order; null when it started at once. */
  queuePosition: number | null;
  /** True when the correlationId matched an earlier execution, which is returned instead of running again. */
  duplicate: boolean;
}

export interface ExecutionQueuedEvent extends RoomEventBase, ExecutionSummary {}
export type QueuePositionEvent = ExecutionQueuedEvent;
export interface ExecutionStartedEvent extends RoomEventBase, ExecutionSummary {}

/** A test case as room members see it: without its expected output, which stays with the submitter. */
export interface RoomTestCaseResult extends StagePayload {
  index: number;
}

/**
 * A result as broadcast to a room: a preview whose output texts hold at most 32 KiB of characters together (cut texts
 * are marked `stdoutTruncated`/`stderrTruncated`, and `outputTruncated` is set), with no expected outputs.
 */
export interface RoomExecutionResult {
  verdict: VerdictName;
  compile: StagePayload | null;
  compileCached: boolean;
  testCases: RoomTestCaseResult[];
  /** Copies of the first (or only) run. */
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  cpuTimeMs: number;
  wallTimeMs: number;
  memoryKb: number;
  message: string | null;
  outputTruncated?: boolean;
  /** @deprecated `success` when the verdict is `accepted`, else `error`; kept for seed 001's clients, which read `result.status`. */
  status: SeedResultStatus;
}

export interface ExecutionCompletedEvent extends RoomEventBase, ExecutionSummary {
  verdict: VerdictName;
  /** True when the verdict is `accepted`. */
  success: boolean;
  /** Wall time of the execution (compile + runs), ms. */
  executionTime: number;
  /** stdout of the (first) run, under the name seed 003's clients read; part of the preview. */
  output: string;
  /** The preview left output out: read `GET /api/v1/submissions/:id` for all of it. */
  truncated: boolean;
  result: RoomExecutionResult;
}

export interface ExecutionFailedEvent extends RoomEventBase, ExecutionSummary {
  /** Why the service could not run it. */
  error: string;
}

export interface ExecutionCancelledEvent extends RoomEventBase, ExecutionSummary {
  cancelledBy: string;
}

/** An execution as listed in `queued` and `active`: with seed 001's `timestamp` (when it was requested). */
export interface ListedExecution extends ExecutionSummary, SeedQueueEntryAliases {}

export interface QueueFigures {
  queued: ListedExecution[];
  active: ListedExecution[];
  queueLength: number;
  activeCount: number;
  /** Executions running at once on the node. */
  maxConcurrent: number;
  /** Executions running at once in one room. */
  roomMaxConcurrent: number;
  /** Executions queued in one room before new ones are refused. */
  roomMaxQueued: number;
}

export interface ExecutionStatusEvent extends RoomEventBase, QueueFigures {}

export interface ExecutionState extends QueueFigures {
  isExecuting: boolean;
  executionCount: number;
  lastExecutionAt: string | null;
}

export interface RoomStateEvent extends RoomEventBase {
  code: string;
  language: string | null;
  /** Sequence of the event that last changed the code: a `code-change` based on an older one is stale. */
  codeSequence: number;
  users: PresenceUser[];
  executionState: ExecutionState;
}

export interface PresenceEvent extends RoomEventBase {
  userId: string;
  displayName: string;
  avatar: string | null;
  users: PresenceUser[];
}

export interface CodeUpdateEvent extends RoomEventBase {
  code: string;
  language: string | null;
  /** Who made the change that produced this text. */
  userId: string | null;
  displayName: string | null;
  avatar: string | null;
  /** `code-change` for a whole-text change, `document` for Yjs edits folded into one update. */
  source: 'code-change' | 'document';
}

export interface HistoryEntry extends ExecutionSummary {
  verdict: VerdictName | null;
  success: boolean;
  executionTime: number | null;
  /** stdout and stderr, cut to a few KiB; the full result is at `GET /api/v1/submissions/:id`. */
  output: string;
  stderr: string;
  truncated: boolean;
  error: string | null;
}

export interface ExecutionHistoryEvent extends RoomEventBase {
  executions: HistoryEntry[];
}

/** Sent to one connection: a refused event without an ack, or a problem found later (e.g. a truncated document). */
export interface ErrorEvent {
  code: string;
  message: string;
  /** The client event that caused it, when there is one. */
  event?: string;
  details?: Record<string, unknown>;
}

/** Client → server event names of the `/interactive` namespace. */
export const INTERACTIVE_CLIENT_EVENTS = ['start', 'stdin', 'signal', 'kill'] as const;
export type InteractiveClientEvent = (typeof INTERACTIVE_CLIENT_EVENTS)[number];

/** Server → client event names of the `/interactive` namespace. */
export const INTERACTIVE_SERVER_EVENTS = { queued: 'queued', started: 'started', stdout: 'stdout', stderr: 'stderr', exit: 'exit', error: 'error' } as const;

/** `queued`, and the ack of `start`: where the run waits. */
export interface InteractiveQueuedEvent extends Pick<SeedExecutionAliases, 'position'> {
  executionId: string;
  /** 1-based place in the node's dispatch order; null when it starts at once. */
  queuePosition: number | null;
}

/** `stdout` / `stderr`: UTF-8 text as the program writes it. */
export interface InteractiveOutputEvent {
  executionId: string;
  data: string;
}

/** `started`: the program runs with these limits (run limits, times in ms, sizes as named in the limits table). */
export interface InteractiveStartedEvent {
  executionId: string;
  limits: Record<LimitKey, number>;
  /** The run ends after this long without stdin and without output, ms. */
  idleTimeoutMs: number;
}

/** `exit`: how the run ended. `time` is CPU ms, `wallTime` ms, `memory` peak KiB; figures are absent when it never ran. */
export interface InteractiveExitEvent {
  executionId: string;
  /** `killed` by `kill`, disconnect or the idle timeout (verdict null), `cancelled` while queued, `failed` when the service could not run it. */
  status: 'completed' | 'killed' | 'cancelled' | 'failed';
  /** Set when the server ended the run itself: `idle_timeout` after no stdin and no output for the run's idle timeout. */
  reason?: 'idle_timeout';
  verdict: VerdictName | null;
  message: string | null;
  exitCode?: number | null;
  signal?: string | null;
  time?: number;
  wallTime?: number;
  memory?: number;
  /** The compile stage, when compiling failed. */
  compile?: StagePayload | null;
}
