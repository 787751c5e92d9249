// Turns the service's execution events (after persistence) into attributed, sequenced room events.
import type { PositionChange, QueueEntry } from '../queue/job-queue.js';
import type { SubmissionEvent } from '../submissions/index.js';
import { completionFields, summaryFromEntry } from './execution-payloads.js';
import type { AppendGuard } from './room-cluster.js';
import type { RoomContext, SequencedEvent } from './room-context.js';
import { SERVER_EVENTS } from '../contract/realtime.js';

/**
 * The stages of an execution's news, in order. In a cluster every API node hears every execution event and tries to
 * publish it; the cluster publishes a stage only if nothing of a later or the same stage of that execution went out, so
 * each is published once and never after a later one. A queue position ranks by how far forward it moved.
 */
const STAGE = { queued: 1_000_000, position: 2_000_000, started: 3_000_000, finished: 4_000_000 } as const;

function stage(executionId: string, ranks: number[]): AppendGuard {
  return { kind: 'stage', executionId, ranks };
}

/** Subscribes to the service and broadcasts every room execution's lifecycle to its room. */
export class ExecutionBroadcaster {
  /** Room executions in flight, to attribute position changes (which carry only ids). */
  private readonly inFlight = new Map<string, QueueEntry>();
  private readonly unsubscribes: Array<() => void> = [];

  constructor(private readonly context: RoomContext) {}

  start(): void {
    this.unsubscribes.push(this.context.deps.service.subscribe((event) => this.handle(event)));
    if (this.context.deps.remoteOutcomes) this.unsubscribes.push(this.context.deps.remoteOutcomes((event) => this.handle(event)));
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
  }

  private handle(event: SubmissionEvent): void {
    if (event.type === 'positions') {
      this.positions(event.changes);
      return;
    }
    const entry = event.entry;
    if (!entry.roomId) return;
    const queued: SequencedEvent = { names: [SERVER_EVENTS.executionQueued], payload: summaryFromEntry(entry, 'queued') };
    const started: SequencedEvent = { names: [SERVER_EVENTS.executionStarted], payload: summaryFromEntry(entry, 'running') };
    // In a cluster each event is preceded by the earlier stages it implies (left out there if they went out already).
    const withEarlier = this.context.cluster !== null;
    switch (event.type) {
      case 'queued':
        this.inFlight.set(entry.id, entry);
        this.emit(entry.roomId, [queued], stage(entry.id, [STAGE.queued]));
        return;
      case 'started':
        this.inFlight.set(entry.id, entry);
        if (withEarlier) this.emit(entry.roomId, [queued, started], stage(entry.id, [STAGE.queued, STAGE.started]));
        else this.emit(entry.roomId, [started]);
        return;
      case 'completed': {
        this.inFlight.delete(entry.id);
        const completed: SequencedEvent = {
          names: [SERVER_EVENTS.executionCompleted, SERVER_EVENTS.executionResult],
          payload: { ...summaryFromEntry(entry, 'completed', event.finishedAt), ...completionFields(event.result) },
        };
        this.finish(entry.id, entry.roomId, withEarlier ? [queued, started] : [], completed);
        return;
      }
      case 'failed':
        this.inFlight.delete(entry.id);
        this.finish(entry.id, entry.roomId, withEarlier ? [queued, started] : [], {
          names: [SERVER_EVENTS.executionFailed],
          payload: { ...summaryFromEntry(entry, 'failed', event.finishedAt), error: event.error },
        });
        return;
      case 'cancelled':
        this.inFlight.delete(entry.id);
        this.finish(entry.id, entry.roomId, withEarlier ? [queued] : [], {
          names: [SERVER_EVENTS.executionCancelled],
          payload: { ...summaryFromEntry(entry, 'cancelled', event.finishedAt), cancelledBy: event.byUserId },
        });
        return;
    }
  }

  /** A final event, after the earlier stages it implies (only in a cluster; each stage ranked as in {@link STAGE}). */
  private finish(executionId: string, roomId: string, earlier: SequencedEvent[], final: SequencedEvent): void {
    const ranks = earlier.map((event) => (event.names[0] === SERVER_EVENTS.executionQueued ? STAGE.queued : STAGE.started));
    this.emit(roomId, [...earlier, final], stage(executionId, [...ranks, STAGE.finished]));
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
      if (this.context.cluster) {
        // One step per move: each carries its own guard (another node may have published some of these moves already).
        const position: SequencedEvent = { names: [SERVER_EVENTS.queuePosition], payload: summaryFromEntry(entry, 'queued') };
        const queued: SequencedEvent = { names: [SERVER_EVENTS.executionQueued], payload: summaryFromEntry(entry, 'queued') };
        this.emit(change.roomId, [queued, position], stage(change.jobId, [STAGE.queued, STAGE.position - (change.roomPosition ?? 0)]));
        continue;
      }
      const events = byRoom.get(change.roomId) ?? [];
      events.push({ names: [SERVER_EVENTS.queuePosition], payload: summaryFromEntry(entry, 'queued') });
      byRoom.set(change.roomId, events);
    }
    for (const [roomId, events] of byRoom) this.emit(roomId, events);
  }

  private emit(roomId: string, events: SequencedEvent[], guard?: AppendGuard): void {
    this.context.sequencer
      .run(roomId, () => this.context.emit(roomId, events, guard))
      .catch((error: unknown) => this.context.deps.logger.error({ err: error, roomId }, 'failed to emit execution events to a room'));
  }
}
