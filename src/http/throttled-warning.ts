// A warning that may fire thousands of times a second under attack, logged at most once per interval with a count.
import type { Logger } from '../logging/logger.js';

/** Logs the first occurrence, then at most one line per interval carrying how many occurred since the last line. */
export class ThrottledWarning {
  #count = 0;
  #lastLogAt = Number.NEGATIVE_INFINITY;

  /**
   * @param logger where the line goes
   * @param message the log message
   * @param intervalMs shortest interval between two lines
   */
  constructor(
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly message: string,
    private readonly intervalMs = 10_000,
  ) {}

  /** Records one occurrence; `fields` describe this one and are logged when a line is due. */
  note(fields: Record<string, unknown>): void {
    this.#count += 1;
    const now = Date.now();
    if (now - this.#lastLogAt < this.intervalMs) return;
    this.logger.warn({ ...fields, occurrences: this.#count }, this.message);
    this.#lastLogAt = now;
    this.#count = 0;
  }
}
