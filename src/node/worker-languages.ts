// The languages a node's worker claims: those asked for (all by default) that are installed where it runs.
import { AppError, CONFIG_ERRORS } from '../errors/index.js';
import type { LanguageStatus } from '../languages/language.js';
import { findLanguage } from '../languages/lookup.js';

/** What a worker will serve, and what it was asked for but cannot (unknown names, or toolchains not installed here). */
export interface WorkerLanguages {
  served: string[];
  ignored: string[];
}

/**
 * Intersects `scheduler.workerLanguages` (comma-separated ids or aliases; null for all) with the installed languages.
 * An empty intersection would make a worker that never runs anything: refused with RUNLANE_ERR_CONFIG_INVALID.
 */
export function resolveWorkerLanguages(configured: string | null, languages: readonly LanguageStatus[]): WorkerLanguages {
  const installed = languages.filter((language) => language.installed);
  if (configured === null) return { served: installed.map((language) => language.id), ignored: [] };
  const served = new Set<string>();
  const ignored: string[] = [];
  for (const name of configured.split(',').map((part) => part.trim()).filter((part) => part !== '')) {
    const language = findLanguage(installed, name);
    if (language) served.add(language.id);
    else ignored.push(name);
  }
  if (served.size === 0) {
    throw new AppError(
      CONFIG_ERRORS.invalid,
      `invalid configuration: scheduler.workerLanguages: none of "${configured}" is installed on this machine, so this worker could run nothing; installed here: ${installed.map((language) => language.id).join(', ') || 'none'} (runlane languages lists them)`,
      { details: { key: 'scheduler.workerLanguages' } },
    );
  }
  return { served: [...served], ignored };
}
