// Public surface of the realtime transport.
export { attachRealtime, INTERACTIVE_NAMESPACE, type AttachRealtimeOptions, type Realtime, type RealtimeConnections } from './attach-realtime.js';
export type { SocketData } from './handshake-auth.js';
