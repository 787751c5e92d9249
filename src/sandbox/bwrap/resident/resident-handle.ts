// A slot's resident sandbox: started with the slot, one command at a time, replaced when it died or was left unusable.
import type { Logger } from '../../../logging/logger.js';
import { ResidentInit, type ResidentInitOptions } from './resident-init.js';

/**
 * Commands take turns (`turn`): the next command's child is parked only once the previous command ended, because the
 * resident's PID 1 checks its namespace between two commands. A resident that died is started afresh on the next turn.
 */
export class ResidentHandle {
  private init: ResidentInit;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    first: ResidentInit,
    private readonly options: ResidentInitOptions,
    private readonly logger: Logger,
  ) {
    this.init = first;
  }

  static async start(options: ResidentInitOptions, logger: Logger): Promise<ResidentHandle> {
    return new ResidentHandle(await ResidentInit.start(options), options, logger);
  }

  /** The resident serving the current turn. */
  current(): ResidentInit {
    return this.init;
  }

  /** Runs `task` once every earlier turn ended; a resident found dead is replaced first. */
  turn(task: (init: ResidentInit) => Promise<void>): Promise<void> {
    const next = this.queue.then(async () => {
      if (this.closed) throw new Error('the slot is being removed');
      // A plain state read: racing `exited` against a resolved promise always answered false, and attaching to the
      // long-lived `exited` on every turn kept each command's closures alive (found by the soak).
      if (this.init.hasExited) await this.replace('it exited');
      await task(this.init);
    });
    // A failed turn must not block the next one; its caller sees the failure.
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Replaces the resident within a turn (after a failure left it in an unknown state). */
  async restart(): Promise<void> {
    await this.replace('a command left it unusable');
  }

  /** Kills the resident and every process in it; never throws. */
  async close(): Promise<void> {
    this.closed = true;
    await this.init.close();
  }

  private async replace(why: string): Promise<void> {
    this.logger.warn({ uid: this.options.hostUid, why }, 'SANDBOX: starting a fresh resident sandbox for a slot');
    await this.init.close();
    if (this.closed) throw new Error('the slot is being removed');
    this.init = await ResidentInit.start(this.options);
  }
}
