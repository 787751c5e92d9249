// Public surface of the rooms module: transport-free room logic, interactive runs, event shapes and options.
export { CLIENT_EVENTS, INTERACTIVE_CLIENT_EVENTS, INTERACTIVE_SERVER_EVENTS, SERVER_EVENTS, type ClientEvent, type InteractiveClientEvent } from '../contract/realtime.js';
export type * from '../contract/realtime.js';
export { RoomHub, type AckBody, type RoomHubOptions } from './room-hub.js';
export type { RoomHubDeps, RoomService, RoomStore } from './room-context.js';
export type { RoomConnection, RoomTransport } from './room-transport.js';
export { CODE_TEXT_NAME } from './room-document.js';
export { TokenBucket } from './rate-limiter.js';
export { DEFAULT_REALTIME_OPTIONS, resolveRealtimeOptions, type RateLimitOptions, type RealtimeOptions } from './realtime-options.js';
export { InteractiveRun, type IdleTimeoutSettings, type InteractiveRunDeps, type InteractiveService } from './interactive-run.js';
export type { AppendGuard, AppendOutcome, ClusterMember, ClusterRoomEvent, RoomCluster, RoomClusterHandlers, StreamPoint } from './room-cluster.js';
