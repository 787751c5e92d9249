// The Dockerfile and compose.yaml, checked without a container engine: they parse, reuse the setup script, and every command and variable they give a node is one Runlane understands.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { runRunlaneToExit } from '../support/runlane-process.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const read = (file: string) => readFileSync(`${ROOT}/${file}`, 'utf8');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  privileged?: boolean;
  cgroup?: string;
  depends_on?: Record<string, { condition: string }>;
}

/** compose's `${NAME:-default}` with every variable unset: what `docker compose up` gives a node without a .env file. */
function withDefaults(value: string): string {
  return value.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');
}

const compose = load(read('compose.yaml')) as { services: Record<string, ComposeService> };
const services = compose.services;
const runlaneNodes = Object.entries(services).filter(([, service]) => service.image === 'runlane:local');
const envOf = (service: ComposeService) => Object.fromEntries(Object.entries(service.environment ?? {}).map(([name, value]) => [name, withDefaults(String(value))]));
const commandOf = (service: ComposeService) => (service.command ?? ['serve']).map(withDefaults);

describe('compose.yaml', () => {
  it('should define Redis, PostgreSQL, two API nodes and workers, built from this Dockerfile', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['redis', 'postgres', 'api-1', 'api-2', 'worker']));
    expect(runlaneNodes.map(([name]) => name).sort()).toEqual(['api-1', 'api-2', 'worker']);
    for (const [, service] of runlaneNodes) expect(service.build).toBe('.');
  });

  it('should give every node the same queue and store through the seed variables, as the config loader reads them', () => {
    const configs = runlaneNodes.map(([, service]) => loadConfig({ env: envOf(service), flags: {} }));
    for (const config of configs) {
      expect(config.redis.url).toBe('redis://redis:6379');
      expect(config.database.url).toMatch(/^postgres:\/\/runlane:[^@]+@postgres:5432\/runlane\?schema=runlane$/);
    }
    expect(new Set(configs.map((config) => config.redis.prefix)).size).toBe(1);
  });

  it('should run API nodes as serve --workers 0 and workers as worker, privileged with a cgroup namespace of their own', () => {
    for (const name of ['api-1', 'api-2']) expect(commandOf(services[name]!)).toEqual(['serve', '--workers', '0']);
    expect(commandOf(services.worker!)).toEqual(['worker', '--concurrency', '2']);
    for (const [, service] of runlaneNodes) expect(service).toMatchObject({ privileged: true, cgroup: 'private' });
    // Workers and the second API node wait for the first, which creates the schema.
    expect(services.worker!.depends_on).toHaveProperty('api-1');
    expect(services['api-2']!.depends_on).toHaveProperty('api-1');
  });

  it('should use commands and flags the runlane CLI has', async () => {
    for (const command of new Set(runlaneNodes.map(([, service]) => commandOf(service)[0]!))) {
      const { code, output } = await runRunlaneToExit([command, '--help']);
      expect(code).toBe(0);
      for (const [, service] of runlaneNodes.filter(([, candidate]) => commandOf(candidate)[0] === command)) {
        for (const flag of commandOf(service).filter((arg) => arg.startsWith('--'))) expect(output).toContain(flag);
      }
    }
  }, 60_000);
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));

  it('should start from Node 20 on bookworm and run the setup script rather than a package list of its own', () => {
    expect(instructions[0]).toBe('FROM node:20-bookworm');
    const runs = instructions.filter((line) => line.startsWith('RUN '));
    expect(runs.some((line) => /\bbash scripts\/setup\.sh\b/.test(line))).toBe(true);
    expect(instructions.join('\n')).not.toMatch(/apt-get install/);
    // What setup.sh builds must come from the build, not from the build context.
    const ignored = read('.dockerignore').split('\n').map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', 'native/build']));
  });

  it('should run the built CLI, which setup.sh builds', () => {
    expect(dockerfile).toContain('ENTRYPOINT ["node", "/opt/runlane/bin/runlane.js"]');
    expect(read('bin/runlane.js')).toContain("from '../dist/cli/main.js'");
    expect(read('scripts/setup.sh')).toMatch(/npm run build/);
    expect(read('scripts/setup.sh')).toMatch(/build_seccomp_filter\nbuild_launcher\nbuild_resident_init\ninstall_node_modules/);
  });

  it('should set only variables the config loader knows', () => {
    const env = Object.fromEntries([...dockerfile.matchAll(/^\s*(?:ENV\s+)?([A-Z_]+)=(\S+?)\s*\\?$/gm)].map((match) => [match[1]!, match[2]!]));
    expect(Object.keys(env)).toEqual(expect.arrayContaining(['HOST', 'PORT', 'RUNLANE_DATA_DIR']));
    const { NODE_ENV: _nodeEnv, ...runlaneEnv } = env;
    const config = loadConfig({ env: runlaneEnv, flags: {} });
    expect(config).toMatchObject({ server: { host: '0.0.0.0', port: 8080 }, dataDir: '/var/lib/runlane' });
  });
});
