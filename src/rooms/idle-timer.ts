// A one-shot timer that every sign of life restarts: how an interactive run notices that nobody is using it.

/** A timer restarted by every sign of life; fires at most once, and never after `stop()`. */
export class IdleTimer {
  private timer: NodeJS.Timeout;
  private stopped = false;
  /** True once it fired (the program was ended for being idle). */
  fired = false;

  constructor(private readonly ms: number, private readonly onIdle: () => void) {
    this.timer = this.arm();
  }

  /** Something happened: the idle time starts again. */
  touch(): void {
    if (this.fired || this.stopped) return;
    clearTimeout(this.timer);
    this.timer = this.arm();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private arm(): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.fired = true;
      this.onIdle();
    }, this.ms);
    timer.unref();
    return timer;
  }
}
