// Parses bwrap's --json-status-fd stream: the program's host pid when it starts, its exit code when it ends.

/** Accumulates the status stream; bwrap writes one JSON object per line. */
export class StatusReader {
  childPid: number | null = null;
  exitCode: number | null = null;
  private buffered = '';

  push(chunk: Buffer | string): void {
    this.buffered += chunk.toString();
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
