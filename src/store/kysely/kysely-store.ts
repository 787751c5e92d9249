// Store implemented once over Kysely; each SQL dialect's adapter supplies the connection and its error translation.
import type { Kysely, Transaction } from 'kysely';
import { isAppError, type AppError } from '../../errors/index.js';
import type { SubmissionStatus } from '../../domain/lifecycle.js';
import type { Submission } from '../../domain/submission.js';
import type { Logger } from '../../logging/logger.js';
import type { CreateOptions, DeadLetter, GlobalStats, HistoryQuery, OrphanedSubmission, RoomRecord, RoomStats, Store, TransitionPatch } from '../store.js';
import type { StoreDatabase, SubmissionRow, TestCaseRow } from '../database.js';
import { migrateToLatest } from '../migrations/migrate.js';
import type { MigrationDialect } from '../migrations/migration-dialect.js';
import { DuplicateCorrelationIdError } from '../store-errors.js';
import { advanceRoomSequence, countRoomExecution, selectRoom, upsertRoom } from './room-queries.js';
import { ACTIVE_STATUSES, canTransition, FINISHED_STATUSES } from '../../domain/lifecycle.js';
import { selectGlobalStats, selectRoomStats } from './stats-queries.js';
import { selectPreviewColumns, selectTestCasePreviews } from './preview-queries.js';
import { fromSubmissionRow, needsTestCaseRows, resultColumns, toTransitionUpdate, toSubmissionRow, toTestCaseRows, type ReadShape } from './submission-rows.js';

/** What a dialect adapter tells the shared implementation about its driver. */
export interface KyselyStoreAdapter {
  dialect: MigrationDialect;
  /** Schema of the migration bookkeeping tables (created if missing), where the dialect has schemas. @defaultValue the default schema */
  migrationSchema?: string;
  /**
   * Whether `claimOrphans` locks the rows it takes (`FOR UPDATE SKIP LOCKED`), so nodes claiming at once on separate
   * connections never take the same row nor wait on each other. Dialects with one writer at a time (SQLite) need not.
   * @defaultValue false
   */
  lockClaimedRows?: boolean;
  /** Turns a driver error into an AppError; `operation` says what was being done, for the message. */
  translateError(error: unknown, operation: string): AppError;
  /** Whether the driver error is the unique (user_id, correlation_id) violation. */
  isCorrelationConflict(error: unknown): boolean;
  logger: Logger;
  /** Clock for `updatedAt` of rooms. */
  now(): Date;
}

/** Rows per multi-row insert, well under every dialect's bound-parameter limit. */
const INSERT_CHUNK = 200;
/** Ids per `in (…)` list, for the same reason. */
const SELECT_CHUNK = 500;

/** The dialect-neutral Store; concrete stores (SqliteStore, PostgresStore) extend it with their connection. */
export class KyselyStore implements Store {
  #closed = false;

  constructor(
    protected readonly db: Kysely<StoreDatabase>,
    private readonly adapter: KyselyStoreAdapter,
  ) {}

  async init(): Promise<void> {
    await this.guard('migrate the schema', () => migrateToLatest(this.db as Kysely<unknown>, this.adapter.dialect, this.adapter.logger, this.adapter.migrationSchema));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.db.destroy();
  }

  async createSubmission(submission: Submission, options: CreateOptions = {}): Promise<void> {
    await this.guard('insert a submission', async () => {
      try {
        await this.db.transaction().execute(async (trx) => {
          await trx.insertInto('submissions').values({ ...toSubmissionRow(submission), node_id: options.nodeId ?? null, interactive: options.interactive ? 1 : 0 }).execute();
          await insertTestCases(trx, submission.id, submission);
        });
      } catch (error) {
        if (this.adapter.isCorrelationConflict(error)) throw new DuplicateCorrelationIdError(submission.user.userId, submission.correlationId, error);
        throw error;
      }
    });
  }

  async getSubmission(id: string): Promise<Submission | null> {
    return this.guard('read a submission', async () => {
      const row = await this.db.selectFrom('submissions').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? (await this.withTestCases([row]))[0]! : null;
    });
  }

  async findByCorrelationId(userId: string, correlationId: string): Promise<Submission | null> {
    return this.guard('find a submission by correlationId', async () => {
      const row = await this.db.selectFrom('submissions').selectAll().where('user_id', '=', userId).where('correlation_id', '=', correlationId).executeTakeFirst();
      return row ? (await this.withTestCases([row]))[0]! : null;
    });
  }

  async transition(id: string, from: readonly SubmissionStatus[], patch: TransitionPatch): Promise<boolean> {
    // Only moves the lifecycle table allows are ever attempted; the status condition makes the update a compare-and-set.
    const allowed = from.filter((status) => canTransition(status, patch.status));
    if (allowed.length === 0) return false;
    return this.guard(`move a submission to ${patch.status}`, () =>
      this.db.transaction().execute(async (trx) => {
        let update = trx.updateTable('submissions').set(toTransitionUpdate(patch));
        if (patch.status === 'running') update = update.set((eb) => ({ attempts: eb('attempts', '+', 1) }));
        let guarded = update.where('id', '=', id).where('status', 'in', allowed);
        // A fenced write applies only while its run still holds the row: a takeover has written another token.
        if (patch.status !== 'running' && patch.runToken !== undefined) guarded = guarded.where('run_token', '=', patch.runToken);
        const result = await guarded.executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return false;
        if (patch.status !== 'running' && patch.status !== 'queued') {
          await trx.deleteFrom('test_case_results').where('submission_id', '=', id).execute();
          await insertTestCases(trx, id, patch);
        }
        return true;
      }),
    );
  }

