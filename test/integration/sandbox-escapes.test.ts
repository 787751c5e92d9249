// Hostile programs against the real sandbox, every implementation: each escape or abuse class is one table row with its expected outcome.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { SandboxRunResult, SandboxRunSpec } from '../../src/sandbox/sandbox.js';
import { createTestSandbox, describeEachImplementation, scaledMs, testLimits, type TestSandbox } from '../fixtures/sandbox/harness.js';

// Planted before the sandbox exists: if any part of the server's environment reached a run, this value would show.
const SECRET = `runlane-secret-${randomUUID()}`;
process.env.RUNLANE_TEST_SECRET = SECRET;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const serverFile = fileURLToPath(new URL('../../package.json', import.meta.url));
const thisFile = fileURLToPath(import.meta.url);
const probeSource = fileURLToPath(new URL('../fixtures/programs/hostile/seccomp-probe.c', import.meta.url));

interface Context {
  t: TestSandbox;
  port: number;
  /** The seccomp probe (test/fixtures/programs/hostile/seccomp-probe.c), compiled on the host. */
  probe: Buffer;
}

interface Row {
  name: string;
  spec: (ctx: Context) => Omit<SandboxRunSpec, 'limits'> & { limits?: SandboxRunSpec['limits'] };
  expect: (result: SandboxRunResult, ctx: Context) => void | Promise<void>;
}

const output = (result: SandboxRunResult) => result.stdout.toString() + result.stderr.toString();

/**
 * A row running the seccomp probe on one class of calls: every call must fail with the errno the filter gives it, which
 * differs from what the kernel answers without the filter (a call that succeeds, or fails for another reason).
 */
function blockedRow(name: string, probeClass: string, expected: Record<string, string>): Row {
  return {
    name: `seccomp: ${name}`,
    spec: ({ probe }) => ({ argv: ['./probe', probeClass], files: [{ path: 'probe', content: probe, mode: 0o755 }] }),
    expect: (result) => {
      expect(result.exitCode, output(result)).toBe(0);
      const lines = Object.entries(expected).map(([call, errno]) => `${call} ${errno}`);
      expect(result.stdout.toString().trim().split('\n')).toEqual(lines);
    },
  };
}

const each = (calls: string[], errno: string) => Object.fromEntries(calls.map((call) => [call, errno]));

