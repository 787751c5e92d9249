// Key names of the Redis queue backend, for TypeScript and as the Lua table its scripts build keys with.

/** Every key of one queue starts with this (`runlane:<prefix>:`), so queues sharing a Redis never meet. */
export function keyBase(prefix: string): string {
  return `runlane:${prefix}:`;
}

/** The pub/sub channel on which instances sharing a queue announce their changes. */
export function eventsChannel(base: string): string {
  return `${base}events`;
}

/** Where a `completed` event too large for a pub/sub message parks its result for the other instances. */
export function parkedResultKey(base: string, jobId: string, origin: string): string {
  return `${base}result:${jobId}:${origin}`;
}

/**
 * The same names for the scripts: every script gets the key base as ARGV[1]. Lanes are per priority (a lane of one
 * priority is not the same rotation slot as the lane of another), exactly as in the memory backend's order.
 */
export const LUA_KEYS = `
local P = ARGV[1]
local K = {
  job = function(id) return P .. 'job:' .. id end,             -- hash: spec, priority, lane, room, user, key, lang, state, startedAt, attempts, lease, worker
  levels = P .. 'levels',                                        -- zset: priorities that have queued jobs, scored by priority
  levelSize = P .. 'level-size',                                 -- hash: priority -> queued jobs
  rotation = function(prio) return P .. 'rotation:' .. prio end, -- list: lanes of one priority in turn order
  lane = function(prio, lane) return P .. 'lane:' .. prio .. ':' .. lane end, -- list: job ids, FIFO
  queued = P .. 'queued',                                        -- string: queued jobs in all
  roomQueued = P .. 'room-queued',                               -- hash: room -> queued jobs
  userQueued = P .. 'user-queued',                               -- hash: user -> queued jobs
  keyQueued = P .. 'key-queued',                                 -- hash: API key -> queued jobs
  active = P .. 'active',                                        -- zset: active job ids, scored by claim sequence
  roomActive = P .. 'room-active',                               -- hash: room -> active jobs
  userActive = P .. 'user-active',                               -- hash: user -> active jobs
  leases = P .. 'leases',                                        -- zset: active job ids, scored by lease expiry (epoch ms)
  userInRoom = P .. 'user-in-room',                              -- hash: room NUL user -> the user's queued or active job there
  seq = P .. 'seq',                                              -- string: claim sequence
  workers = P .. 'workers',                                      -- zset: live worker ids, scored by heartbeat expiry (epoch ms)
  worker = function(id) return P .. 'worker:' .. id end,        -- hash: info (announcement JSON), lastHeartbeat; expires with the worker
  servedBy = function(lang) return P .. 'served-by:' .. lang end, -- zset: ids of workers serving a language, scored by heartbeat expiry
}
`;
