// The compile cache key: a hash of everything that can change what a compile produces.
import { createHash } from 'node:crypto';
import type { ResourceLimits } from '../domain/limits.js';

export interface CompileKeyParts {
  languageId: string;
  /** Detected toolchain version: an upgraded compiler never reuses old artifacts. */
  version: string;
  /** Expanded compile argv (flags, file order, memory placeholder already applied). */
  argv: string[];
  env: Record<string, string>;
  /** Every file placed in the compile work dir, submitted or support. */
  files: { path: string; content: Buffer | string }[];
  limits: ResourceLimits;
}

/** sha256 over a length-prefixed encoding, so no two different inputs can concatenate to the same bytes. */
export function compileKey(parts: CompileKeyParts): string {
  const hash = createHash('sha256');
  const field = (value: Buffer | string) => {
    const bytes = typeof value === 'string' ? Buffer.from(value) : value;
    hash.update(`${bytes.length}:`);
    hash.update(bytes);
  };
  field(parts.languageId);
  field(parts.version);
  field(JSON.stringify(parts.argv));
  field(JSON.stringify(Object.entries(parts.env).sort(([a], [b]) => a.localeCompare(b))));
  field(JSON.stringify(Object.entries(parts.limits).sort(([a], [b]) => a.localeCompare(b))));
  for (const file of [...parts.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    field(file.path);
    field(file.content);
  }
  return hash.digest('hex');
}
