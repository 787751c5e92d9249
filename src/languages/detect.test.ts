// Detection reports each toolchain as installed with its version, or unavailable with a reason, and never throws.
import { describe, expect, it } from 'vitest';
import type { LanguageDefinition } from './language.js';
import { detectLanguage, detectLanguages, hostProber, parseVersion, requiredTools, type HostProberOptions } from './detect.js';

const toy: LanguageDefinition = {
  id: 'toy',
  aliases: [],
  displayName: 'Toy',
  extensions: ['.toy'],
  versionCommand: ['toyc', '--version'],
  versionPattern: 'toyc (\\d+\\.\\d+)',
  sourceFile: 'main.toy',
  compile: ['toyc', '{sources}'],
  run: ['toyrun', '{entry}'],
  debianPackages: ['toy'],
  editorMode: 'plain',
  helloWorld: 'Hello, World!',
};

const everywhere = async (name: string) => `/usr/bin/${name}`;
const onHost = (options: HostProberOptions) => ({ probe: hostProber(options) });

describe('when the toolchain is installed', () => {
  it('should report the parsed version', async () => {
    const status = await detectLanguage(toy, onHost({ findTool: everywhere, runCommand: async () => ({ output: 'toyc 4.2 (build 7)\n', error: null }) }));
    expect(status).toMatchObject({ id: 'toy', installed: true, version: '4.2', unavailableReason: null });
  });

  it('should run the version command by its resolved path', async () => {
    let seen: string[] = [];
    await detectLanguage(toy, onHost({ findTool: everywhere, runCommand: async (argv) => ((seen = argv), { output: 'toyc 1.0', error: null }) }));
    expect(seen).toEqual(['/usr/bin/toyc', '--version']);
  });
});

describe('when the toolchain is missing or broken', () => {
  it('should name the missing tool and its package', async () => {
    const status = await detectLanguage(toy, onHost({ findTool: async (name) => (name === 'toyrun' ? null : `/usr/bin/${name}`) }));
    expect(status.installed).toBe(false);
    expect(status.version).toBeNull();
    expect(status.unavailableReason).toContain('`toyrun` was not found');
    expect(status.unavailableReason).toContain('toy');
  });

  it('should report a failing or silent version command', async () => {
    const failed = await detectLanguage(toy, onHost({ findTool: everywhere, runCommand: async () => ({ output: '', error: 'timed out after 10 ms' }) }));
    expect(failed.unavailableReason).toContain('timed out');
    const garbled = await detectLanguage(toy, onHost({ findTool: everywhere, runCommand: async () => ({ output: 'what?', error: null }) }));
    expect(garbled.unavailableReason).toContain('could not read a version');
  });

  it('should report what the prober found missing, and survive a prober that fails', async () => {
    const [missing] = await detectLanguages([toy], { probe: async () => [{ missing: ['toyrun'], output: '', error: null }] });
    expect(missing!.unavailableReason).toContain('`toyrun` was not found');
    const [failed] = await detectLanguages([toy], { probe: async () => Promise.reject(new Error('sandbox closed')) });
    expect(failed).toMatchObject({ installed: false, unavailableReason: expect.stringContaining('sandbox closed') });
  });

  it('should not throw when the real command does not exist', async () => {
    const [status] = await detectLanguages([{ ...toy, versionCommand: ['runlane-no-such-tool-xyz', '--version'], compile: null, run: ['./main'] }]);
    expect(status!.installed).toBe(false);
  });
});

describe('when parsing helpers are used directly', () => {
  it('should find the version on any line', () => {
    expect(parseVersion('openjdk\njavac 17.0.15\n', 'javac (\\d+(?:\\.\\d+)*)')).toBe('17.0.15');
    expect(parseVersion('nothing', '(\\d+)')).toBeNull();
  });

  it('should list only bare tool names', () => {
    expect(requiredTools({ ...toy, run: ['./main'] })).toEqual(['toyc']);
    expect(requiredTools(toy)).toEqual(['toyc', 'toyrun']);
  });
});
