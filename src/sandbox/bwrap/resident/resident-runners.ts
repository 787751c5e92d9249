// The resident kind of runner: one sandbox per slot, its namespaces built once, each command a child its PID 1 forks.
import type { Logger } from '../../../logging/logger.js';
import type { HostLayout } from '../host-layout.js';
import { SANDBOX_UID } from '../host-layout.js';
import type { RunnerKind } from '../pool/runner-kind.js';
import type { Slot } from '../pool/slot.js';
import { ResidentHandle } from './resident-handle.js';
import { RESIDENT_STATUS_FD } from './resident-init.js';
import { residentBwrapOptions } from './resident-options.js';
import { ResidentRunner } from './resident-runner.js';

export interface ResidentRunnersOptions {
  bwrapPath: string;
  /** native/build/runlane-resident-init. */
  initPath: string;
  layout: HostLayout;
  /** Classic BPF bytes of the seccomp filter each program is started under. */
  seccompFilter: Buffer;
  hostEnv: NodeJS.ProcessEnv;
  logger: Logger;
  /** The cgroup v2 directory run groups are created in (PID 1 creates children straight into them); null on v1 or without cgroups. */
  cgroupParentDir: string | null;
}

/** Starts a resident with every new slot and stops it with the slot; each command parks a child in it. */
export function residentRunners(options: ResidentRunnersOptions): RunnerKind {
  const residents = new Map<Slot, ResidentHandle>();
  return {
    async attach(slot) {
      const { workDir } = slot;
      const handle = await ResidentHandle.start(
        {
          bwrapPath: options.bwrapPath,
          initPath: options.initPath,
          bwrapOptions: residentBwrapOptions({ systemArgs: options.layout.systemArgs, slotDir: workDir.root, initPath: options.initPath, statusFd: RESIDENT_STATUS_FD, cgroupParentDir: options.cgroupParentDir }),
          seccompFilter: options.seccompFilter,
          hostUid: slot.uid,
          sandboxUid: SANDBOX_UID,
          hostEnv: options.hostEnv,
          logger: options.logger,
        },
        options.logger,
      );
      residents.set(slot, handle);
    },
    runner(slot, cgroup) {
      const handle = residents.get(slot);
      if (!handle) throw new Error(`slot of uid ${slot.uid} has no resident sandbox`);
      return new ResidentRunner(slot, cgroup, handle);
    },
    async detach(slot) {
      const handle = residents.get(slot);
      residents.delete(slot);
      await handle?.close().catch((error: unknown) => options.logger.error({ err: error, uid: slot.uid }, 'SANDBOX: a resident sandbox could not be stopped'));
    },
  };
}
