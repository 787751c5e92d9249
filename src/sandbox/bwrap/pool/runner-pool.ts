// Keeps prologues warm (already in fresh cgroups, work dir mounted) and recycles slots: reset and verified, or retired.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../../logging/logger.js';
import { AppError, SANDBOX_ERRORS } from '../../../errors/index.js';
import type { SandboxHealth } from '../../sandbox.js';
import type { CgroupDriver, RunCgroup } from '../../cgroup/cgroup-driver.js';
import type { UidPool } from '../../uid-pool.js';
import { normaliseSize, WorkDir, type WorkDirTools } from '../../work-dir.js';
import type { Slot } from './slot.js';
import type { RunnerKind } from './runner-kind.js';
import type { WarmRunner } from './warm-runner.js';

export interface RunnerPoolOptions {
  driver: CgroupDriver;
  uids: UidPool;
  /** Directory holding one tmpfs mount point per slot. */
  runsDir: string;
  workDirTools: WorkDirTools;
  /** Makes the runners commands wait in (cold prologues or a resident sandbox's parked children). */
  runners: RunnerKind;
  logger: Logger;
  /** Warm prologues kept waiting for runs; 0 starts every run cold. */
  warmTarget: number;
  /** Work dir size of slots created before any run asked for one, MiB. */
  initialWorkDirMb: number;
  /** Prefix of this server's cgroup names, so a later server can sweep them after a crash. */
  serverKey: string;
}

/**
 * Slots (uid + mounted work dir) are reused, but only through `recycle()`: emptied and verified empty, or retired for good.
 * Cgroups never are reused: each warm prologue gets a fresh group, removed when its run ends, so no counter or page-cache
 * charge of one run leaks into the next.
 */
export class RunnerPool {
  private readonly idle: Slot[] = [];
  private readonly warm: WarmRunner[] = [];
  private readonly slots = new Set<Slot>();
  /** Cgroup removals in flight. */
  private readonly removals = new Set<Promise<void>>();
  /** Slot resets in flight: their slots come back (or are retired) soon. */
  private readonly recycling = new Set<Promise<void>>();
  /** Slot removals started after close(), awaited by it. */
  private readonly destroying: Promise<void>[] = [];
  /** Callers of `acquire()` waiting for a slot that is being reset or turned into a warm prologue. */
  private waiters: Array<() => void> = [];
  private refilling: Promise<void> | null = null;
  private refillBlocked = false;
  private closed = false;
  private lastWorkDirMb: number;
  /** Slots retired since start-up; their uids stay out of use until the server restarts. */
  private retired = 0;

  constructor(private readonly options: RunnerPoolOptions) {
    this.lastWorkDirMb = options.initialWorkDirMb;
  }

  /**
   * A prologue for one run, warm when one is waiting, else started now; its work dir has the requested size and is
   * checked empty once more (one statfs) before it is handed out.
   */
  async acquire(workDirMb: number): Promise<WarmRunner> {
    for (;;) {
      if (this.closed) throw new AppError(SANDBOX_ERRORS.setupFailed, 'the sandbox is closed');
      this.lastWorkDirMb = workDirMb;
      const process = this.takeWarm(workDirMb) ?? (await this.createWarm(workDirMb, true));
      if (process === null) continue;
      // The replacement is started by `refillSoon()` once this run's program is running: spawning is synchronous work on
      // the event loop and would otherwise slow this very start.
      this.refillBlocked = false;
      try {
        await process.slot.workDir.resize(workDirMb);
      } catch (error) {
        this.options.logger.error({ err: error, uid: process.slot.uid }, 'SANDBOX: a work dir could not be resized');
        await this.abandon(process);
        throw new AppError(SANDBOX_ERRORS.setupFailed, 'the sandbox could not prepare the run', { cause: error });
      }
      if (await process.slot.workDir.isPristine().catch(() => false)) return process;
      // Nothing runs as the slot's uid while it waits, so this means the host changed it: never hand it to a run.
      await process.discard();
      await this.retireSlot(process.slot, new Error('the work dir was not empty when it was handed out'), false);
      this.removeCgroup(process.cgroup);
    }
  }

  /** Slot figures for /health: capacity left and how many slots were retired. */
  health(): SandboxHealth {
    return { slots: this.options.uids.capacity - this.retired, retired: this.retired };
  }

  /**
   * The only way a slot returns to use after a run or an abandoned set-up: the whole tmpfs is emptied and verified empty.
   * When that fails the slot is retired (and a fresh one replaces it on demand). Never throws.
   */
  async recycle(slot: Slot): Promise<void> {
    const work = this.resetOrRetire(slot);
    this.recycling.add(work);
    try {
      await work;
    } finally {
      this.recycling.delete(work);
      this.notify();
    }
  }

