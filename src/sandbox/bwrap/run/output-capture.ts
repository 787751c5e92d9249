// Counts stdout + stderr against one shared byte budget while they stream, keeping at most the budget in memory.
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';

/** Bytes a stream starts with before its storage is sized for the whole budget. */
const SMALL_OUTPUT_BYTES = 64 * 1024;

/**
 * The kept bytes of one stream, copied in chunk by chunk as they arrive, so that handing them over at the end is a view,
 * not a copy: joining tens of megabytes at once would hold the event loop for hundreds of milliseconds. Past a small
 * start, the storage is reserved for the whole budget in one allocation; pages never written cost no memory.
 */
class KeptBytes {
  private storage: Buffer | null = null;
  private length = 0;

  constructor(private readonly capacity: number) {}

  append(chunk: Buffer): void {
    if (!this.storage || this.length + chunk.length > this.storage.length) this.grow(this.length + chunk.length);
    chunk.copy(this.storage!, this.length);
    this.length += chunk.length;
  }

  bytes(): Buffer {
    return this.storage ? this.storage.subarray(0, this.length) : Buffer.alloc(0);
  }

  private grow(needed: number): void {
    const size = needed <= SMALL_OUTPUT_BYTES ? SMALL_OUTPUT_BYTES : Math.max(needed, this.capacity);
    const next = Buffer.allocUnsafe(size);
    // At most SMALL_OUTPUT_BYTES are ever copied here: the second allocation already has room for the whole budget.
    if (this.storage) this.storage.copy(next, 0, 0, this.length);
    this.storage = next;
  }
}

/** Captures a run's two output streams; `onExceeded` fires once when the budget is passed. */
export class OutputCapture {
  /** Streams handed to interactive callers; they carry exactly what is kept. */
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  private readonly kept: { stdout: KeptBytes; stderr: KeptBytes };
  private remaining: number;
  private exceeded = false;

  constructor(
    limitBytes: number,
    private readonly onExceeded: () => void,
  ) {
    this.remaining = Math.max(0, limitBytes);
    this.kept = { stdout: new KeptBytes(this.remaining), stderr: new KeptBytes(this.remaining) };
  }

  /** Starts counting a child's stream; data past the budget is read and dropped so the pipe never blocks teardown. */
  attach(source: Readable, which: 'stdout' | 'stderr'): void {
    const sink = which === 'stdout' ? this.stdout : this.stderr;
    source.on('data', (chunk: Buffer) => {
      if (this.exceeded) return;
      if (chunk.length <= this.remaining) {
        this.keep(which, sink, chunk);
        return;
      }
      if (this.remaining > 0) this.keep(which, sink, chunk.subarray(0, this.remaining));
      this.exceeded = true;
      this.onExceeded();
    });
    source.once('close', () => sink.end());
    source.once('error', () => sink.end());
  }

  get limitExceeded(): boolean {
    return this.exceeded;
  }

  /** The kept bytes of each stream, as views: no copy is made here. */
  result(): { stdout: Buffer; stderr: Buffer } {
    return { stdout: this.kept.stdout.bytes(), stderr: this.kept.stderr.bytes() };
  }

  private keep(which: 'stdout' | 'stderr', sink: PassThrough, chunk: Buffer): void {
    this.remaining -= chunk.length;
    this.kept[which].append(chunk);
    // Interactive callers that never read do not grow memory past the budget: the same bytes are referenced twice, not copied.
    if (!sink.destroyed) sink.write(chunk);
  }
}
