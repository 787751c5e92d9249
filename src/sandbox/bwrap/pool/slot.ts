// A pool slot: one host uid and the tmpfs work dir it owns, reused run after run.
import type { WorkDir } from '../../work-dir.js';

export interface Slot {
  /** Host uid every process of the slot's runs has; unique among live slots. */
  readonly uid: number;
  readonly workDir: WorkDir;
}
