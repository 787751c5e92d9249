// Executions requested from a room: submit through the service, status and history snapshots, cancellation.
import { viewExecution } from '../domain/access.js';
import { buildExecutionRequest } from './build-request.js';
import type { ExecuteCode, HistoryRequest } from './client-payloads.js';
import { historyEntry, queueFigures } from './execution-payloads.js';
import type { RoomContext } from './room-context.js';
import type { RoomConnection } from './room-transport.js';
import { SERVER_EVENTS, type ExecuteCodeAck, type ExecutionHistoryEvent, type ExecutionStatusEvent } from '../contract/realtime.js';
import { withRoomPositionAlias } from '../contract/seed-aliases.js';

/** What `execute-code` acknowledges (see the contract). */
export type ExecuteAck = ExecuteCodeAck;

const DEFAULT_HISTORY = 20;

/** The execution requests of room members, answered through the submission service. */
export class RoomExecutions {
  constructor(private readonly context: RoomContext) {}

  /**
   * Submits through the same service as REST, with the room attached. Broadcasts are not sent from here: they come from
   * the service's events, so a REST submission with a roomId reaches the room the same way.
   */
  async execute(connection: RoomConnection, payload: ExecuteCode): Promise<ExecuteAck> {
    this.context.member(connection, payload.roomId);
    const { service } = this.context.deps;
    const outcome = await service.submit({
      request: buildExecutionRequest(payload, service.languages()),
      user: connection.identity,
      roomId: payload.roomId,
      priorityKind: payload.priority ?? 'run',
      correlationId: payload.correlationId ?? null,
    });
    const { submission } = outcome;
    return withRoomPositionAlias({
      executionId: submission.id,
      correlationId: submission.correlationId,
      status: submission.status,
      roomPosition: outcome.roomPosition,
      queuePosition: outcome.position,
      duplicate: outcome.duplicate,
    });
  }

  /** Sends `execution-status` to the asking connection and returns it for the ack. */
  async status(connection: RoomConnection, roomIdOrNone: string | undefined): Promise<ExecutionStatusEvent> {
    const roomId = this.context.resolveRoomId(connection, roomIdOrNone);
    return this.context.sequencer.run(roomId, async () => {
      const room = this.context.member(connection, roomId);
      const snapshot = await this.context.deps.service.snapshot(roomId);
      const status: ExecutionStatusEvent = { ...this.context.base(room), ...queueFigures(snapshot, this.context.deps.caps) };
      this.context.deps.transport.send(connection.id, SERVER_EVENTS.executionStatus, status);
      return status;
    });
  }

  /** Sends `execution-history` (newest first) to the asking connection and returns it for the ack; others' private parts are left out. */
  async history(connection: RoomConnection, payload: HistoryRequest): Promise<ExecutionHistoryEvent> {
    const roomId = this.context.resolveRoomId(connection, payload.roomId);
    const limit = Math.min(payload.limit ?? DEFAULT_HISTORY, this.context.deps.options.maxHistory);
    return this.context.sequencer.run(roomId, async () => {
      const room = this.context.member(connection, roomId);
      const submissions = await this.context.deps.service.roomHistory(roomId, limit);
      const executions = submissions.map((submission) => historyEntry(viewExecution(connection.identity, submission).submission));
      const history: ExecutionHistoryEvent = { ...this.context.base(room), executions };
      this.context.deps.transport.send(connection.id, SERVER_EVENTS.executionHistory, history);
      return history;
    });
  }

  /** Cancels one's own queued execution with the same rules and codes as `DELETE /submissions/:id`. */
  async cancel(connection: RoomConnection, executionId: string): Promise<{ executionId: string; status: string }> {
    const submission = await this.context.deps.service.cancel(executionId, connection.identity);
    return { executionId: submission.id, status: submission.status };
  }
}
