// The Lua scripts that make each room step atomic in Redis: allocate sequence numbers and publish in one step, presence, stream points.

/**
 * Shared Lua helpers. The room's counter is seeded from the store the first time the cluster sees the room (ARGV seed,
 * empty when the caller does not know it yet: the script then answers -2 and the caller retries with the store's value).
 * Presence fields are `<node>|<connection>`; the members of a node whose alive key expired are dropped as they are read,
 * so a dead node's connections leave the lists within the alive key's lifetime.
 */
const HELPERS = `
local function seeded(seqKey, seed)
  local current = redis.call('GET', seqKey)
  if current then return tonumber(current) end
  if seed == '' then return nil end
  redis.call('SET', seqKey, seed)
  return tonumber(seed)
end
local function live(presenceKey, alivePrefix)
  local flat = redis.call('HGETALL', presenceKey)
  local members, alive = {}, {}
  for i = 1, #flat, 2 do
    local node = string.match(flat[i], '^([^|]*)|')
    if alive[node] == nil then alive[node] = redis.call('EXISTS', alivePrefix .. node) == 1 end
    if alive[node] then
      local member = cjson.decode(flat[i + 1])
      member.field = flat[i]
      table.insert(members, member)
    else
      redis.call('HDEL', presenceKey, flat[i])
    end
  end
  return members
end
local function users(members)
  local byUser, list = {}, {}
  for _, m in ipairs(members) do
    local u = byUser[m.userId]
    if not u then
      u = { userId = m.userId, displayName = m.displayName, avatar = m.avatar, role = m.role, joinedAt = m.joinedAt, connections = 0 }
      byUser[m.userId] = u
      table.insert(list, u)
    elseif m.joinedAt < u.joinedAt then
      u.joinedAt = m.joinedAt
    end
    u.connections = u.connections + 1
  end
  table.sort(list, function(a, b) return a.joinedAt < b.joinedAt end)
  return list
end
local function publishEvents(channel, roomId, first, eventsJson)
  redis.call('PUBLISH', channel, '{"k":"e","r":' .. cjson.encode(roomId) .. ',"f":' .. first .. ',"e":' .. eventsJson .. '}')
end
`;

/**
 * KEYS: sequence, code, stage, channel. ARGV: (unused), (unused), seed, guard kind, guard value, guard hash, roomId, then
 * one JSON text per event. A `stage` guard's value is one rank per event (comma-separated, increasing): only the events
 * ranked above the execution's published stage go out, so a stage that was never published goes out before a later one.
 * Returns {1, last, count} published, {0, 0} skipped by the guard, {-1, codeSequence} stale, {-2, 0} seed needed.
 */
export const APPEND_SCRIPT = `${HELPERS}
local kind = ARGV[4]
local selected, top = {}, 0
if kind == 'stage' then
  local published = tonumber(redis.call('GET', KEYS[3]) or '0')
  local index = 0
  for rank in string.gmatch(ARGV[5], '[^,]+') do
    index = index + 1
    if tonumber(rank) > published then
      table.insert(selected, ARGV[7 + index])
      top = tonumber(rank)
    end
  end
  if #selected == 0 then return {0, 0} end
else
  for index = 8, #ARGV do table.insert(selected, ARGV[index]) end
end
local count = #selected
local current = seeded(KEYS[1], ARGV[3])
if not current then return {-2, 0} end
if kind == 'code-change' then
  local codeSequence = tonumber(redis.call('HGET', KEYS[2], 'seq') or current)
  if codeSequence > tonumber(ARGV[5]) then return {-1, codeSequence} end
elseif kind == 'code-fold' and redis.call('HGET', KEYS[2], 'hash') == ARGV[5] then
  return {0, 0}
end
if kind == 'stage' then redis.call('SET', KEYS[3], top, 'PX', 3600000) end
local last = redis.call('INCRBY', KEYS[1], count)
if kind == 'code-change' then redis.call('HSET', KEYS[2], 'seq', last, 'hash', ARGV[6]) end
if kind == 'code-fold' then redis.call('HSET', KEYS[2], 'seq', last, 'hash', ARGV[5]) end
publishEvents(KEYS[4], ARGV[7], last - count + 1, '[' .. table.concat(selected, ',') .. ']')
return {1, last, count}
`;

/**
 * KEYS: presence, sequence, channel. ARGV: field, member JSON, joined event JSON, seed, roomId, alive prefix, userId.
 * Returns 1 when it published `user-joined`, 0 when the user was already there, -2 when the seed is needed (nothing done).
 */
export const JOIN_SCRIPT = `${HELPERS}
if not seeded(KEYS[2], ARGV[4]) then return -2 end
local members = live(KEYS[1], ARGV[6])
local first = true
for _, m in ipairs(members) do
  if m.userId == ARGV[7] then first = false end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if not first then return 0 end
table.insert(members, cjson.decode(ARGV[2]))
local event = cjson.decode(ARGV[3])
event.payload.users = users(members)
publishEvents(KEYS[3], ARGV[5], redis.call('INCRBY', KEYS[2], 1), '[' .. cjson.encode(event) .. ']')
return 1
`;

/**
 * KEYS: presence, sequence, channel. ARGV: field, left event JSON, seed, roomId, alive prefix.
 * Returns 1 when it published `user-left`, 0 otherwise, -2 when the seed is needed (nothing done).
 */
export const LEAVE_SCRIPT = `${HELPERS}
if not seeded(KEYS[2], ARGV[3]) then return -2 end
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
local userId = cjson.decode(stored).userId
local members = live(KEYS[1], ARGV[5])
for _, m in ipairs(members) do
  if m.userId == userId then return 0 end
end
local event = cjson.decode(ARGV[2])
event.payload.users = users(members)
publishEvents(KEYS[3], ARGV[4], redis.call('INCRBY', KEYS[2], 1), '[' .. cjson.encode(event) .. ']')
return 1
`;

/**
 * KEYS: presence, sequence, channel. ARGV: token, seed, roomId, alive prefix, node.
 * Publishes the room's last sequence and users at this point of the stream; returns 1, or -2 when the seed is needed.
 */
export const BARRIER_SCRIPT = `${HELPERS}
local current = seeded(KEYS[2], ARGV[2])
if not current then return -2 end
local list = users(live(KEYS[1], ARGV[4]))
redis.call('PUBLISH', KEYS[3], '{"k":"p","r":' .. cjson.encode(ARGV[3]) .. ',"n":' .. cjson.encode(ARGV[5]) .. ',"t":' .. cjson.encode(ARGV[1]) .. ',"s":' .. current .. ',"u":' .. cjson.encode(list) .. '}')
return 1
`;
