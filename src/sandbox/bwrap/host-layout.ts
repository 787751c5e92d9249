// The read-only system view every run gets: /usr, merged-/usr links, a curated /etc and synthetic account files.
import { lstat, mkdir, readdir, readlink, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';

/** Uid and gid of the program inside the sandbox (mapped to the run's pool uid on the host). */
export const SANDBOX_UID = 1000;

/** Top-level entries that are either merged-/usr symlinks or real directories on older layouts. */
const SYSTEM_TOP_LEVEL = ['bin', 'sbin', 'lib', 'lib32', 'lib64', 'libx32'];

/**
 * /etc entries toolchains need and that reveal nothing about the host: the loader cache, the alternatives links
 * (java, cc, …), Java's config, public CA certificates, time zone and a few lookup tables. Never shadow, ssh, or machine ids.
 */
const ETC_ALLOWLIST = [
  'ld.so.cache',
  'ld.so.conf',
  'ld.so.conf.d',
  'alternatives',
  'ssl/certs',
  'ssl/openssl.cnf',
  'ca-certificates',
  'localtime',
  'timezone',
  'nsswitch.conf',
  'protocols',
  'services',
  'mime.types',
  'os-release',
];

/** /etc entries matched by prefix (versioned toolchain config directories). */
const ETC_PREFIXES = ['java-'];

const PASSWD = `root:x:0:0:root:/nonexistent:/usr/sbin/nologin\nrunner:x:${SANDBOX_UID}:${SANDBOX_UID}:runner:/box:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`;
const GROUP = `root:x:0:\nrunner:x:${SANDBOX_UID}:\nnogroup:x:65534:\n`;
const HOSTS = '127.0.0.1\tlocalhost\n::1\tlocalhost\n';

/** bwrap arguments describing the system part of the sandbox, computed once at start-up. */
export interface HostLayout {
  /** `--ro-bind`/`--symlink`/`--dir` arguments for /usr, merged-/usr links, /etc and extra read-only paths. */
  systemArgs: string[];
}

export interface HostLayoutOptions {
  /** Directory (under runRoot) for the synthetic /etc/passwd, /etc/group and /etc/hosts. */
  etcDir: string;
  /** Extra host paths bound read-only at the same place (e.g. a toolchain under /opt). */
  readOnlyPaths?: readonly string[];
  /** Host root to inspect; `/` except in tests. */
  hostRoot?: string;
}

/** Writes the synthetic account files and computes the bind list for this host's layout. */
export async function prepareHostLayout(options: HostLayoutOptions): Promise<HostLayout> {
  const hostRoot = options.hostRoot ?? '/';
  await mkdir(options.etcDir, { recursive: true, mode: 0o755 });
  await writeAtomically(join(options.etcDir, 'passwd'), PASSWD);
  await writeAtomically(join(options.etcDir, 'group'), GROUP);
  await writeAtomically(join(options.etcDir, 'hosts'), HOSTS);

  const args = ['--ro-bind', join(hostRoot, 'usr'), '/usr'];
  for (const name of SYSTEM_TOP_LEVEL) {
    const info = await lstat(join(hostRoot, name)).catch(() => null);
    if (!info) continue;
    if (info.isSymbolicLink()) args.push('--symlink', await readlink(join(hostRoot, name)), `/${name}`);
    else if (info.isDirectory()) args.push('--ro-bind', join(hostRoot, name), `/${name}`);
  }

  args.push('--dir', '/etc');
  const etcEntries = [...ETC_ALLOWLIST];
  const etcNames = await readdir(join(hostRoot, 'etc')).catch(() => [] as string[]);
  for (const name of etcNames) if (ETC_PREFIXES.some((prefix) => name.startsWith(prefix))) etcEntries.push(name);
  for (const entry of etcEntries) {
    const source = join(hostRoot, 'etc', entry);
    if (!(await lstat(source).catch(() => null))) continue;
    // --ro-bind-try: a dangling alternative or a file removed since start-up must not fail every run.
    args.push('--ro-bind-try', source, `/etc/${entry}`);
  }
  for (const name of ['passwd', 'group', 'hosts']) args.push('--ro-bind', join(options.etcDir, name), `/etc/${name}`);
  for (const path of options.readOnlyPaths ?? []) args.push('--ro-bind', path, path);
  return { systemArgs: args };
}

/** Several servers may share a runRoot: write to a temporary name and rename so no reader sees a half file. */
async function writeAtomically(path: string, content: string): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`;
  await writeFile(temporary, content, { mode: 0o644 });
  await rename(temporary, path);
}
