// Selects for history pages that return previews: whole output columns are never read, only cut texts.
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { LIST_PREVIEW_CHARS } from '../../domain/result-preview.js';
import type { StoreDatabase, SubmissionRow, SubmissionsTable, TestCaseResultsTable, TestCaseRow } from '../database.js';

/**
 * Characters of an output column a preview reads from rows stored before results carried their own preview: one more
 * than a preview holds, so a longer text is still seen to be cut. Newer rows keep these columns null or unread.
 */
const LEGACY_TEXT_CHARS = LIST_PREVIEW_CHARS + 1;

type OutputColumn = 'stdout' | 'stderr' | 'compile_output';

/** Every other column of `submissions`; a Record so that a column added to the table must be listed here too. */
const SUBMISSION_COLUMNS: Record<Exclude<keyof SubmissionsTable, OutputColumn>, true> = {
  id: true, correlation_id: true, room_id: true, user_id: true, username: true, avatar: true, role: true, title: true,
  language: true, version: true, files: true, entry: true, code: true, stdin: true, args: true, test_cases: true,
  limits: true, compare_mode: true, output_encoding: true, priority_kind: true, priority: true, status: true,
  verdict: true, exit_code: true, signal: true, cpu_time_ms: true, wall_time_ms: true, memory_kb: true, result: true,
  error: true, created_at: true, started_at: true, finished_at: true, request_fingerprint: true,
  node_id: true, attempts: true, interactive: true, run_token: true, dead_lettered_at: true, dead_letter_retries: true,
};

const TEST_CASE_COLUMNS: Record<Exclude<keyof TestCaseResultsTable, 'stdout' | 'stderr' | 'expected_output'>, true> = {
  submission_id: true, idx: true, verdict: true, exit_code: true, signal: true, cpu_time_ms: true, wall_time_ms: true,
  memory_kb: true, invalid_utf8: true, message: true,
};

/** `submissions` rows with the output columns cut to a preview's length (`compile_output` not read at all). */
export function selectPreviewColumns(db: Kysely<StoreDatabase>): SelectQueryBuilder<StoreDatabase, 'submissions', SubmissionRow> {
  const columns = Object.keys(SUBMISSION_COLUMNS) as Array<keyof typeof SUBMISSION_COLUMNS>;
  return db
    .selectFrom('submissions')
    .select(columns)
    .select([cut('stdout').as('stdout'), cut('stderr').as('stderr'), sql<string | null>`null`.as('compile_output')]) as unknown as SelectQueryBuilder<
    StoreDatabase,
    'submissions',
    SubmissionRow
  >;
}

/** Test-case rows of the given submissions with their texts cut to a preview's length. */
export function selectTestCasePreviews(db: Kysely<StoreDatabase>, submissionIds: readonly string[]): Promise<TestCaseRow[]> {
  const columns = Object.keys(TEST_CASE_COLUMNS) as Array<keyof typeof TEST_CASE_COLUMNS>;
  return db
    .selectFrom('test_case_results')
    .select(columns)
    .select([sql<string>`substr(stdout, 1, ${LEGACY_TEXT_CHARS})`.as('stdout'), sql<string>`substr(stderr, 1, ${LEGACY_TEXT_CHARS})`.as('stderr'), cut('expected_output').as('expected_output')])
    .where('submission_id', 'in', submissionIds)
    .execute();
}

function cut(column: OutputColumn | 'expected_output') {
  return sql<string | null>`substr(${sql.ref(column)}, 1, ${LEGACY_TEXT_CHARS})`;
}
