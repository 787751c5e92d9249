// Lua of the worker registry: heartbeat, deregister and list, on Redis's clock so expiry agrees across nodes.
import { LUA_KEYS } from '../redis-keys.js';

const CLOCK = `${LUA_KEYS}
local t = redis.call('TIME')
local NOW = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * Registers or renews a worker until NOW + ttl: its info, its place in the live set and in each of its languages'
 * sets (which the queue's add reads). Entries past their expiry are dropped on the way. Reply: NOW.
 * ARGV: base, id, info JSON, ttl ms, languages comma-separated.
 */
export const HEARTBEAT = `${CLOCK}
local id, info, ttl = ARGV[2], ARGV[3], tonumber(ARGV[4])
local expires_at = NOW + ttl
redis.call('ZREMRANGEBYSCORE', K.workers, '-inf', NOW)
redis.call('ZADD', K.workers, expires_at, id)
redis.call('HSET', K.worker(id), 'info', info, 'lastHeartbeat', NOW)
redis.call('PEXPIRE', K.worker(id), ttl)
for lang in string.gmatch(ARGV[5], '[^,]+') do
  redis.call('ZREMRANGEBYSCORE', K.servedBy(lang), '-inf', NOW)
  redis.call('ZADD', K.servedBy(lang), expires_at, id)
end
return NOW
`;

/** Removes a worker from the live set and its languages' sets. Reply: 1 | 0. ARGV: base, id, languages comma-separated. */
export const DEREGISTER = `${CLOCK}
local id = ARGV[2]
for lang in string.gmatch(ARGV[3], '[^,]+') do redis.call('ZREM', K.servedBy(lang), id) end
redis.call('DEL', K.worker(id))
return redis.call('ZREM', K.workers, id)
`;

/** Live workers. Reply: { { info JSON, lastHeartbeat }... } by id. ARGV: base. */
export const LIST_WORKERS = `${CLOCK}
local live = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', K.workers, '(' .. NOW, '+inf')) do
  local h = redis.call('HMGET', K.worker(id), 'info', 'lastHeartbeat')
  if h[1] then live[#live + 1] = { h[1], h[2] } end
end
return live
`;
