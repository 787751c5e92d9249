// Lua of what a lease holder does: extend it, finish the job (complete or fail), or give the job back.
import { LUA_PRELUDE } from './prelude.js';

/** Reply: { expired rows, 1 | 0 }. ARGV: base, id, lease id, lease ms. */
export const EXTEND_LEASE = `${LUA_PRELUDE}
local id, lease_id = ARGV[2], ARGV[3]
local expired = sweep()
if not leased(id, lease_id) then return { expired, 0 } end
redis.call('ZADD', K.leases, NOW + tonumber(ARGV[4]), id)
return { expired, 1 }
`;

/** Ends a claimed job (completed or failed). Reply: { expired rows, 0 } or { expired rows, 1, row, finishedAt }. ARGV: base, id, lease id. */
export const FINISH = `${LUA_PRELUDE}
local id, lease_id = ARGV[2], ARGV[3]
local expired = sweep()
if not leased(id, lease_id) then return { expired, 0 } end
deactivate(id)
local finished = row(id)
forget(id)
return { expired, 1, finished, NOW }
`;

/** Gives a claimed job back to the head of its lane. Reply: { expired rows, 1 | 0 }. ARGV: base, id, lease id. */
export const RELEASE = `${LUA_PRELUDE}
local id, lease_id = ARGV[2], ARGV[3]
local expired = sweep()
if not leased(id, lease_id) then return { expired, 0 } end
deactivate(id)
enqueue(id, true)
return { expired, 1 }
`;
