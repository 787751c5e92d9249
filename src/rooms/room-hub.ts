// The rooms facade a transport drives: one method per client event, connection lifecycle, and shutdown.
import { AppError, QUEUE_ERRORS } from '../errors/index.js';
import { parse } from './client-payloads.js';
import { ClusterInbox } from './cluster-inbox.js';
import { ExecutionBroadcaster } from './execution-broadcaster.js';
import { Membership } from './membership.js';
import { resolveRealtimeOptions, type RealtimeOptions } from './realtime-options.js';
import { RoomContext, type RoomHubDeps } from './room-context.js';
import { RoomExecutions } from './room-executions.js';
import type { RoomConnection } from './room-transport.js';
import type { ClientEvent } from '../contract/realtime.js';
import { SharedCode } from './shared-code.js';

export type RoomHubOptions = Omit<RoomHubDeps, 'options'> & { options?: RealtimeOptions };

/** What a handled client event acknowledges besides `ok: true`. */
export type AckBody = object;

/** Entry point of the rooms layer: the transport hands it connections and client events. */
export class RoomHub {
  private readonly context: RoomContext;
  private readonly code: SharedCode;
  private readonly membership: Membership;
  private readonly executions: RoomExecutions;
  private readonly broadcaster: ExecutionBroadcaster;
  private closed = false;
  private readonly handlers: Record<ClientEvent, (connection: RoomConnection, raw: unknown) => Promise<AckBody> | AckBody>;

  constructor(options: RoomHubOptions) {
    this.context = new RoomContext({ ...options, options: options.options ?? resolveRealtimeOptions() });
    if (options.cluster) this.context.inbox = new ClusterInbox(this.context, options.cluster);
    this.code = new SharedCode(this.context);
    this.membership = new Membership(this.context, this.code);
    this.executions = new RoomExecutions(this.context);
    this.broadcaster = new ExecutionBroadcaster(this.context);
    this.handlers = {
      'join-room': (connection, raw) => {
        const payload = parse.joinRoom(raw);
        return this.membership.join(connection, payload.roomId, payload.username);
      },
      'leave-room': (connection, raw) => this.membership.leave(connection, this.context.resolveRoomId(connection, parse.leaveRoom(raw).roomId)),
      'get-room-state': (connection, raw) => this.membership.resendState(connection, this.context.resolveRoomId(connection, parse.roomState(raw).roomId)),
      'code-change': (connection, raw) => this.code.change(connection, parse.codeChange(raw)),
      'execute-code': (connection, raw) => this.executions.execute(connection, parse.executeCode(raw)),
      'get-execution-status': (connection, raw) => this.executions.status(connection, parse.executionStatus(raw).roomId),
      'get-execution-history': (connection, raw) => this.executions.history(connection, parse.history(raw)),
      'cancel-execution': (connection, raw) => this.executions.cancel(connection, parse.cancel(raw).executionId),
      'yjs-sync': (connection, raw) => {
        this.code.sync(connection, parse.documentSync(raw));
        return {};
      },
      'yjs-awareness': (connection, raw) => {
        this.code.awareness(connection, parse.awareness(raw));
        return {};
      },
    };
  }

  get options(): RealtimeOptions {
    return this.context.deps.options;
  }

  /**
   * Starts relaying the service's execution events to rooms; on a cluster node it first starts receiving the cluster's
   * room stream, so nothing published once this resolves is missed.
   */
  async start(): Promise<void> {
    const { cluster } = this.context;
    if (cluster && this.context.inbox) await cluster.start(this.context.inbox);
    this.broadcaster.start();
  }

  connect(connection: RoomConnection): void {
    this.membership.connect(connection);
  }

  disconnect(connection: RoomConnection): Promise<void> {
    return this.membership.disconnect(connection);
  }

  /** Handles one client event; resolves with the ack body or rejects with an AppError for the error ack. */
  async handle(event: ClientEvent, connection: RoomConnection, raw: unknown): Promise<AckBody> {
    if (this.closed) throw new AppError(QUEUE_ERRORS.shuttingDown, 'the server is shutting down');
    return this.handlers[event](connection, raw);
  }

  /** Sends an `error` event to one connection (for events sent without an ack callback). */
  /** Stops relaying, saves every loaded room and forgets them. */
  async close(): Promise<void> {
    this.closed = true;
    this.broadcaster.stop();
    await Promise.all(
      [...this.context.rooms.values()].map((room) =>
        this.context.sequencer.run(room.roomId, async () => {
          if (!room.closed) await this.code.unload(room);
        }),
      ),
    );
    await this.context.sequencer.drain();
    await this.context.inbox?.drain();
  }
}
