// Lua of a claim: read lane heads and running counts for the predicate, then commit the chosen job under the caps.
import { LUA_PRELUDE } from './prelude.js';

/**
 * What the claim predicate looks at. Reply: { expired rows, active total, flat room->active pairs, flat user->active
 * pairs, heads } where heads are { priority, lane, row } for each lane head, highest priority first, lanes in turn.
 * A worker that serves only some languages sees, as each lane's head, the first job of that lane in one of them
 * (lanes with none are left out), so among the jobs it can run the order is the usual one.
 * ARGV: base, the worker's languages comma-separated ('' for any).
 */
export const CLAIM_VIEW = `${LUA_PRELUDE}
local serves = served_set(ARGV[2])
local expired = sweep()
local heads = {}
for _, prio in ipairs(redis.call('ZREVRANGE', K.levels, 0, -1)) do
  for _, lane in ipairs(redis.call('LRANGE', K.rotation(prio), 0, -1)) do
    local id = first_servable(prio, lane, serves)
    if id then heads[#heads + 1] = { prio, lane, row(id) } end
  end
end
return { expired, redis.call('ZCARD', K.active), redis.call('HGETALL', K.roomActive), redis.call('HGETALL', K.userActive), heads }
`;

/**
 * Claims the chosen job if it is still the head of its lane (for this worker's languages) and the running caps still allow it: the total and the
 * room's cap always, the user's cap only for a 'take' (a 'spare' is by definition beyond it). Reply: { expired rows,
 * 'conflict' } or { expired rows, 'claimed', row, lease expiry }.
 * ARGV: base, id, priority, lane, decision, maxRunning, roomMaxRunning, userMaxRunning, lease id, lease ms, worker id,
 * the worker's languages comma-separated ('' for any).
 */
export const CLAIM = `${LUA_PRELUDE}
local id, prio, lane, decision = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local expired = sweep()
if first_servable(prio, lane, served_set(ARGV[12])) ~= id or redis.call('HGET', K.job(id), 'state') ~= 'queued' then
  return { expired, 'conflict' }
end
local _, _, room, user = job_fields(id)
if redis.call('ZCARD', K.active) >= tonumber(ARGV[6]) or hget_number(K.roomActive, room) >= tonumber(ARGV[7])
  or (decision == 'take' and hget_number(K.userActive, user) >= tonumber(ARGV[8])) then
  return { expired, 'conflict' }
end
local expires_at = activate(id, ARGV[9], tonumber(ARGV[10]), ARGV[11])
return { expired, 'claimed', row(id), expires_at }
`;