  async deleteUnstarted(id: string): Promise<boolean> {
    return this.guard('delete an unstarted submission', async () => {
      const result = await this.db.deleteFrom('submissions').where('id', '=', id).where('status', '=', 'queued').where('started_at', 'is', null).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    });
  }

  async roomHistory(roomId: string, query: HistoryQuery): Promise<Submission[]> {
    return this.history('read room history', 'room_id', roomId, query);
  }

  async userHistory(userId: string, query: HistoryQuery): Promise<Submission[]> {
    return this.history('read user history', 'user_id', userId, query);
  }

  async roomStats(roomId: string, since: Date): Promise<RoomStats> {
    return this.guard('compute room stats', () => selectRoomStats(this.db, roomId, since.getTime()));
  }

  async globalStats(): Promise<GlobalStats> {
    return this.guard('compute global stats', () => selectGlobalStats(this.db));
  }

  async registerNode(nodeId: string, at: Date): Promise<void> {
    await this.guard('register a node', () =>
      this.db
        .insertInto('nodes')
        .values({ id: nodeId, started_at: at.getTime(), heartbeat_at: at.getTime() })
        .onConflict((conflict) => conflict.column('id').doUpdateSet({ started_at: at.getTime(), heartbeat_at: at.getTime() }))
        .execute(),
    );
  }

  async heartbeat(nodeId: string, at: Date): Promise<void> {
    await this.guard('record a node heartbeat', () => this.db.updateTable('nodes').set({ heartbeat_at: at.getTime() }).where('id', '=', nodeId).execute());
  }

  async releaseNode(nodeId: string): Promise<void> {
    await this.guard('release a node', () => this.db.deleteFrom('nodes').where('id', '=', nodeId).execute());
  }

  async claimOrphans(nodeId: string, staleBefore: Date): Promise<OrphanedSubmission[]> {
    const stale = staleBefore.getTime();
    return this.guard('claim submissions of stopped nodes', async () => {
      const rows = await this.db.transaction().execute(async (trx) => {
        // One guarded UPDATE takes the rows, so two nodes starting at once never both claim one: with row locks the
        // second skips what the first holds, and once the first commits the rows name a live node and no longer match.
        let orphans = trx
          .selectFrom('submissions')
          .select('id')
          .where('status', 'in', ACTIVE_STATUSES)
          .where((eb) =>
            eb.or([
              eb('node_id', 'is', null),
              eb('node_id', '=', nodeId),
              eb('node_id', 'not in', eb.selectFrom('nodes').select('id').where('heartbeat_at', '>=', stale)),
            ]),
          );
        if (this.adapter.lockClaimedRows) orphans = orphans.forUpdate().skipLocked();
        const claimed = await trx.updateTable('submissions').set({ node_id: nodeId }).where('id', 'in', orphans).returningAll().execute();
        await trx.deleteFrom('nodes').where('heartbeat_at', '<', stale).where('id', '!=', nodeId).execute();
        return claimed.sort(byCreation);
      });
      const submissions = await this.withTestCases(rows);
      return submissions.map((submission, index) => ({ submission, attempts: Number(rows[index]!.attempts), interactive: Number(rows[index]!.interactive) === 1 }));
    });
  }

