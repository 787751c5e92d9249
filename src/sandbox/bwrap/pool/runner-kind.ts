// How a slot's runners are made: the cold kind spawns a prologue per command, the resident kind keeps one sandbox per slot.
import type { RunCgroup } from '../../cgroup/cgroup-driver.js';
import type { Slot } from './slot.js';
import { WarmProcess, type WarmSpawnOptions } from './warm-process.js';
import type { WarmRunner } from './warm-runner.js';

export interface RunnerKind {
  /** Starts what a fresh slot keeps for its whole life (the resident sandbox), once its work dir is mounted. */
  attach(slot: Slot): Promise<void>;
  /** A runner that waits in `cgroup` for one command on the slot. */
  runner(slot: Slot, cgroup: RunCgroup): WarmRunner;
  /** Ends what `attach` started, killing every process of it, before the slot's work dir is removed. Never throws. */
  detach(slot: Slot): Promise<void>;
}

/** Every command gets a prologue of its own that execs a fresh bwrap: namespaces built per command. */
export function coldRunners(spawn: WarmSpawnOptions): RunnerKind {
  return {
    attach: async () => undefined,
    runner: (slot, cgroup) => new WarmProcess(slot, cgroup, spawn),
    detach: async () => undefined,
  };
}
