// Keeps prologues warm (already in fresh cgroups, work dir mounted) so a run starts without the cgroup-attach stall or a mount.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../logging/logger.js';
import { AppError, SANDBOX_ERRORS } from '../../errors/index.js';
import type { CgroupDriver, RunCgroup } from '../cgroup/cgroup-driver.js';
import type { UidPool } from '../uid-pool.js';
import { normaliseSize, WorkDir, type WorkDirTools } from '../work-dir.js';
import type { Slot } from './slot.js';
import { WarmProcess, type WarmSpawnOptions } from './warm-process.js';

export interface RunnerPoolOptions {
  driver: CgroupDriver;
  uids: UidPool;
  /** Directory holding one tmpfs mount point per slot. */
  runsDir: string;
  workDirTools: WorkDirTools;
  spawn: WarmSpawnOptions;
  logger: Logger;
  /** Warm prologues kept waiting for runs; 0 starts every run cold. */
  warmTarget: number;
  /** Work dir size of slots created before any run asked for one, MiB. */
  initialWorkDirMb: number;
  /** Prefix of this server's cgroup names, so a later server can sweep them after a crash. */
  serverKey: string;
}

/**
 * Slots (uid + mounted work dir) are reused; cgroups never are: each warm prologue gets a fresh group, removed when its run
 * ends, so no counter or page-cache charge of one run leaks into the next.
 */
export class RunnerPool {
  private readonly idle: Slot[] = [];
  private readonly warm: WarmProcess[] = [];
  private readonly slots = new Set<Slot>();
  /** Cgroup removals in flight. */
  private readonly removals = new Set<Promise<void>>();
  /** Slot removals started after close(), awaited by it. */
  private readonly destroying: Promise<void>[] = [];
  private refilling: Promise<void> | null = null;
  private refillBlocked = false;
  private closed = false;
  private lastWorkDirMb: number;

  constructor(private readonly options: RunnerPoolOptions) {
    this.lastWorkDirMb = options.initialWorkDirMb;
  }

  /** A prologue for one run, warm when one is waiting, else started now; its work dir already has the requested size. */
  async acquire(workDirMb: number): Promise<WarmProcess> {
    if (this.closed) throw new AppError(SANDBOX_ERRORS.setupFailed, 'the sandbox is closed');
    this.lastWorkDirMb = workDirMb;
    const process = this.takeWarm(workDirMb) ?? (await this.createWarm(workDirMb));
    // The replacement is started by `refillSoon()` once this run's program is running: spawning is synchronous work on
    // the event loop and would otherwise slow this very start.
    this.refillBlocked = false;
    try {
      await process.slot.workDir.resize(workDirMb);
    } catch (error) {
      await this.abandon(process);
      throw error;
    }
    return process;
  }

  /** Returns a slot whose run is over and whose work dir has been emptied. */
  release(slot: Slot): void {
    if (this.closed) {
      this.destroying.push(this.destroySlot(slot));
      return;
    }
    this.idle.push(slot);
    this.scheduleRefill();
  }

  /** Gives up a slot whose work dir could not be emptied: unmounts it and frees its uid (or keeps the uid out of use if that fails). */
  async destroySlot(slot: Slot): Promise<void> {
    if (!this.slots.delete(slot)) return;
    try {
      await slot.workDir.destroy();
      this.options.uids.release(slot.uid);
    } catch (error) {
      this.options.logger.error({ err: error, uid: slot.uid }, 'SANDBOX: a work dir could not be removed; its uid stays out of use');
    }
  }

  /** Removes an emptied run cgroup in the background; `settled()` and `close()` wait for it. */
  retire(cgroup: RunCgroup): void {
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

  /** Waits until no refill is in flight (tests use it before counting cgroups). */
  async settled(): Promise<void> {
    while (this.refilling || this.removals.size > 0) {
      await this.refilling;
      await Promise.all([...this.removals]);
    }
  }

  /** Ends every warm prologue and removes every slot. */
  async close(): Promise<void> {
    this.closed = true;
    await this.settled();
    const warm = this.warm.splice(0);
    await Promise.all(warm.map((process) => this.abandon(process)));
    for (const slot of [...this.slots]) await this.destroySlot(slot);
    await Promise.all(this.destroying);
    this.idle.length = 0;
  }

  private takeWarm(workDirMb: number): WarmProcess | undefined {
    const alive = this.warm.filter((process) => process.exit === null);
    const pick =
      alive.find((process) => process.status.ready && process.slot.workDir.sizeMb === normaliseSize(workDirMb)) ??
      alive.find((process) => process.status.ready) ??
      alive[0];
    if (pick) this.warm.splice(this.warm.indexOf(pick), 1);
    return pick;
  }

  private async createWarm(workDirMb: number): Promise<WarmProcess> {
    const slot = this.idle.pop() ?? (await this.createSlot(workDirMb));
    let cgroup;
    try {
      cgroup = await this.options.driver.create(`${this.options.serverKey}-${randomUUID()}`, slot.uid);
    } catch (error) {
      this.idle.push(slot);
      throw new AppError(SANDBOX_ERRORS.setupFailed, `cannot create the run's cgroup: ${(error as Error).message}`, { cause: error });
    }
    return new WarmProcess(slot, cgroup, this.options.spawn);
  }

  private async createSlot(workDirMb: number): Promise<Slot> {
    const uid = this.options.uids.acquire();
    if (uid === null) throw new AppError(SANDBOX_ERRORS.busy, 'every sandbox uid is in use; retry when a run finishes');
    try {
      const workDir = await WorkDir.create(this.options.runsDir, `slot-${uid}-${randomUUID().slice(0, 8)}`, uid, workDirMb, this.options.workDirTools);
      const slot = { uid, workDir };
      this.slots.add(slot);
      return slot;
    } catch (error) {
      this.options.uids.release(uid);
      throw new AppError(SANDBOX_ERRORS.setupFailed, `cannot mount a work dir: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Kills a prologue that never ran a program, removes its cgroup and returns its slot. */
  async abandon(process: WarmProcess): Promise<void> {
    await process.discard();
    try {
      await process.cgroup.remove();
      this.release(process.slot);
    } catch (error) {
      this.options.logger.error({ err: error, uid: process.slot.uid }, 'SANDBOX: a waiting prologue\'s cgroup could not be removed; its slot stays out of use');
    }
  }

  private scheduleRefill(): void {
    if (this.refilling || this.closed || this.refillBlocked) return;
    // One prologue at a time, in the background: runs in flight keep most of the CPU.
    this.refilling = this.refill().finally(() => {
      this.refilling = null;
    });
  }

  private async refill(): Promise<void> {
    while (!this.closed && !this.refillBlocked && this.warm.length < this.options.warmTarget) {
      if (this.idle.length === 0 && this.options.uids.inUse >= this.options.uids.capacity) return;
      try {
        const process = await this.createWarm(this.lastWorkDirMb);
        if (this.closed) {
          await this.abandon(process);
          return;
        }
        this.warm.push(process);
        // A warm prologue that dies while waiting (killed from outside, failed to join) gives its slot back.
        void process.exited.then(() => {
          const index = this.warm.indexOf(process);
          if (index < 0) return;
          this.warm.splice(index, 1);
          if (!process.status.ready) {
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
