// Periodically deletes finished executions older than the retention period.
import type { Config } from '../config/index.js';
import type { Logger } from '../logging/logger.js';
import type { Store } from '../store/store.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export class RetentionSweeper {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: Store,
    private readonly retention: Config['retention'],
    private readonly logger: Logger,
  ) {}

  start(): void {
    if (this.timer) return;
    void this.sweepNow();
    this.timer = setInterval(() => void this.sweepNow(), this.retention.sweepIntervalMs);
    // The sweep must never keep a finished process alive.
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Deletes what is past retention; returns how many executions went. */
  async sweepNow(now = Date.now()): Promise<number> {
    try {
      const removed = await this.store.sweep(new Date(now - this.retention.days * DAY_MS));
      if (removed > 0) this.logger.info({ removed, retentionDays: this.retention.days }, 'swept old executions');
      return removed;
    } catch (error) {
      this.logger.error({ err: error }, 'retention sweep failed; it will be retried at the next interval');
      return 0;
    }
  }
}
