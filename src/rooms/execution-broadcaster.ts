// Turns the service's execution events (after persistence) into attributed, sequenced room events.
import type { PositionChange, QueueEntry } from '../queue/job-queue.js';
import type { SubmissionEvent } from '../submissions/index.js';
import { completionFields, summaryFromEntry } from './execution-payloads.js';
import type { RoomContext, SequencedEvent } from './room-context.js';
import { SERVER_EVENTS } from '../contract/realtime.js';

/** Subscribes to the service and broadcasts every room execution's lifecycle to its room. */
export class ExecutionBroadcaster {
  /** Room executions in flight, to attribute position changes (which carry only ids). */
  private readonly inFlight = new Map<string, QueueEntry>();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly context: RoomContext) {}

  start(): void {
    this.unsubscribe = this.context.deps.service.subscribe((event) => this.handle(event));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private handle(event: SubmissionEvent): void {
    if (event.type === 'positions') {
      this.positions(event.changes);
      return;
    }
    const entry = event.entry;
    if (!entry.roomId) return;
    switch (event.type) {
      case 'queued':
        this.inFlight.set(entry.id, entry);
        this.emit(entry.roomId, [{ names: [SERVER_EVENTS.executionQueued], payload: summaryFromEntry(entry, 'queued') }]);
        return;
      case 'started':
        this.inFlight.set(entry.id, entry);
        this.emit(entry.roomId, [{ names: [SERVER_EVENTS.executionStarted], payload: summaryFromEntry(entry, 'running') }]);
        return;
      case 'completed':
        this.inFlight.delete(entry.id);
        this.emit(entry.roomId, [
          {
            names: [SERVER_EVENTS.executionCompleted, SERVER_EVENTS.executionResult],
            payload: { ...summaryFromEntry(entry, 'completed', event.finishedAt), ...completionFields(event.result) },
          },
        ]);
        return;
      case 'failed':
        this.inFlight.delete(entry.id);
        this.emit(entry.roomId, [{ names: [SERVER_EVENTS.executionFailed], payload: { ...summaryFromEntry(entry, 'failed', event.finishedAt), error: event.error } }]);
        return;
      case 'cancelled':
        this.inFlight.delete(entry.id);
        this.emit(entry.roomId, [
          { names: [SERVER_EVENTS.executionCancelled], payload: { ...summaryFromEntry(entry, 'cancelled', event.finishedAt), cancelledBy: event.byUserId } },
        ]);
        return;
    }
  }

  /**
   * One `queue-position` per execution whose place in its room's queue changed, grouped by room so each room takes its
   * numbers at once. A move in the node-wide order alone is only recorded (the next event carries it): every dispatch
   * anywhere moves every queued job, and announcing each of those to each room would grow with the square of the queue.
   */
  private positions(changes: readonly PositionChange[]): void {
    const byRoom = new Map<string, SequencedEvent[]>();
    for (const change of changes) {
      if (!change.roomId) continue;
      const known = this.inFlight.get(change.jobId);
      if (known && known.roomPosition === change.roomPosition) {
        this.inFlight.set(change.jobId, { ...known, position: change.position });
        continue;
      }
      const entry: QueueEntry = known
        ? { ...known, position: change.position, roomPosition: change.roomPosition }
        : {
            // Only when the job was queued before this node subscribed: attribute with what the change carries.
            id: change.jobId,
            correlationId: change.jobId,
            roomId: change.roomId,
            userId: change.userId,
            displayName: change.userId,
            avatar: null,
            language: 'unknown',
            priority: 0,
            position: change.position,
            roomPosition: change.roomPosition,
            enqueuedAt: Date.now(),
            startedAt: null,
          };
      if (known) this.inFlight.set(change.jobId, entry);
      const events = byRoom.get(change.roomId) ?? [];
      events.push({ names: [SERVER_EVENTS.queuePosition], payload: summaryFromEntry(entry, 'queued') });
      byRoom.set(change.roomId, events);
    }
    for (const [roomId, events] of byRoom) this.emit(roomId, events);
  }

  private emit(roomId: string, events: SequencedEvent[]): void {
    this.context.sequencer
      .run(roomId, () => this.context.emit(roomId, events))
      .catch((error: unknown) => this.context.deps.logger.error({ err: error, roomId }, 'failed to emit execution events to a room'));
  }
}
