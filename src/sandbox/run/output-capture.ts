// Counts stdout + stderr against one shared byte budget while they stream, keeping at most the budget in memory.
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';

/** Captures a run's two output streams; `onExceeded` fires once when the budget is passed. */
export class OutputCapture {
  /** Streams handed to interactive callers; they carry exactly what is kept. */
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  private readonly kept = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
  private remaining: number;
  private exceeded = false;

  constructor(
    limitBytes: number,
    private readonly onExceeded: () => void,
  ) {
    this.remaining = Math.max(0, limitBytes);
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

  result(): { stdout: Buffer; stderr: Buffer } {
    return { stdout: Buffer.concat(this.kept.stdout), stderr: Buffer.concat(this.kept.stderr) };
  }

  private keep(which: 'stdout' | 'stderr', sink: PassThrough, chunk: Buffer): void {
    this.remaining -= chunk.length;
    this.kept[which].push(chunk);
    // Interactive callers that never read do not grow memory past the budget: the same bytes are referenced twice, not copied.
    if (!sink.destroyed) sink.write(chunk);
  }
}