  /**
   * Takes a slot out of use for good: it is unmounted when possible and its uid is never handed out again until restart,
   * since the cause (processes that would not die, a tmpfs that would not empty) may still be there. /health reports it.
   */
  async retireSlot(slot: Slot, reason: unknown, processesMayRemain: boolean): Promise<void> {
    if (!this.slots.delete(slot)) return;
    this.retired++;
    this.options.logger.error(
      { err: reason, uid: slot.uid, processesMayRemain, retired: this.retired },
      'SANDBOX: a slot could not be reset and verified empty; it is retired and its uid kept out of use, so /health reports the sandbox degraded',
    );
    await this.options.runners.detach(slot);
    try {
      await slot.workDir.destroy();
    } catch (error) {
      this.options.logger.error({ err: error, uid: slot.uid }, 'SANDBOX: a retired slot\'s work dir could not be unmounted');
    }
    this.notify();
  }

  /** Gives up a healthy slot (at close, or when it cannot be used): unmounts it and frees its uid, or keeps the uid out of use if that fails. */
  async destroySlot(slot: Slot): Promise<void> {
    if (!this.slots.delete(slot)) return;
    await this.options.runners.detach(slot);
    try {
      await slot.workDir.destroy();
      this.options.uids.release(slot.uid);
    } catch (error) {
      this.options.logger.error({ err: error, uid: slot.uid }, 'SANDBOX: a work dir could not be removed; its uid stays out of use');
    }
  }

  /** Removes an emptied run cgroup in the background; `settled()` and `close()` wait for it. */
  removeCgroup(cgroup: RunCgroup): void {
    const removal = cgroup
      .remove()
      .catch((error: unknown) => this.options.logger.error({ err: error }, 'SANDBOX: an emptied run cgroup could not be removed'))
      .finally(() => this.removals.delete(removal));
    this.removals.add(removal);
  }

  /** Tops the warm prologues up again in the background (called once a run's program has started). */
  refillSoon(): void {
    this.scheduleRefill();
  }

  /** Waits until no refill, reset or cgroup removal is in flight (tests use it before counting cgroups and files). */
  async settled(): Promise<void> {
    while (this.refilling || this.removals.size > 0 || this.recycling.size > 0) {
      await this.refilling;
      await Promise.all([...this.removals, ...this.recycling]);
    }
  }

  /** Ends every warm prologue and removes every slot. */
  async close(): Promise<void> {
    this.closed = true;
    this.notify();
    await this.settled();
    const warm = this.warm.splice(0);
    await Promise.all(warm.map((process) => this.abandon(process)));
    for (const slot of [...this.slots]) await this.destroySlot(slot);
    await Promise.all(this.destroying);
    this.idle.length = 0;
  }

  /**
   * A cold prologue on a slot a workspace already holds (its next command), in a fresh cgroup. The slot stays the
   * workspace's: its files are the point of keeping it.
   */
  async prologueOn(slot: Slot): Promise<WarmRunner> {
    if (this.closed) throw new AppError(SANDBOX_ERRORS.setupFailed, 'the sandbox is closed');
    let cgroup;
    try {
      cgroup = await this.options.driver.create(`${this.options.serverKey}-${randomUUID()}`, slot.uid);
    } catch (error) {
      this.options.logger.error({ err: error }, 'SANDBOX: a run cgroup could not be created');
      throw new AppError(SANDBOX_ERRORS.setupFailed, 'the sandbox could not prepare the run', { cause: error });
    }
    return this.options.runners.runner(slot, cgroup);
  }

  /**
   * Ends a prologue that never ran a program and removes its cgroup, keeping its slot for the workspace holding it.
   * Returns false when the cgroup could not be removed: the slot was then retired (processes may remain).
   */
  async discardPrologue(process: WarmRunner): Promise<boolean> {
    await process.discard();
    try {
      // Without cgroups removal kills nothing, so anything of the slot's uid is killed (and verified gone) here.
      await process.cgroup.killAll();
      await process.cgroup.remove();
      return true;
    } catch (error) {
      await this.retireSlot(process.slot, error, true);
      return false;
    }
  }

  /** True while the slot is in use (not retired or destroyed). */
  holds(slot: Slot): boolean {
    return this.slots.has(slot);
  }

  /** Kills a prologue that never ran a program, removes its cgroup and recycles its slot (which a failed set-up may have written to). */
  async abandon(process: WarmRunner): Promise<void> {
    await process.discard();
    try {
      // Without cgroups removal kills nothing, so anything of the slot's uid is killed (and verified gone) here.
      await process.cgroup.killAll();
      await process.cgroup.remove();
    } catch (error) {
      await this.retireSlot(process.slot, error, true);
      return;
    }
    await this.recycle(process.slot);
  }