const SECCOMP_ROWS: Row[] = [
  blockedRow('socket families other than unix, inet and inet6 (vsock, netlink, packet; junk in the upper half too)', 'sockets', each(['socket-vsock', 'socket-netlink', 'socket-packet', 'socket-netlink-high-bits', 'socketpair-netlink'], 'EAFNOSUPPORT')),
  blockedRow('io_uring', 'io_uring', each(['io_uring_setup', 'io_uring_enter', 'io_uring_register'], 'ENOSYS')),
  blockedRow('user-mode userfaultfd', 'userfaultfd', { userfaultfd: 'ENOSYS' }),
  blockedRow('perf_event_open', 'perf', { perf_event_open: 'ENOSYS' }),
  blockedRow('bpf', 'bpf', { bpf: 'ENOSYS' }),
  blockedRow('keyrings', 'keyrings', each(['keyctl', 'add_key', 'request_key'], 'ENOSYS')),
  blockedRow('kernel modules and kexec', 'modules', each(['init_module', 'finit_module', 'delete_module', 'kexec_load', 'kexec_file_load'], 'EPERM')),
  blockedRow('mounts, old and new API', 'mounts', each(['mount', 'umount2', 'pivot_root', 'open_tree', 'move_mount', 'fsopen', 'fsconfig', 'fsmount', 'fspick', 'mount_setattr'], 'EPERM')),
  blockedRow('namespaces: unshare, setns, clone with CLONE_NEWUSER, clone3', 'namespaces', { unshare: 'EPERM', setns: 'EPERM', 'clone-newuser': 'EPERM', clone3: 'ENOSYS' }),
  blockedRow('ptrace and process_vm_readv/writev', 'tracing', each(['ptrace-attach-child', 'process_vm_readv', 'process_vm_writev'], 'EPERM')),
  blockedRow('signals and ptrace aimed at pid 1', 'init', each(['kill-1', 'kill-1-high-bits', 'tgkill-1', 'tkill-1', 'pidfd_open-1', 'ptrace-attach-1'], 'EPERM')),
  blockedRow('memfd_secret', 'memfd_secret', { memfd_secret: 'ENOSYS' }),
  blockedRow('system administration (acct, swap, reboot, syslog, quotas, file handles)', 'administration', each(['acct', 'swapon', 'swapoff', 'reboot', 'syslog', 'quotactl', 'name_to_handle_at', 'open_by_handle_at'], 'EPERM')),
  blockedRow('unix, inet and inet6 sockets stay allowed', 'allowed-sockets', each(['socket-unix', 'socket-inet', 'socket-inet6', 'socketpair-unix'], 'ok')),
  {
    name: 'seccomp: a 32-bit syscall (int $0x80) or an x32 one cannot bypass the filter',
    spec: ({ probe }) => ({ argv: ['./probe', 'foreign-abi'], files: [{ path: 'probe', content: probe, mode: 0o755 }] }),
    expect: (result) => {
      const [i386, x32] = result.stdout.toString().trim().split('\n');
      // The filter kills a foreign-ABI call (SIGSYS); a kernel without i386 emulation faults on int $0x80 first (SIGSEGV).
      expect(i386).toMatch(/^i386-unshare killed by (SYS|SEGV)$/);
      expect(x32).toBe('x32-unshare killed by SYS');
    },
  },
  {
    name: 'seccomp: every process of the run is under the filter',
    // Lists every process the run can see as `pid uid seccomp-mode`. Under per-run bwrap PID 1 is bwrap's init, a process
    // of the run (uid 1000), so it must be filtered like the rest. A resident's PID 1 is not a process of the run: it sets
    // each run up (setuid, unshare), which the filter forbids, so it is unfiltered; what keeps it out of reach is its other
    // uid (and sandbox-pid1.test.ts proves it cannot be signalled, traced or read). So: uid 1000 means filtered, and the
    // only other process allowed is PID 1.
    spec: ({ probe }) => ({
      argv: ['sh', '-c', 'for f in /proc/[0-9]*/status; do awk \'/^Pid:/{p=$2} /^Uid:/{u=$2} /^Seccomp:/{s=$2} END{print p, u, s}\' "$f" 2>/dev/null; done; grep -H Seccomp: /proc/self/status; ./probe status'],
      files: [{ path: 'probe', content: probe, mode: 0o755 }],
    }),
    expect: (result) => {
      const stdout = result.stdout.toString();
      const processes = stdout.split('\n').filter((line) => /^\d+ \d+ \d+$/.test(line)).map((line) => line.split(' ').map(Number) as [number, number, number]);
      // At least PID 1 and the shell (the glob is expanded before any awk starts).
      expect(processes.map(([pid]) => pid), stdout).toContain(1);
      expect(processes.length, stdout).toBeGreaterThanOrEqual(2);
      for (const [pid, uid, mode] of processes) {
        if (uid === 1000) expect(mode, `pid ${pid}: ${stdout}`).toBe(2);
        else expect(pid, `a process of another uid than the run's: ${stdout}`).toBe(1);
      }
      expect(stdout).toMatch(/^\/proc\/self\/status:Seccomp:\s+2$/m);
      expect(stdout).toMatch(/^Seccomp:\s+2$/m);
    },
  },
];