  async listDeadLetters(query: { limit: number; before?: Date }): Promise<DeadLetter[]> {
    const limit = Math.floor(query.limit);
    if (!(limit > 0)) return [];
    return this.guard('list dead letters', async () => {
      let select = this.db.selectFrom('submissions').selectAll().where('status', '=', 'failed').where('dead_lettered_at', 'is not', null);
      if (query.before) select = select.where('dead_lettered_at', '<', query.before.getTime());
      const rows = await select.orderBy('dead_lettered_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      const submissions = await this.withTestCases(rows);
      return submissions.map((submission, index) => {
        const row = rows[index]!;
        return { submission, attempts: Number(row.attempts), deadLetteredAt: new Date(Number(row.dead_lettered_at)), retries: Number(row.dead_letter_retries) };
      });
    });
  }

  async requeueDeadLetter(id: string): Promise<Submission | null> {
    return this.guard('queue a dead letter again', () =>
      this.db.transaction().execute(async (trx) => {
        // Failed is final for every other writer; only this guarded move, on a dead-lettered row, reopens it.
        const result = await trx
          .updateTable('submissions')
          .set((eb) => ({
            status: 'queued',
            verdict: null,
            error: null,
            started_at: null,
            finished_at: null,
            run_token: null,
            dead_lettered_at: null,
            attempts: 0,
            dead_letter_retries: eb('dead_letter_retries', '+', 1),
            ...resultColumns(null),
          }))
          .where('id', '=', id)
          .where('status', '=', 'failed')
          .where('dead_lettered_at', 'is not', null)
          .executeTakeFirst();
        if (Number(result.numUpdatedRows) === 0) return null;
        await trx.deleteFrom('test_case_results').where('submission_id', '=', id).execute();
        const row = await trx.selectFrom('submissions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        return fromSubmissionRow(row, []);
      }),
    );
  }

  async listQueued(createdBefore: Date, limit: number): Promise<Submission[]> {
    return this.guard('list queued submissions', async () => {
      const rows = await this.db
        .selectFrom('submissions')
        .selectAll()
        .where('status', '=', 'queued')
        .where('created_at', '<', createdBefore.getTime())
        .orderBy('created_at', 'asc')
        .orderBy('id', 'asc')
        .limit(Math.max(0, Math.floor(limit)))
        .execute();
      return this.withTestCases(rows);
    });
  }

  async sweep(before: Date): Promise<number> {
    return this.guard('sweep old submissions', async () => {
      // Test-case rows go with their submission through the foreign key's ON DELETE CASCADE.
      const result = await this.db.deleteFrom('submissions').where('status', 'in', FINISHED_STATUSES).where('created_at', '<', before.getTime()).executeTakeFirst();
      return Number(result.numDeletedRows);
    });
  }

  async getRoom(roomId: string): Promise<RoomRecord | null> {
    return this.guard('read a room', () => selectRoom(this.db, roomId));
  }

  async nextRoomSequence(roomId: string, count = 1): Promise<number> {
    if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
    return this.guard('advance a room sequence', () => advanceRoomSequence(this.db, roomId, count, this.nowMs()));
  }

  async saveRoomCode(roomId: string, code: string, language: string | null): Promise<void> {
    await this.guard('save room code', () => upsertRoom(this.db, roomId, { code, language }, this.nowMs()));
  }

  async saveRoomDocument(roomId: string, document: Uint8Array): Promise<void> {
    // Drivers bind Node Buffers as binary; wrapping shares the memory instead of copying it.
    const bytes = Buffer.from(document.buffer, document.byteOffset, document.byteLength);
    await this.guard('save a room document', () => upsertRoom(this.db, roomId, { document: bytes }, this.nowMs()));
  }

  async recordRoomExecution(roomId: string, at: Date): Promise<void> {
    await this.guard('record a room execution', () => countRoomExecution(this.db, roomId, at.getTime(), this.nowMs()));
  }

  /** Runs a database operation, translating anything that is not already an AppError exactly once. */
  protected async guard<T>(operation: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (isAppError(error)) throw error;
      throw this.adapter.translateError(error, operation);
    }
  }

  private nowMs(): number {
    return this.adapter.now().getTime();
  }

  private async history(operation: string, column: 'room_id' | 'user_id', value: string, query: HistoryQuery): Promise<Submission[]> {
    const limit = Math.floor(query.limit);
    if (!(limit > 0)) return [];
    const shape = { preview: query.outputPreview === true };
    return this.guard(operation, async () => {
      // A preview page never selects whole output columns: only the stored preview (and cut texts of older rows).
      let select = shape.preview ? selectPreviewColumns(this.db) : this.db.selectFrom('submissions').selectAll();
      select = select.where(column, '=', value);
      if (query.before) select = select.where('created_at', '<', query.before.getTime());
      // The id breaks ties between submissions created in the same millisecond, so pages are stable.
      const rows = await select.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return this.withTestCases(rows, shape);
    });
  }

  private async withTestCases(rows: SubmissionRow[], shape: ReadShape = { preview: false }): Promise<Submission[]> {
    const needed = rows.filter((row) => needsTestCaseRows(row, shape)).map((row) => row.id);
    const byId = new Map<string, TestCaseRow[]>();
    for (let start = 0; start < needed.length; start += SELECT_CHUNK) {
      const ids = needed.slice(start, start + SELECT_CHUNK);
      const testCases = shape.preview
        ? await selectTestCasePreviews(this.db, ids)
        : await this.db.selectFrom('test_case_results').selectAll().where('submission_id', 'in', ids).execute();
      for (const testCase of testCases) {
        const list = byId.get(testCase.submission_id) ?? [];
        list.push(testCase);
        byId.set(testCase.submission_id, list);
      }
    }
    return rows.map((row) => fromSubmissionRow(row, byId.get(row.id) ?? [], shape));
  }
}

/** Oldest first; the id (compared as code units, like SQLite's binary collation) breaks ties in one millisecond. */
function byCreation(a: SubmissionRow, b: SubmissionRow): number {
  return Number(a.created_at) - Number(b.created_at) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

async function insertTestCases(trx: Transaction<StoreDatabase>, submissionId: string, source: Pick<Submission, 'result'>): Promise<void> {
  const rows = toTestCaseRows(submissionId, source.result);
  for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
    await trx.insertInto('test_case_results').values(rows.slice(start, start + INSERT_CHUNK)).execute();
  }
}
