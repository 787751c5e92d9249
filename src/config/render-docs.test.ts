// docs/configuration.md documents every key exactly as the schema says.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { envNameToPath } from './env.js';
import { renderConfigDocs } from './render-docs.js';

describe('configuration docs', () => {
  it('should be current (run `npm run docs:config` after changing the schema)', () => {
    expect(readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8')).toBe(renderConfigDocs());
  });

  it('should print env names that the loader maps back to the same key', () => {
    const docs = renderConfigDocs();
    for (const match of docs.matchAll(/\| `([a-zA-Z.]+)` \|.*`(RUNLANE_[A-Z_]+)` \|/g)) expect(envNameToPath(match[2]!)).toBe(match[1]);
  });
});
