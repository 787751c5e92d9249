// Lua of removal and the reads (get, counts, list, sweep), each after enforcing expired leases.
import { LUA_PRELUDE } from './prelude.js';

/**
 * Removes a queued job. Reply: { expired rows, 'missing' }, { expired rows, 'active', row } or
 * { expired rows, 'removed', row, finishedAt }. ARGV: base, id.
 */
export const REMOVE = `${LUA_PRELUDE}
local id = ARGV[2]
local expired = sweep()
local state = redis.call('HGET', K.job(id), 'state')
if not state then return { expired, 'missing' } end
if state == 'active' then return { expired, 'active', row(id) } end
dequeue(id, false)
local removed = row(id)
forget(id)
return { expired, 'removed', removed, NOW }
`;

/** Reply: { expired rows } or { expired rows, row, position or 0, roomPosition or 0 }. ARGV: base, id. */
export const GET = `${LUA_PRELUDE}
local id = ARGV[2]
local expired = sweep()
local state = redis.call('HGET', K.job(id), 'state')
if not state then return { expired } end
if state ~= 'queued' then return { expired, row(id), 0, 0 } end
local at = place(id)
return { expired, row(id), at[1], at[2] }
`;

/** Reply: { expired rows, queued, active }. ARGV: base. */
export const COUNTS = `${LUA_PRELUDE}
local expired = sweep()
return { expired, tonumber(redis.call('GET', K.queued) or '0'), redis.call('ZCARD', K.active) }
`;

/**
 * Every queued job in projected claim order (the memory order's forEachInOrder: each priority in rounds of lane heads)
 * and every active one in claim order, or one room's. Reply: { expired rows, queued { row, position, roomPosition or
 * 0 }..., active rows }. ARGV: base, room ('' for all).
 */
export const LIST = `${LUA_PRELUDE}
local only = ARGV[2]
local expired = sweep()
local queued = {}
local position = 0
local room_seen = {}
for _, prio in ipairs(redis.call('ZREVRANGE', K.levels, 0, -1)) do
  local lanes = {}
  for _, lane in ipairs(redis.call('LRANGE', K.rotation(prio), 0, -1)) do
    lanes[#lanes + 1] = redis.call('LRANGE', K.lane(prio, lane), 0, -1)
  end
  local round = 1
  while #lanes > 0 do
    local next_round = {}
    for _, items in ipairs(lanes) do
      local id = items[round]
      position = position + 1
      -- One read per job: a 10k queue is 10k calls, not 20k.
      local h = redis.call('HMGET', K.job(id), 'room', 'spec', 'state', 'startedAt', 'attempts')
      local room = h[1]
      local room_position = 0
      if room ~= '' then
        room_position = (room_seen[room] or 0) + 1
        room_seen[room] = room_position
      end
      if only == '' or room == only then queued[#queued + 1] = { { id, h[2], h[3], h[4], h[5] }, position, room_position } end
      if #items > round then next_round[#next_round + 1] = items end
    end
    lanes = next_round
    round = round + 1
  end
end
local active = {}
for _, id in ipairs(redis.call('ZRANGE', K.active, 0, -1)) do
  if only == '' or redis.call('HGET', K.job(id), 'room') == only then active[#active + 1] = row(id) end
end
return { expired, queued, active }
`;

/** Only enforces expired leases (the periodic timer). Reply: { expired rows }. ARGV: base. */
export const SWEEP = `${LUA_PRELUDE}
return { sweep() }
`;
