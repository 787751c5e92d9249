// Lua of an add: read what admission looks at, then file the job only if that view still holds.
import { LUA_PRELUDE } from './prelude.js';

/**
 * The admission view read in one step, and the queue's view of duplicates. Reply: { expired rows, 'duplicate' } or
 * { expired rows, 'view', queued, roomQueued, userQueued, keyQueued, user's job id in the room or '', its startedAt
 * or '', its room position or 0 }.
 * ARGV: base, id, room, user, key ('' for none).
 */
export const ADMISSION_VIEW = `${LUA_PRELUDE}
local id, room, user, key = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local expired = sweep()
if redis.call('EXISTS', K.job(id)) == 1 then return { expired, 'duplicate' } end
local mine = ''
local started = ''
local room_position = 0
if room ~= '' then
  mine = redis.call('HGET', K.userInRoom, user_in_room(room, user)) or ''
  if mine ~= '' then
    started = redis.call('HGET', K.job(mine), 'startedAt') or ''
    if started == '' then room_position = place(mine)[2] end
  end
end
return { expired, 'view', tonumber(redis.call('GET', K.queued) or '0'), hget_number(K.roomQueued, room),
  hget_number(K.userQueued, user), hget_number(K.keyQueued, key), mine, started, room_position }
`;

/**
 * Files the job when the admission view the caller decided on is unchanged (same counts, same job of the user in the
 * room in the same state); otherwise replies 'changed' and the caller reads and decides again. With `must be served`
 * set, a job whose language no live worker serves (see the worker registry's keys) is refused as 'unserved', in the
 * same step, so it is never left queued for nobody. Reply: { expired rows, 'duplicate' | 'changed' | 'unserved' } or
 * { expired rows, 'added', row, position, roomPosition or 0 }.
 * ARGV: base, id, priority, lane, room, user, key, spec JSON, then the view: queued, roomQueued, userQueued,
 * keyQueued, the user's job id in the room, its startedAt; then the job's language and '1' when it must be served; then
 * its enqueuedAt (epoch ms), kept beside the spec so the oldest wait is read without decoding specs.
 */
export const ADD = `${LUA_PRELUDE}
local id, prio, lane, room, user, key, spec = ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7], ARGV[8]
local expired = sweep()
if redis.call('EXISTS', K.job(id)) == 1 then return { expired, 'duplicate' } end
local lang = ARGV[15] or ''
if ARGV[16] == '1' and redis.call('ZCOUNT', K.servedBy(lang), '(' .. NOW, '+inf') == 0 then return { expired, 'unserved' } end
local mine = ''
local started = ''
if room ~= '' then
  mine = redis.call('HGET', K.userInRoom, user_in_room(room, user)) or ''
  if mine ~= '' then started = redis.call('HGET', K.job(mine), 'startedAt') or '' end
end
if tonumber(redis.call('GET', K.queued) or '0') ~= tonumber(ARGV[9]) or hget_number(K.roomQueued, room) ~= tonumber(ARGV[10])
  or hget_number(K.userQueued, user) ~= tonumber(ARGV[11]) or hget_number(K.keyQueued, key) ~= tonumber(ARGV[12])
  or mine ~= ARGV[13] or started ~= ARGV[14] then
  return { expired, 'changed' }
end
redis.call('HSET', K.job(id), 'spec', spec, 'priority', prio, 'lane', lane, 'room', room, 'user', user, 'key', key, 'lang', lang, 'attempts', 0, 'enq', ARGV[17] or '')
enqueue(id, false)
if room ~= '' then redis.call('HSET', K.userInRoom, user_in_room(room, user), id) end
local at = place(id)
return { expired, 'added', row(id), at[1], at[2] }
`;
