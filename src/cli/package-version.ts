// The version of this Runlane install, from its package.json, for `runlane --version`.
import { readFileSync } from 'node:fs';

/** `package.json` sits two levels up from both `src/cli/` and the built `dist/cli/`. */
export function packageVersion(manifestUrl: URL = new URL('../../package.json', import.meta.url)): string {
  const manifest = JSON.parse(readFileSync(manifestUrl, 'utf8')) as { version?: unknown };
  if (typeof manifest.version !== 'string') throw new Error('package.json has no version');
  return manifest.version;
}