  private async resetOrRetire(slot: Slot): Promise<void> {
    try {
      await slot.workDir.reset();
    } catch (error) {
      await this.retireSlot(slot, error, false);
      return;
    }
    if (this.closed) {
      this.destroying.push(this.destroySlot(slot));
      return;
    }
    this.idle.push(slot);
    this.scheduleRefill();
  }

  private takeWarm(workDirMb: number): WarmRunner | undefined {
    const alive = this.warm.filter((process) => process.exit === null);
    const pick =
      alive.find((process) => process.isReady && process.slot.workDir.sizeMb === normaliseSize(workDirMb)) ??
      alive.find((process) => process.isReady) ??
      alive[0];
    if (pick) this.warm.splice(this.warm.indexOf(pick), 1);
    return pick;
  }

  /**
   * A new prologue on an idle or new slot. When every uid is leased but a slot is being reset or turned into a warm
   * prologue, `wait` waits for that and returns null (the caller looks again); otherwise the pool is busy.
   */
  private async createWarm(workDirMb: number, wait: boolean): Promise<WarmRunner | null> {
    const slot = this.idle.pop() ?? (await this.createSlot(workDirMb, wait));
    if (slot === null) return null;
    let cgroup;
    try {
      cgroup = await this.options.driver.create(`${this.options.serverKey}-${randomUUID()}`, slot.uid);
    } catch (error) {
      this.idle.push(slot);
      this.notify();
      this.options.logger.error({ err: error }, 'SANDBOX: a run cgroup could not be created');
      throw new AppError(SANDBOX_ERRORS.setupFailed, 'the sandbox could not prepare the run', { cause: error });
    }
    return this.options.runners.runner(slot, cgroup);
  }

  private async createSlot(workDirMb: number, wait: boolean): Promise<Slot | null> {
    const uid = this.options.uids.acquire();
    if (uid === null) {
      if (wait && (this.recycling.size > 0 || this.refilling !== null)) {
        await new Promise<void>((resolve) => this.waiters.push(resolve));
        return null;
      }
      throw new AppError(SANDBOX_ERRORS.busy, 'every sandbox slot is in use; retry when a run finishes');
    }
    let workDir: WorkDir;
    try {
      workDir = await WorkDir.create(this.options.runsDir, `slot-${uid}-${randomUUID().slice(0, 8)}`, uid, workDirMb, this.options.workDirTools);
    } catch (error) {
      this.options.uids.release(uid);
      this.options.logger.error({ err: error, uid }, 'SANDBOX: a work dir could not be mounted');
      throw new AppError(SANDBOX_ERRORS.setupFailed, 'the sandbox could not prepare the run', { cause: error });
    }
    const slot = { uid, workDir };
    this.slots.add(slot);
    try {
      await this.options.runners.attach(slot);
    } catch (error) {
      this.options.logger.error({ err: error, uid }, 'SANDBOX: a slot\'s sandbox could not be started');
      await this.destroySlot(slot);
      throw new AppError(SANDBOX_ERRORS.setupFailed, 'the sandbox could not prepare the run', { cause: error });
    }
    return slot;
  }

  /** Wakes callers waiting for a slot: one came back, a warm prologue was added, or a refill ended. */
  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private scheduleRefill(): void {
    if (this.refilling || this.closed || this.refillBlocked) return;
    // One prologue at a time, in the background: runs in flight keep most of the CPU.
    this.refilling = this.refill().finally(() => {
      this.refilling = null;
      this.notify();
    });
  }

  private async refill(): Promise<void> {
    while (!this.closed && !this.refillBlocked && this.warm.length < this.options.warmTarget) {
      if (this.idle.length === 0 && this.options.uids.inUse >= this.options.uids.capacity) return;
      try {
        const process = await this.createWarm(this.lastWorkDirMb, false);
        if (process === null) return;
        if (this.closed) {
          await this.abandon(process);
          return;
        }
        this.warm.push(process);
        this.notify();
        // A warm prologue that dies while waiting (killed from outside, failed to join) gives its slot back.
        void process.exited.then(() => {
          const index = this.warm.indexOf(process);
          if (index < 0) return;
          this.warm.splice(index, 1);
          if (!process.isReady) {
            // Likely to fail again (cgroup join, missing tool): stop refilling until a run asks for a prologue.
            this.refillBlocked = true;
            this.options.logger.error({ exit: process.exit }, 'SANDBOX: a waiting prologue died before it was ready');
          }
          void this.abandon(process);
        });
        await process.ready;
      } catch (error) {
        this.refillBlocked = true;
        this.options.logger.error({ err: error }, 'SANDBOX: could not start a waiting prologue; runs start cold until the next one succeeds');
      }
    }
  }
}
