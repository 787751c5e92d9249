// Aggregate queries for room and global statistics, written in SQL every dialect shares.
import { sql, type Kysely } from 'kysely';
import type { GlobalStats, RoomStats } from '../store.js';
import type { StoreDatabase } from '../database.js';
import { FINISHED_STATUSES } from '../../domain/lifecycle.js';

/** Counts and wall times of the room's executions finished at or after `since` (epoch ms). */
export async function selectRoomStats(db: Kysely<StoreDatabase>, roomId: string, since: number): Promise<RoomStats> {
  const row = await db
    .selectFrom('submissions')
    .select((eb) => [
      eb.fn.countAll().as('total'),
      sql<number | string | null>`sum(case when status = 'completed' and verdict = 'accepted' then 1 else 0 end)`.as('successful'),
      eb.fn.sum('wall_time_ms').as('total_time'),
      eb.fn.count('wall_time_ms').as('timed'),
    ])
    .where('room_id', '=', roomId)
    .where('status', 'in', FINISHED_STATUSES)
    .where('finished_at', '>=', since)
    .executeTakeFirstOrThrow();
  const total = Number(row.total);
  const successful = Number(row.successful ?? 0);
  const totalExecutionTimeMs = Number(row.total_time ?? 0);
  const timed = Number(row.timed);
  // Like SQL's AVG: executions that never ran (no wall time) do not pull the average down.
  return { total, successful, failed: total - successful, totalExecutionTimeMs, avgExecutionTimeMs: timed === 0 ? 0 : totalExecutionTimeMs / timed };
}

/** Counts of finished submissions by status, over everything still retained. */
export async function selectGlobalStats(db: Kysely<StoreDatabase>): Promise<GlobalStats> {
  const rows = await db
    .selectFrom('submissions')
    .select((eb) => ['status', eb.fn.countAll().as('count'), sql<number | string | null>`sum(case when verdict = 'accepted' then 1 else 0 end)`.as('accepted')])
    .where('status', 'in', FINISHED_STATUSES)
    .groupBy('status')
    .execute();
  const stats: GlobalStats = { completed: 0, failed: 0, cancelled: 0, accepted: 0 };
  for (const row of rows) {
    const count = Number(row.count);
    if (row.status === 'completed') {
      stats.completed = count;
      stats.accepted = Number(row.accepted ?? 0);
    } else if (row.status === 'failed') stats.failed = count;
    else if (row.status === 'cancelled') stats.cancelled = count;
  }
  return stats;
}
