// The service's own name and version, read once from its package.json; the fallback keeps a broken install serving.
import { readFileSync } from 'node:fs';

/** Name and version of the running Runlane, as published. */
export interface PackageInfo {
  name: string;
  version: string;
}

/** Reads `package.json` next to the sources; `runlane 0.0.0` when it cannot be read. */
export function readPackageInfo(): PackageInfo {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
    return {
      name: typeof manifest.name === 'string' ? manifest.name : 'runlane',
      version: typeof manifest.version === 'string' ? manifest.version : '0.0.0',
    };
  } catch {
    return { name: 'runlane', version: '0.0.0' };
  }
}