const rows: Row[] = [
  {
    name: 'reading /etc/shadow finds nothing',
    spec: () => ({ argv: ['sh', '-c', 'cat /etc/shadow; cat /etc/gshadow; ls /etc'] }),
    expect: (result) => {
      expect(output(result)).toMatch(/No such file/);
      expect(result.stdout.toString()).not.toMatch(/shadow|root:\$|root:\*/);
    },
  },
  {
    name: "the server's source and config are not visible",
    spec: () => ({ argv: ['sh', '-c', 'test -e "$1" && echo VISIBLE-FILE; test -e "$2" && echo VISIBLE-DIR; ls /; echo done', 'sh', serverFile, repoRoot] }),
    expect: (result) => {
      expect(result.stdout.toString()).not.toMatch(/VISIBLE/);
      expect(result.stdout.toString()).toMatch(/done/);
      // The checkout's top-level directory must not appear either, unless the sandbox provides one of that name itself
      // (a checkout under /tmp shares the name with the run's private /tmp, whose emptiness the test -e above proves).
      const topLevel = repoRoot.split('/').filter(Boolean)[0]!;
      const sandboxOwn = new Set(['bin', 'box', 'dev', 'etc', 'lib', 'lib32', 'lib64', 'libx32', 'proc', 'sbin', 'tmp', 'usr']);
      if (!sandboxOwn.has(topLevel)) expect(result.stdout.toString().split('\n')).not.toContain(topLevel);
    },
  },
  {
    name: "/proc/1/environ and every environment inside hold none of the server's variables",
    spec: () => ({ argv: ['sh', '-c', 'cat /proc/1/environ /proc/self/environ /proc/*/environ 2>/dev/null | tr "\\0" "\\n"; env; ps aux 2>/dev/null'] }),
    expect: (result) => {
      expect(output(result)).not.toContain(SECRET);
      expect(output(result)).not.toContain('RUNLANE_TEST_SECRET');
      expect(result.stdout.toString()).toMatch(/PATH=/);
    },
  },
  {
    name: 'a TCP connection fails, even to a port listening on the host',
    spec: ({ port }) => ({
      argv: [
        'python3',
        '-c',
        'import socket,sys\nfor host in ("127.0.0.1", "1.1.1.1"):\n  try:\n    socket.create_connection((host, int(sys.argv[1]) if host == "127.0.0.1" else 80), timeout=2); print("CONNECTED", host)\n  except OSError as e: print("blocked", host, e)',
        String(port),
      ],
    }),
    expect: (result) => {
      expect(result.stdout.toString()).not.toContain('CONNECTED');
      expect(result.stdout.toString()).toMatch(/blocked 127\.0\.0\.1/);
      expect(result.stdout.toString()).toMatch(/blocked 1\.1\.1\.1/);
    },
  },
  {
    name: 'a DNS lookup fails',
    spec: () => ({ argv: ['python3', '-c', 'import socket\ntry:\n  print("RESOLVED", socket.getaddrinfo("example.com", 80))\nexcept OSError as e: print("blocked", e)'] }),
    expect: (result) => {
      expect(result.stdout.toString()).not.toContain('RESOLVED');
      expect(result.stdout.toString()).toContain('blocked');
    },
  },
  {
    name: 'symlinks to host files in the work dir are never followed when files are collected',
    spec: () => ({
      argv: ['sh', '-c', 'ln -s /etc/shadow shadow; ln -s "$1" server; ln -s "$2" self; ln -s / root; ln -s ../../../../../etc/passwd rel; mkfifo fifo; ln /etc/passwd hard 2>/dev/null; echo ok > plain', 'sh', serverFile, thisFile],
      collectFiles: true,
    }),
    expect: (result) => {
      expect(result.files.map((file) => file.path)).toEqual(['plain']);
      expect(result.files[0]!.content.toString()).toBe('ok\n');
    },
  },
  {
    name: 'the filesystem outside /box and /tmp is read-only and /sys is absent',
    spec: () => ({ argv: ['sh', '-c', 'touch /usr/x || echo ro-usr; touch /x || echo ro-root; touch /etc/x || echo ro-etc; test -e /sys/kernel || echo no-sys; touch /box/x && touch /tmp/x && echo rw-box-tmp'] }),
    expect: (result) => {
      expect(result.stdout.toString().trim().split('\n')).toEqual(['ro-usr', 'ro-root', 'ro-etc', 'no-sys', 'rw-box-tmp']);
    },
  },
  {
    // A resident keeps the slot's tmpfs root and, on cgroup v2, the parent of the run groups behind a root-only /.runlane.
    name: "the sandbox's own mounts (the slot's tmpfs root, the cgroup parent) are out of reach",
    spec: () => ({
      argv: [
        'sh',
        '-c',
        'for p in /.runlane /.runlane/slot /.runlane/slot/box /.runlane/cgroup; do ls "$p" >/dev/null 2>&1 && echo "listed $p"; done; ' +
          'echo $$ 2>/dev/null > /.runlane/cgroup/cgroup.procs && echo joined; mkdir /.runlane/cgroup/x 2>/dev/null && echo made-group; echo done',
      ],
    }),
    expect: (result) => {
      expect(result.stdout.toString()).toBe('done\n');
    },
  },
  {
    name: 'the program has no capabilities, no new privileges and cannot create namespaces',
    spec: () => ({ argv: ['sh', '-c', 'id -u; grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status; unshare -U true || echo no-userns; unshare -r true || echo no-root-map'] }),
    expect: (result) => {
      const stdout = result.stdout.toString();
      expect(stdout).toMatch(/^1000\n/);
      expect(stdout).toMatch(/CapEff:\s+0000000000000000/);
      expect(stdout).toMatch(/CapBnd:\s+0000000000000000/);
      expect(stdout).toMatch(/NoNewPrivs:\s+1/);
      expect(stdout).toContain('no-userns');
      expect(stdout).toContain('no-root-map');
    },
  },
  {
    name: 'a fork bomb is contained by the process limit and the run ends',
    spec: () => ({ argv: ['sh', '-c', `b() { b | b & }; b; sleep ${scaledMs(3_000) / 1000}`], limits: testLimits({ processes: 32, wallTimeMs: 2_000 }) }),
    expect: async (result, { t }) => {
      expect(['wall', 'cpu', 'processes']).toContain(result.limitHit);
      expect(await t.processesOfRuns()).toEqual([]);
    },
  },
  {
    name: 'writing 1 GB to disk is stopped by the file-size limit',
    spec: () => ({ argv: ['sh', '-c', 'exec head -c 1000000000 /dev/zero > big'], limits: testLimits({ fileSizeBytes: 16 * 1024 * 1024, workDirMb: 64 }) }),
    expect: (result) => expect(result.limitHit).toBe('file-size'),
  },
  {
    name: 'writing 1 GB to disk in small files is stopped by the work dir cap',
    spec: () => ({ argv: ['sh', '-c', 'i=0; while [ $i -lt 1000 ]; do head -c 1000000 /dev/zero > f$i || exit 1; i=$((i+1)); done'], limits: testLimits({ workDirMb: 16 }) }),
    expect: (result) => expect(result.limitHit).toBe('file-size'),
  },
  {
    name: '1 GB of output stops at the output limit and keeps the server bounded',
    spec: () => ({ argv: ['head', '-c', '1000000000', '/dev/zero'], limits: testLimits({ outputBytes: 10_000_000, wallTimeMs: 30_000 }) }),
    expect: (result) => {
      expect(result.limitHit).toBe('output');
      expect(result.stdout.length).toBe(10_000_000);
    },
  },
  {
    name: 'CPU burn in 8 processes is stopped at about the limit in total',
    spec: () => ({ argv: ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8; do (while :; do :; done) & done; wait'], limits: testLimits({ cpuTimeMs: 1_000, wallTimeMs: 30_000 }) }),
    expect: (result) => {
      expect(result.limitHit).toBe('cpu');
      expect(result.cpuTimeMs).toBeLessThan(scaledMs(2_500));
    },
  },
  {
    name: 'sleep 1000 is stopped by the wall-time limit',
    spec: () => ({ argv: ['sleep', '1000'], limits: testLimits({ wallTimeMs: 1_000 }) }),
    expect: (result) => expect(result.limitHit).toBe('wall'),
  },
  {
    name: 'a 2 GB allocation is stopped as a memory limit hit',
    spec: () => ({ argv: ['python3', '-c', 'x = bytearray(2 * 1024 ** 3)'], limits: testLimits({ memoryMb: 256 }) }),
    expect: (result) => expect(result.limitHit).toBe('memory'),
  },
  {
    name: 'no descriptor beyond stdin, stdout and stderr reaches the program',
    spec: () => ({ argv: ['python3', '-c', 'import os; print(" ".join(sorted(os.listdir("/proc/self/fd"))))'] }),
    expect: (result) => {
      // listdir itself holds one descriptor (3) while it reads the directory.
      expect(result.stdout.toString().trim().split(' ')).toEqual(['0', '1', '2', '3']);
    },
  },
  {
    name: '/dev/shm counts against the same work dir cap as /box and /tmp',
    spec: () => ({
      argv: ['sh', '-c', 'head -c 20000000 /dev/zero > /dev/shm/fill && echo shm-written && head -c 20000000 /dev/zero > /tmp/fill && echo BOTH-FIT'],
      limits: testLimits({ workDirMb: 32, fileSizeBytes: 64 * 1024 * 1024 }),
    }),
    expect: (result) => {
      expect(result.stdout.toString()).toBe('shm-written\n');
      expect(result.stderr.toString()).toMatch(/No space left on device/);
      expect(result.limitHit).toBe('file-size');
    },
  },
  {
    name: 'host processes are invisible (own pid namespace)',
    spec: () => ({ argv: ['sh', '-c', 'ls /proc | grep -c "^[0-9]"'] }),
    expect: (result) => expect(Number(result.stdout.toString().trim())).toBeLessThanOrEqual(4),
  },
  ...SECCOMP_ROWS,
];

let probe: Promise<Buffer> | undefined;

/** The seccomp probe, compiled on the host once for every implementation. */
function compiledProbe(): Promise<Buffer> {
  probe ??= (async () => {
    const probeDir = await mkdtemp(join(tmpdir(), 'runlane-probe-'));
    try {
      await promisify(execFile)('gcc', ['-std=gnu17', '-O2', '-Wall', '-o', join(probeDir, 'probe'), probeSource]);
      return await readFile(join(probeDir, 'probe'));
    } finally {
      await rm(probeDir, { recursive: true, force: true });
    }
  })();
  return probe;
}

// Only after every implementation ran: a sandbox created later would otherwise start without the secret to leak.
afterAll(() => {
  delete process.env.RUNLANE_TEST_SECRET;
});

describeEachImplementation('when hostile programs run in the sandbox', (implementation) => {
  const ctx = {} as Context;
  let server: Server;

  beforeAll(async () => {
    ctx.probe = await compiledProbe();
    ctx.t = await createTestSandbox(undefined, { implementation });
    server = createServer((socket) => socket.end('hello from the host\n'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    ctx.port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    server?.close();
    await ctx.t?.dispose();
  });

  it.each(rows)('should hold: $name', async (row) => {
    const spec = row.spec(ctx);
    const result = await ctx.t.sandbox.run({ limits: testLimits(), ...spec });
    await row.expect(result, ctx);
    expect(await ctx.t.processesOfRuns()).toEqual([]);
    expect(await ctx.t.leftoverCgroups()).toEqual([]);
    expect(await ctx.t.leftoverWorkDirs()).toEqual([]);
  });

  it('should let kill -9 -1 kill only its own run: a concurrent run and the server survive', async () => {
    const survivor = ctx.t.sandbox.run({ argv: ['sh', '-c', `sleep ${scaledMs(1_500) / 1000}; echo survivor`], limits: testLimits() });
    await sleep(scaledMs(200));
    // kill(-1) spares the caller and the namespace's init, so the killing shell itself lives on to report what it killed.
    const script = 'sleep 1000 & victim=$!; kill -9 -1; sleep 0.3; kill -0 $victim 2>/dev/null && echo victim-alive || echo victim-dead';
    const killer = await ctx.t.sandbox.run({ argv: ['sh', '-c', script], limits: testLimits({ wallTimeMs: 5_000 }) });
    expect(killer.stdout.toString()).toBe('victim-dead\n');
    expect((await survivor).stdout.toString()).toBe('survivor\n');
    expect(process.kill(process.pid, 0)).toBe(true);
    expect(await ctx.t.processesOfRuns()).toEqual([]);
  });

  it('should keep two concurrent runs from seeing each other\'s files or processes', async () => {
    const marker = `marker-${randomUUID()}`;
    const first = ctx.t.sandbox.run({ argv: ['sh', '-c', `echo secret > ${marker}; echo secret > /tmp/${marker}; sleep ${scaledMs(1_500) / 1000}; cat ${marker}`], limits: testLimits() });
    await sleep(scaledMs(300));
    const second = await ctx.t.sandbox.run({ argv: ['sh', '-c', `find / -path /usr -prune -o -name '${marker}*' -print 2>/dev/null; ls /box /tmp; ps -eo comm= 2>/dev/null | grep -cx sleep`], limits: testLimits({ cpuTimeMs: scaledMs(10_000), wallTimeMs: scaledMs(30_000) }) });
    // The whole file system but /usr (read-only, shared by every run: nothing could be planted there; walking its 160,000
    // entries takes seconds of CPU, minutes under the VM's emulation); the search must finish, not hit a limit.
    expect(second).toMatchObject({ limitHit: null, exitCode: expect.any(Number) });
    expect(second.stdout.toString()).not.toContain(marker);
    expect(second.stdout.toString().trim().split('\n').at(-1)).toBe('0');
    expect((await first).stdout.toString()).toBe('secret\n');
  });

  it('should keep the server memory bounded while a run floods 1 GB of output', async () => {
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    const result = await ctx.t.sandbox.run({ argv: ['sh', '-c', 'head -c 1000000000 /dev/zero; head -c 1000000000 /dev/zero >&2'], limits: testLimits({ outputBytes: 5_000_000, wallTimeMs: 30_000 }) });
    clearInterval(sampler);
    expect(result.limitHit).toBe('output');
    expect(result.stdout.length + result.stderr.length).toBe(5_000_000);
    // The kept 5 MB plus pipe buffers and allocator slack; a server buffering the flood would grow by hundreds of MB.
    expect(peak - before).toBeLessThan(100 * 1024 * 1024);
  });

  it('should leave nothing behind after a daemonising double fork', async () => {
    const result = await ctx.t.sandbox.run({ argv: ['sh', '-c', '(setsid sh -c "trap \\"\\" HUP TERM; sleep 1000" < /dev/null > /dev/null 2>&1 &); echo detached'], limits: testLimits() });
    expect(result.stdout.toString()).toBe('detached\n');
    expect(await ctx.t.processesOfRuns()).toEqual([]);
    expect(await ctx.t.leftoverCgroups()).toEqual([]);
  });
});
