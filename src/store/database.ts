// Row types of the store's tables, as Kysely sees them; shared by every SQL dialect.
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

/**
 * Epoch milliseconds in a 64-bit integer column. Written as a number; read back as a number
 * (SQLite) or a decimal string (PostgreSQL `bigint`), so readers convert with `Number()`.
 */
export type EpochMs = ColumnType<number | string, number, number>;

/** A 64-bit integer counter, read back like {@link EpochMs}. */
export type BigCount = ColumnType<number | string, number, number>;

export interface SubmissionsTable {
  id: string;
  correlation_id: string;
  room_id: string | null;
  user_id: string;
  /** The submitter's display name at submission time. */
  username: string;
  avatar: string | null;
  role: string;
  title: string | null;
  language: string;
  version: string | null;
  /** Every source file, as JSON `[{ name, content }]`. */
  files: string;
  entry: string | null;
  /** Content of the entry file, for history views that show one piece of code. */
  code: string;
  stdin: string;
  /** JSON array of strings. */
  args: string;
  /** JSON array of `{ stdin, expectedOutput? }`. */
  test_cases: string;
  /** JSON object of the requested (partial) limits. */
  limits: string;
  compare_mode: string;
  output_encoding: string;
  priority_kind: string;
  priority: number;
  status: string;
  verdict: string | null;
  /** Top-level output; null when it is a copy of the first run's (or the compiler's messages), rebuilt on read. */
  stdout: string | null;
  stderr: string | null;
  exit_code: number | null;
  signal: string | null;
  cpu_time_ms: number | null;
  wall_time_ms: number | null;
  memory_kb: BigCount | null;
  /** The compile stage's texts as JSON `{ stdout, stderr }`; in rows of the earlier layout, stdout followed by stderr. */
  compile_output: string | null;
  /** The ExecutionResult as JSON without its output texts, plus truncation marks and a preview (see kysely/submission-rows.ts). */
  result: string | null;
  error: string | null;
  created_at: EpochMs;
  started_at: EpochMs | null;
  finished_at: EpochMs | null;
  /** sha256 of the canonical request (migration 0002); null for rows stored before it. */
  request_fingerprint: string | null;
  /** The node whose queue holds it, or that runs it (migration 0003); null for rows stored before it. */
  node_id: string | null;
  /** How many times it was started; an interrupted run is retried while this is below the limit. */
  attempts: Generated<number>;
  /** 1 for an interactive run (a client streams its input), else 0; an integer so it means the same in every dialect. */
  interactive: Generated<number>;
  /** The run holding a `running` row (migration 0004); its writes are fenced on it. Null when none is recorded. */
  run_token: string | null;
  /** When the service failed it for good (a dead letter an admin may retry); null otherwise. */
  dead_lettered_at: EpochMs | null;
  /** How many times an admin queued it again from the dead letters. */
  dead_letter_retries: Generated<number>;
}

/** One row per node sharing the store; a node whose heartbeat is old is taken as dead. */
export interface NodesTable {
  id: string;
  started_at: EpochMs;
  heartbeat_at: EpochMs;
}

export interface TestCaseResultsTable {
  submission_id: string;
  idx: number;
  verdict: string;
  stdout: string;
  stderr: string;
  expected_output: string | null;
  exit_code: number | null;
  signal: string | null;
  cpu_time_ms: number;
  wall_time_ms: number;
  memory_kb: BigCount;
  /** 0 or 1; an integer so the column means the same in every dialect. */
  invalid_utf8: number;
  message: string | null;
}

export interface RoomsTable {
  room_id: string;
  code: string;
  language: string | null;
  sequence: BigCount;
  /** Raw bytes of the collaborative document state. */
  document: Uint8Array | null;
  execution_count: BigCount;
  last_execution_at: EpochMs | null;
  updated_at: EpochMs;
}

/** The store's schema as Kysely's type parameter. */
export interface StoreDatabase {
  submissions: SubmissionsTable;
  test_case_results: TestCaseResultsTable;
  rooms: RoomsTable;
  nodes: NodesTable;
}

export type SubmissionRow = Selectable<SubmissionsTable>;
export type NewSubmissionRow = Insertable<SubmissionsTable>;
export type TestCaseRow = Selectable<TestCaseResultsTable>;
export type NewTestCaseRow = Insertable<TestCaseResultsTable>;
export type RoomRow = Selectable<RoomsTable>;
