// Lua of a claim: read lane heads and running counts for the predicate, then commit the chosen job under the caps.
import { LUA_PRELUDE } from './prelude.js';

/**
 * What the claim predicate looks at, a page of lanes at a time. Reply: { expired rows, active total, flat
 * room->active pairs, flat user->active pairs, heads, next } where heads are { priority, lane, row } for each lane
 * head of the page, highest priority first, lanes in turn, and next is the cursor { priority, offset } of the next
 * page or empty after the last. A worker that serves only some languages sees, as each lane's head, the first job of
 * that lane in one of them (lanes with none are left out), so among the jobs it can run the order is the usual one.
 * Paging bounds one script by the page, not by the number of lanes (a room, or one user's jobs without a room: with
 * thousands of room-less users queued there are thousands of lanes); a claim reads further pages only while none so
 * far is a `take`.
 * ARGV: base, the worker's languages comma-separated ('' for any), cursor priority ('' from the top), cursor offset
 * in that priority's rotation, lanes per page (0 for all).
 */
export const CLAIM_VIEW = `${LUA_PRELUDE}
local serves = served_set(ARGV[2])
local from = ARGV[3] or ''
local offset = tonumber(ARGV[4] or '0') or 0
local page = tonumber(ARGV[5] or '0') or 0
local expired = sweep()
local levels
if from == '' then levels = redis.call('ZREVRANGE', K.levels, 0, -1) else levels = redis.call('ZREVRANGEBYSCORE', K.levels, from, '-inf') end
local heads = {}
local scanned = 0
local next_page = {}
for index, prio in ipairs(levels) do
  local start = 0
  if index == 1 and prio == from then start = offset end
  local stop = -1
  if page > 0 then stop = start + page - scanned - 1 end
  local lanes = redis.call('LRANGE', K.rotation(prio), start, stop)
  for _, lane in ipairs(lanes) do
    local id = first_servable(prio, lane, serves)
    if id then heads[#heads + 1] = { prio, lane, row(id) } end
  end
  scanned = scanned + #lanes
  if page > 0 and scanned >= page then
    if start + #lanes < redis.call('LLEN', K.rotation(prio)) then
      next_page = { prio, start + #lanes }
    elseif levels[index + 1] then
      next_page = { levels[index + 1], 0 }
    end
    break
  end
end
return { expired, redis.call('ZCARD', K.active), redis.call('HGETALL', K.roomActive), redis.call('HGETALL', K.userActive), heads, next_page }
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
