// Runs the project's dependency-cruiser rules over a copy of the fence fixture tree, with extra files written into it.
import { cp, mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseResult, type IConfiguration } from 'dependency-cruiser';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = join(REPO, 'test/fixtures/fences');

/** The rules exactly as `npm run fences` applies them. */
export const FENCE_CONFIG = createRequire(import.meta.url)(join(REPO, '.dependency-cruiser.cjs')) as Required<Pick<IConfiguration, 'forbidden' | 'options'>>;

/** Every rule name of the config. */
export const RULE_NAMES: string[] = FENCE_CONFIG.forbidden.map((rule) => rule.name ?? '');

/** One broken rule: which rule, and the import that broke it. */
export interface FenceViolation {
  rule: string;
  from: string;
  to: string;
}

/**
 * Copies the fixture tree to a temp dir, writes `files` (path under the tree → source) over it, cruises `src/` there with the
 * project's rules and returns the violations. The copy is removed afterwards.
 */
export async function cruiseFixture(files: Record<string, string> = {}): Promise<FenceViolation[]> {
  const root = await mkdtemp(join(tmpdir(), 'runlane-fences-'));
  try {
    await cp(FIXTURE, root, { recursive: true });
    // The driver packages resolve as they do in the repository, through its node_modules.
    await symlink(join(REPO, 'node_modules'), join(root, 'node_modules'), 'dir');
    for (const [path, source] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), source);
    }
    const reported = await cruise(
      ['src'],
      { ...FENCE_CONFIG.options, baseDir: root, ruleSet: { forbidden: FENCE_CONFIG.forbidden }, validate: true, outputType: 'json' },
      undefined,
      { tsConfig: extractTSConfig(join(root, 'tsconfig.json')) },
    );
    const result = (typeof reported.output === 'string' ? JSON.parse(reported.output) : reported.output) as ICruiseResult;
    return result.summary.violations.map((violation) => ({ rule: violation.rule.name, from: violation.from, to: violation.to }));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
