// Lua shared by every script of the Redis queue backend: the clock, job rows, counters, lanes, leases and places.
import { LUA_KEYS } from '../redis-keys.js';

/**
 * Prepended to each script. Time is Redis's own (`TIME`), so lease expiry and start times agree across nodes whose
 * clocks drift. Every script begins with `sweep()`: a lease that ran out is enforced before anything else is read or
 * changed, in the same atomic step, so no caller ever sees (or acts on) a lease past its expiry.
 */
export const LUA_PRELUDE = `${LUA_KEYS}
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local NOW = now_ms()

-- id, spec JSON, state, startedAt ('' while queued), attempts: what the backend decodes into a BackendJob.
local function row(id)
  local h = redis.call('HMGET', K.job(id), 'spec', 'state', 'startedAt', 'attempts')
  return { id, h[1], h[2], h[3], h[4] }
end

local function job_fields(id)
  local h = redis.call('HMGET', K.job(id), 'priority', 'lane', 'room', 'user', 'key')
  return h[1], h[2], h[3], h[4], h[5]
end

local function user_in_room(room, user)
  return room .. '\\0' .. user
end

local function hget_number(hash, member)
  if member == '' then return 0 end
  return tonumber(redis.call('HGET', hash, member) or '0')
end

-- Counters drop their field at zero, so the hashes only hold rooms, users and keys that have jobs.
local function tally(hash, member, delta)
  if member == '' then return end
  if redis.call('HINCRBY', hash, member, delta) <= 0 then redis.call('HDEL', hash, member) end
end

local function count_queued(prio, room, user, key, delta)
  redis.call('INCRBY', K.queued, delta)
  local size = redis.call('HINCRBY', K.levelSize, prio, delta)
  if size <= 0 then
    redis.call('HDEL', K.levelSize, prio)
    redis.call('ZREM', K.levels, prio)
  elseif size == 1 and delta > 0 then
    redis.call('ZADD', K.levels, prio, prio)
  end
  tally(K.roomQueued, room, delta)
  tally(K.userQueued, user, delta)
  tally(K.keyQueued, key, delta)
end

-- Files a job at the tail of its lane, or at its head when it was first in line once already; a new lane joins the
-- rotation at the back.
local function enqueue(id, at_head)
  local prio, lane, room, user, key = job_fields(id)
  local lane_key = K.lane(prio, lane)
  if redis.call('LLEN', lane_key) == 0 then redis.call('RPUSH', K.rotation(prio), lane) end
  if at_head then redis.call('LPUSH', lane_key, id) else redis.call('RPUSH', lane_key, id) end
  count_queued(prio, room, user, key, 1)
  redis.call('HSET', K.job(id), 'state', 'queued', 'startedAt', '', 'lease', '', 'worker', '')
end

-- Takes a queued job out of its lane. A lane that got a slot (rotate) goes to the back of its rotation; an emptied
-- lane leaves it; otherwise the lane keeps its turn.
local function dequeue(id, rotate)
  local prio, lane, room, user, key = job_fields(id)
  local lane_key = K.lane(prio, lane)
  redis.call('LREM', lane_key, 1, id)
  local left = redis.call('LLEN', lane_key)
  if rotate or left == 0 then
    redis.call('LREM', K.rotation(prio), 1, lane)
    if left > 0 then redis.call('RPUSH', K.rotation(prio), lane) end
  end
  count_queued(prio, room, user, key, -1)
end

local function activate(id, lease_id, lease_ms, worker_id)
  dequeue(id, true)
  local _, _, room, user = job_fields(id)
  redis.call('ZADD', K.active, redis.call('INCR', K.seq), id)
  tally(K.roomActive, room, 1)
  tally(K.userActive, user, 1)
  local expires_at = NOW + lease_ms
  redis.call('ZADD', K.leases, expires_at, id)
  redis.call('HSET', K.job(id), 'state', 'active', 'startedAt', NOW, 'lease', lease_id, 'worker', worker_id)
  redis.call('HINCRBY', K.job(id), 'attempts', 1)
  return expires_at
end

local function deactivate(id)
  local _, _, room, user = job_fields(id)
  redis.call('ZREM', K.active, id)
  redis.call('ZREM', K.leases, id)
  tally(K.roomActive, room, -1)
  tally(K.userActive, user, -1)
end

-- Drops a job that left for good (finished or removed).
local function forget(id)
  local _, _, room, user = job_fields(id)
  if room ~= '' and redis.call('HGET', K.userInRoom, user_in_room(room, user)) == id then
    redis.call('HDEL', K.userInRoom, user_in_room(room, user))
  end
  redis.call('DEL', K.job(id))
end

-- A worker's languages as a set, from 'a,b,c'; nil when it takes any language.
local function served_set(list)
  if list == nil or list == '' then return nil end
  local set = {}
  for lang in string.gmatch(list, '[^,]+') do set[lang] = true end
  return set
end

-- The first job of a lane that a worker serving the set "serves" can run: the head itself for a worker of any language. A
-- lane is one room's or one user's jobs, so the scan past jobs of other languages stays short.
local function first_servable(prio, lane, serves)
  local lane_key = K.lane(prio, lane)
  if serves == nil then return redis.call('LINDEX', lane_key, 0) or nil end
  for _, id in ipairs(redis.call('LRANGE', lane_key, 0, -1)) do
    if serves[redis.call('HGET', K.job(id), 'lang') or ''] then return id end
  end
  return nil
end

local function leased(id, lease_id)
  local h = redis.call('HMGET', K.job(id), 'state', 'lease')
  return h[1] == 'active' and h[2] == lease_id
end

-- Queues again, at the head of their lanes, the jobs whose lease ran out; returns their rows for 'expired' events.
local function sweep()
  local expired = {}
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', K.leases, '-inf', NOW)) do
    deactivate(id)
    enqueue(id, true)
    expired[#expired + 1] = row(id)
  end
  return expired
end

-- Place of a queued job in the projected claim order (the memory order's placeOf): { position, roomPosition or 0 }.
-- O(levels + lanes of its priority), O(levels) for a job alone in the lane that joined the rotation last.
local function place(id)
  local prio, lane, room = job_fields(id)
  local round = redis.call('LPOS', K.lane(prio, lane), id)
  local ahead = 0
  local room_ahead = 0
  for _, higher in ipairs(redis.call('ZRANGEBYSCORE', K.levels, '(' .. prio, '+inf')) do
    ahead = ahead + tonumber(redis.call('HGET', K.levelSize, higher) or '0')
    if room ~= '' then room_ahead = room_ahead + redis.call('LLEN', K.lane(higher, lane)) end
  end
  if round == 0 and redis.call('LINDEX', K.rotation(prio), -1) == lane then
    -- A lone job in the lane last in the rotation (a new room's or user's first job): every other lane's head goes
    -- first, so an add costs O(levels) rather than a read of every lane.
    ahead = ahead + redis.call('LLEN', K.rotation(prio)) - 1
  else
    local before_mine = true
    for _, other in ipairs(redis.call('LRANGE', K.rotation(prio), 0, -1)) do
      if other == lane then
        before_mine = false
        ahead = ahead + round
      else
        local length = redis.call('LLEN', K.lane(prio, other))
        ahead = ahead + math.min(length, round)
        -- In my round, the lanes ahead of mine in the rotation go first.
        if before_mine and length > round then ahead = ahead + 1 end
      end
    end
  end
  if room == '' then return { ahead + 1, 0 } end
  return { ahead + 1, room_ahead + round + 1 }
end
`;
