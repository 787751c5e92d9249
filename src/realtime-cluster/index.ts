// Public surface of the rooms' cluster transport (Redis).
export { RedisRoomCluster, type RedisRoomClusterOptions } from './redis-room-cluster.js';
