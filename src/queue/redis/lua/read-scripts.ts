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
 * Walks queued jobs in projected claim order (the memory order's forEachInOrder: each priority in rounds of lane
 * heads), calling visit(id, room, user, position, roomPosition or 0) until it returns true. Lanes are read in growing
 * pages as the rounds reach them, so a walk that stops after k jobs reads about k jobs (plus one page per lane), not
 * the whole queue.
 */
const WALK = `
local function walk(visit)
  local position = 0
  local room_seen = {}
  for _, prio in ipairs(redis.call('ZREVRANGE', K.levels, 0, -1)) do
    local lanes = {}
    for _, lane in ipairs(redis.call('LRANGE', K.rotation(prio), 0, -1)) do
      local key = K.lane(prio, lane)
      lanes[#lanes + 1] = { key = key, items = {}, size = redis.call('LLEN', key) }
    end
    local round = 1
    while #lanes > 0 do
      local next_round = {}
      for _, lane in ipairs(lanes) do
        local items = lane.items
        if round > #items then
          local page = math.max(16, #items)
          for _, id in ipairs(redis.call('LRANGE', lane.key, #items, #items + page - 1)) do items[#items + 1] = id end
        end
        local id = items[round]
        position = position + 1
        local h = redis.call('HMGET', K.job(id), 'room', 'user')
        local room = h[1]
        local room_position = 0
        if room ~= '' then
          room_position = (room_seen[room] or 0) + 1
          room_seen[room] = room_position
        end
        if visit(id, room, h[2], position, room_position) then return end
        if lane.size > round then next_round[#next_round + 1] = lane end
      end
      lanes = next_round
      round = round + 1
    end
  end
end
`;

/**
 * The first queued jobs in projected claim order (all, or one room's; at most `limit`, 0 for no limit) and every
 * active one in claim order (or the room's), how many are queued in all (or in the room), and the oldest enqueue time
 * among lane heads (a lane is FIFO, so its head is its longest-waiting job). Reply: { expired rows, queued { row,
 * position, roomPosition or 0 }..., active rows, queued total, oldest enqueuedAt or '' }. ARGV: base, room ('' for
 * all), limit.
 */
export const LIST = `${LUA_PRELUDE}${WALK}
local only = ARGV[2]
local limit = tonumber(ARGV[3] or '0') or 0
local expired = sweep()
local total
if only == '' then total = tonumber(redis.call('GET', K.queued) or '0') else total = hget_number(K.roomQueued, only) end
local want = total
if limit > 0 and limit < want then want = limit end
local queued = {}
if want > 0 then
  walk(function(id, room, user, position, room_position)
    if only == '' or room == only then queued[#queued + 1] = { row(id), position, room_position } end
    return #queued >= want
  end)
end
local oldest = ''
for _, prio in ipairs(redis.call('ZREVRANGE', K.levels, 0, -1)) do
  for _, lane in ipairs(redis.call('LRANGE', K.rotation(prio), 0, -1)) do
    local head = redis.call('LINDEX', K.lane(prio, lane), 0)
    if head then
      local h = redis.call('HMGET', K.job(head), 'room', 'enq', 'spec')
      if only == '' or h[1] == only then
        -- Jobs filed before 'enq' was stored carry the time in their spec only.
        local at = tonumber(h[2]) or (h[3] and tonumber(cjson.decode(h[3]).enqueuedAt))
        if at and (oldest == '' or at < oldest) then oldest = at end
      end
    end
  end
end
local active = {}
for _, id in ipairs(redis.call('ZRANGE', K.active, 0, -1)) do
  if only == '' or redis.call('HGET', K.job(id), 'room') == only then active[#active + 1] = row(id) end
end
return { expired, queued, active, total, oldest }
`;

/**
 * The first `limit` queued jobs in projected claim order with their places, without payloads: what the live-positions
 * pass compares. Reply: { expired rows, { id, room, user, position, roomPosition or 0 }... }. ARGV: base, limit.
 */
export const PLACES = `${LUA_PRELUDE}${WALK}
local limit = tonumber(ARGV[2]) or 0
local expired = sweep()
local placed = {}
if limit > 0 then
  walk(function(id, room, user, position, room_position)
    placed[#placed + 1] = { id, room, user, position, room_position }
    return #placed >= limit
  end)
end
return { expired, placed }
`;

/** Only enforces expired leases (the periodic timer). Reply: { expired rows }. ARGV: base. */
export const SWEEP = `${LUA_PRELUDE}
return { sweep() }
`;
