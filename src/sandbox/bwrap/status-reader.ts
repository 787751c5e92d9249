// Parses the status stream: the prologue's `ready`, then bwrap's --json-status-fd objects (program pid, exit code).

/** Accumulates the status stream; the prologue writes `ready`, bwrap one JSON object per line. */
export class StatusReader {
  ready = false;
  childPid: number | null = null;
  exitCode: number | null = null;
  private buffered = '';

  /** @param onChange called after each chunk that changed `ready` or `childPid` */
  constructor(private readonly onChange: () => void = () => undefined) {}

  push(chunk: Buffer | string): void {
    const before = `${this.ready}:${this.childPid}`;
    this.pushText(chunk.toString());
    if (`${this.ready}:${this.childPid}` !== before) this.onChange();
  }

  private pushText(text: string): void {
    this.buffered += text;
    let newline: number;
    while ((newline = this.buffered.indexOf('\n')) >= 0) {
      this.parse(this.buffered.slice(0, newline));
      this.buffered = this.buffered.slice(newline + 1);
    }
    // The last object may arrive without a newline before the descriptor closes.
    if (this.buffered.trim().endsWith('}')) {
      this.parse(this.buffered);
      this.buffered = '';
    }
  }

  private parse(line: string): void {
    if (line.trim() === '') return;
    if (line.trim() === 'ready') {
      this.ready = true;
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const record = value as Record<string, unknown>;
    if (typeof record['child-pid'] === 'number') this.childPid = record['child-pid'];
    if (typeof record['exit-code'] === 'number') this.exitCode = record['exit-code'];
  }
}
