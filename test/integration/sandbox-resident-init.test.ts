// The resident sandbox's PID 1 (native/resident-init.c) through ResidentInit: real bwrap as root, a real slot work dir, the real host layout.
import { spawn } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import { access, mkdir, mkdtemp, readFile, rm, rmdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger, type Logger } from '../../src/logging/logger.js';
import { prepareHostLayout, removeHostLayout, SANDBOX_UID, type HostLayout } from '../../src/sandbox/bwrap/host-layout.js';
import { sandboxEnv } from '../../src/sandbox/bwrap/bwrap-argv.js';
import { DEFAULT_SECCOMP_FILTER } from '../../src/sandbox/bwrap/seccomp-filter.js';
import { WorkDir } from '../../src/sandbox/work-dir.js';
import { createTestSandbox, testLimits } from '../fixtures/sandbox/harness.js';
import { FRAME, encodeFrame } from '../../src/sandbox/bwrap/resident/frames.js';
import {
  DEFAULT_RESIDENT_INIT,
  RESIDENT_STATUS_FD,
  ResidentInit,
  residentBwrapOptions,
  type ResidentEnd,
  type ResidentJob,
} from '../../src/sandbox/bwrap/resident/resident-init.js';

const HOST_ENV = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' };
const ENV = sandboxEnv();
const RLIMITS: ResidentJob['rlimits'] = { cpuSeconds: 10, fileSizeBytes: 16 << 20, openFiles: 64, stackBytes: 8 << 20, addressSpaceBytes: null, processes: null };

let root: string;
let layout: HostLayout;
const workDirs: WorkDir[] = [];
const residents: ResidentInit[] = [];
let seccompFilter: Buffer;
/** The slot's uids: random and far above real accounts, so no other process shares them. */
const uidBase = 3_800_000 + randomInt(0, 90_000);
let nextUid = uidBase;

/** A slot (uid + work dir) and a resident sandbox on it. */
async function startResident(logger: Logger = silentLogger()): Promise<{ resident: ResidentInit; workDir: WorkDir; uid: number }> {
  const uid = nextUid++;
  const workDir = await WorkDir.create(root, `slot-${uid}`, uid, 16, { mountPath: 'mount', umountPath: 'umount', env: HOST_ENV });
  workDirs.push(workDir);
  const bwrapOptions = residentBwrapOptions({ systemArgs: layout.systemArgs, slotDir: workDir.root, initPath: DEFAULT_RESIDENT_INIT, statusFd: RESIDENT_STATUS_FD });
  const resident = await ResidentInit.start({ bwrapPath: 'bwrap', initPath: DEFAULT_RESIDENT_INIT, bwrapOptions, seccompFilter, hostUid: uid, sandboxUid: SANDBOX_UID, hostEnv: HOST_ENV, logger });
  residents.push(resident);
  return { resident, workDir, uid };
}

interface Outcome {
  stdout: string;
  stderr: string;
  startError: Error | null;
  end: ResidentEnd;
}

/** Parks, runs `argv` with `input` on stdin, and collects everything. */
async function runIn(resident: ResidentInit, argv: string[], options: { input?: string; outputBytes?: number } = {}): Promise<Outcome> {
  await resident.park();
  return runParked(resident, argv, options);
}

/** Runs `argv` on the child `resident` has parked already, and collects everything. */
async function runParked(resident: ResidentInit, argv: string[], options: { input?: string; outputBytes?: number } = {}): Promise<Outcome> {
  const run = resident.begin({ argv, env: ENV, rlimits: RLIMITS, outputBytes: options.outputBytes ?? 1 << 20 });
  let stdout = '';
  let stderr = '';
  run.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  run.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  run.stdin.end(options.input ?? '');
  const startError = await run.started.then(() => null, (error: Error) => error);
  const end = await run.ended;
  return { stdout, stderr, startError, end };
}

const sh = (script: string): string[] => ['sh', '-c', script];

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('the resident sandbox tests need root (bwrap in privileged mode, tmpfs mounts)');
  // Built by scripts/setup.sh; a missing binary is a failure here, never a skip.
  await access(DEFAULT_RESIDENT_INIT);
  seccompFilter = await readFile(DEFAULT_SECCOMP_FILTER);
  root = await mkdtemp(join(tmpdir(), 'runlane-resident-'));
  layout = await prepareHostLayout({ parentDir: root, serverKey: randomUUID().slice(0, 8) });
});

afterAll(async () => {
  await Promise.all(residents.map((resident) => resident.close()));
  for (const workDir of workDirs) await workDir.destroy();
  if (layout) await removeHostLayout(layout);
  if (root) await rm(root, { recursive: true, force: true });
  // Every process of the slots' uids is gone with its resident.
  const left = await new Promise<string>((resolve) => {
    const child = spawn('pgrep', ['-u', Array.from({ length: nextUid - uidBase }, (_, i) => uidBase + i).join(',')]);
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('close', () => resolve(out.trim()));
  });
  expect(left).toBe('');
});

describe('when one resident runs many programs', () => {
  let resident: ResidentInit;
  beforeAll(async () => {
    ({ resident } = await startResident());
  });

  it('should run 100 programs in a row, each with its exact output', async () => {
    for (let n = 0; n < 100; n++) {
      const outcome = await runIn(resident, sh(`echo ${n}`));
      expect(outcome).toEqual({ stdout: `${n}\n`, stderr: '', startError: null, end: { code: 0, signal: null, clean: true, problem: null } });
    }
  });

  it('should give the program the confinement of a per-run sandbox', async () => {
    const outcome = await runIn(resident, sh('id -u; id -g; grep -E "^(CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs):" /proc/self/status; hostname; pwd; unshare -U true 2>/dev/null; echo unshare=$?; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'));
    expect(outcome.stdout).toBe(
      ['1000', '1000', 'CapInh:\t0000000000000000', 'CapPrm:\t0000000000000000', 'CapEff:\t0000000000000000', 'CapBnd:\t0000000000000000', 'CapAmb:\t0000000000000000', 'NoNewPrivs:\t1', 'runlane', '/box', 'unshare=1', 'lo', ''].join('\n'),
    );
    expect(outcome.end.clean).toBe(true);
  });

  it('should give the program exactly the environment of the job', async () => {
    const outcome = await runIn(resident, ['env']);
    const expected = Object.entries(ENV).map(([name, value]) => `${name}=${value}`).sort();
    expect(outcome.stdout.trim().split('\n').sort()).toEqual(expected);
  });

  it('should reject `started` for a missing program and stay usable', async () => {
    const outcome = await runIn(resident, ['no-such-program-runlane']);
    expect(outcome.startError).toMatchObject({ code: 'RUNLANE_ERR_SANDBOX_SETUP_FAILED' });
    expect(outcome.startError!.message).toContain('No such file or directory');
    expect(outcome.startError!.message).not.toContain(root);
    expect(outcome.end).toMatchObject({ code: 127, clean: true });
    expect((await runIn(resident, sh('echo again'))).stdout).toBe('again\n');
  });

  it('should end a run that leaves background processes cleanly, and the next run sees none', async () => {
    const first = await runIn(resident, sh('sleep 1000 & sleep 1000 & echo started'));
    expect(first.stdout).toBe('started\n');
    expect(first.end).toEqual({ code: 0, signal: null, clean: true, problem: null });
    const second = await runIn(resident, sh('cat /proc/[0-9]*/comm'));
    // Only the listing's own processes and PID 1 (named after its mount point) are left.
    const names = new Set(second.stdout.trim().split('\n'));
    expect(names).toContain('.runlane-init');
    for (const name of names) expect(['.runlane-init', 'sh', 'cat']).toContain(name);
  });

  it('should not let SysV shared memory, semaphores or message queues reach the next run', async () => {
    const first = await runIn(resident, sh('ipcmk -M 4096 >/dev/null && ipcmk -S 1 >/dev/null && ipcmk -Q >/dev/null && ipcs | grep -c "^0x"'));
    expect(first.stdout).toBe('3\n');
    const second = await runIn(resident, sh('ipcs | grep -c "^0x"'));
    expect(second.stdout).toBe('0\n');
  });

  it('should not let a POSIX message queue reach the next run', async () => {
    const mq = (flags: string): string[] => [
      'python3', '-c',
      `import ctypes, os; rt = ctypes.CDLL('librt.so.1', use_errno=True); fd = rt.mq_open(b'/runlane-mq', ${flags}, 0o600, None); print(fd >= 0, os.strerror(ctypes.get_errno()) if fd < 0 else 'ok')`,
    ];
    const create = await runIn(resident, mq('os.O_CREAT | os.O_RDWR'));
    expect(create.stdout).toBe('True ok\n');
    const reopen = await runIn(resident, mq('os.O_RDWR'));
    expect(reopen.stdout).toBe('False No such file or directory\n');
  });

  it('should not let an abstract unix socket outlive its run', async () => {
    const bind = 'import socket, time; s = socket.socket(socket.AF_UNIX); s.bind("\\0runlane-abstract"); s.listen(); print("bound", flush=True); time.sleep(1000)';
    const first = await runIn(resident, sh(`python3 -c '${bind}' & while ! grep -q runlane-abstract /proc/net/unix; do sleep 0.01; done; echo listening`));
    expect(first.stdout).toBe('bound\nlistening\n');
    expect(first.end.clean).toBe(true);
    const connect = 'import socket; s = socket.socket(socket.AF_UNIX)\ntry:\n  s.connect("\\0runlane-abstract"); print("connected")\nexcept OSError as e: print(e.strerror)';
    const second = await runIn(resident, ['python3', '-c', connect]);
    expect(second.stdout).toBe('Connection refused\n');
  });

  it('should end clean when a run leaves a listening socket and a TIME_WAIT connection, and the next run sees no listener', async () => {
    const script = [
      'import os, socket, time',
      'server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen()',
      'client = socket.create_connection(server.getsockname()); peer, _ = server.accept()',
      // The side that closes first keeps the connection in TIME_WAIT, owned by no process.
      'client.close(); time.sleep(0.05); peer.close()',
      'if os.fork() == 0: time.sleep(1000)',
      'print("left", flush=True)',
    ].join('\n');
    const first = await runIn(resident, ['python3', '-c', script]);
    expect(first.stdout).toBe('left\n');
    expect(first.end).toEqual({ code: 0, signal: null, clean: true, problem: null });
    // State 0A is LISTEN; 06 (TIME_WAIT) may remain for a minute, with inode 0.
    const second = await runIn(resident, sh('tail -n +2 /proc/net/tcp | awk \'$4 != "06" { print }\''));
    expect(second.stdout).toBe('');
  });

  it('should not let the program signal PID 1', async () => {
    const outcome = await runIn(resident, sh('kill -9 1 2>/dev/null; echo one=$?; kill -9 -1; echo survived'));
    expect(outcome.stdout).toBe('one=1\nsurvived\n');
    expect(outcome.end.clean).toBe(true);
    expect((await runIn(resident, sh('echo alive'))).stdout).toBe('alive\n');
  });

  it('should keep /proc/1 unreadable and PID 1 untraceable', async () => {
    const outcome = await runIn(resident, sh('for f in environ mem maps; do cat /proc/1/$f >/dev/null 2>&1 && echo "$f readable"; done; ls /proc/1/fd >/dev/null 2>&1 && echo "fd readable"; readlink /proc/1/exe >/dev/null 2>&1 && echo "exe readable"; echo done'));
    expect(outcome.stdout).toBe('done\n');
    const trace = "import ctypes; libc = ctypes.CDLL(None, use_errno=True); print(libc.ptrace(16, 1, 0, 0), ctypes.get_errno())";
    expect((await runIn(resident, ['python3', '-c', trace])).stdout).toBe('-1 1\n');
  });

  it('should stream stdin interactively and end at its end of file', async () => {
    await resident.park();
    const run = resident.begin({ argv: ['cat'], env: ENV, rlimits: RLIMITS, outputBytes: 1000 });
    const reads: string[] = [];
    const next = (): Promise<string> => new Promise((resolve) => run.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    await run.started;
    let echoed = next();
    run.stdin.write('hello\n');
    reads.push(await echoed);
    echoed = next();
    run.stdin.write('world\n');
    reads.push(await echoed);
    run.stdin.end();
    expect(reads).toEqual(['hello\n', 'world\n']);
    expect(await run.ended).toEqual({ code: 0, signal: null, clean: true, problem: null });
  });

  it('should forward at most outputBytes + 1 bytes of a flood, and the caller’s kill ends it', async () => {
    for (const argv of [['head', '-c', '100000000', '/dev/zero'], ['cat', '/dev/zero']]) {
      await resident.park();
      const run = resident.begin({ argv, env: ENV, rlimits: RLIMITS, outputBytes: 1000 });
      let received = 0;
      run.stdout.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > 1000) run.kill();
      });
      run.stdin.end();
      const end = await run.ended;
      expect(received).toBe(1001);
      expect(end.clean).toBe(true);
      if (argv[0] === 'cat') expect(end.signal).toBe('SIGKILL');
    }
  });

  it('should kill a run mid-way on request', async () => {
    await resident.park();
    const run = resident.begin({ argv: ['sleep', '1000'], env: ENV, rlimits: RLIMITS, outputBytes: 1000 });
    await run.started;
    const before = Date.now();
    run.kill();
    expect(await run.ended).toEqual({ code: null, signal: 'SIGKILL', clean: true, problem: null });
    expect(Date.now() - before).toBeLessThan(2000);
  });

  it('should deliver a signal to the run', async () => {
    await resident.park();
    const run = resident.begin({ argv: ['sleep', '1000'], env: ENV, rlimits: RLIMITS, outputBytes: 1000 });
    await run.started;
    run.signal('SIGTERM');
    expect(await run.ended).toMatchObject({ signal: 'SIGTERM', clean: true });
  });

  it('should refuse begin() without a parked child and park() during a run', async () => {
    expect(() => resident.begin({ argv: ['true'], env: ENV, rlimits: RLIMITS, outputBytes: 10 })).toThrow(/begin\(\) while/);
    await resident.park();
    // A job too large for one frame, or with a bad variable name, is refused before anything is sent: the child stays parked.
    expect(() => resident.begin({ argv: ['echo', 'x'.repeat(2 << 20)], env: ENV, rlimits: RLIMITS, outputBytes: 10 })).toThrow(/exceeds/);
    expect(() => resident.begin({ argv: ['true'], env: { 'A=B': '' }, rlimits: RLIMITS, outputBytes: 10 })).toThrow(/name/);
    const run = resident.begin({ argv: ['sleep', '1000'], env: ENV, rlimits: RLIMITS, outputBytes: 10 });
    await expect(resident.park()).rejects.toThrow(/park\(\) while/);
    run.kill();
    await run.ended;
  });
});

describe('when compared with a one-shot run', () => {
  it('should show the program the same mounts, options and file systems, plus PID 1, the root-only slot and two read-only /proc covers', async () => {
    // Mount point, per-mount options and file system type of every mount the program sees (sources and roots name host paths).
    const script = "awk '{ for (i = 7; $i != \"-\"; i++); print $5, $6, $(i + 1) }' /proc/self/mountinfo";
    const oneShot = await createTestSandbox('none', { implementation: 'bwrap' });
    let expected: string;
    try {
      const result = await oneShot.sandbox.run({ argv: sh(script), limits: testLimits() });
      expect(result.exitCode).toBe(0);
      expected = result.stdout.toString();
    } finally {
      await oneShot.dispose();
    }
    const { resident } = await startResident();
    const lines = (await runIn(resident, sh(script))).stdout.split('\n');
    expect(lines.filter((line) => line.startsWith('/.runlane-init '))).toEqual([expect.stringMatching(/^\/\.runlane-init ro,/)]);
    // The slot's whole tmpfs, behind a root-only directory (mode 0700): the run's child binds /box, /tmp and /dev/shm from it.
    const slot = lines.filter((line) => line.startsWith('/.runlane/slot '));
    expect(slot).toEqual([expect.stringMatching(/^\/\.runlane\/slot rw,nosuid,nodev,.* tmpfs$/)]);
    expect((await runIn(resident, sh('ls /.runlane 2>&1; echo $?'))).stdout).toMatch(/Permission denied\n2\n$/);
    // bwrap without a user namespace (privileged mode) also covers /proc/irq and /proc/bus read-only: stricter, not looser.
    const extra = ['/proc/irq ro,nosuid,nodev,noexec,relatime proc', '/proc/bus ro,nosuid,nodev,noexec,relatime proc'];
    expect(lines.filter((line) => extra.includes(line))).toEqual(extra);
    // Sorted: the run's child binds /box, /tmp and /dev/shm in another order than bwrap (none lies under another).
    const rest = lines.filter((line) => !line.startsWith('/.runlane-init ') && !slot.includes(line) && !extra.includes(line));
    expect(rest.filter(Boolean).sort()).toEqual(expected.split('\n').filter(Boolean).sort());
  });
});

describe('when a parked child is placed in a cgroup v1 from the host', () => {
  const name = `runlane-test-${randomUUID()}`;
  const cgroup = join('/sys/fs/cgroup/pids', name);
  let available = false;

  beforeAll(async () => {
    available = await access('/sys/fs/cgroup/pids/cgroup.procs').then(() => true, () => false);
    if (available) await mkdir(cgroup);
  });
  afterAll(async () => {
    if (available) await rmdir(cgroup).catch(() => undefined);
  });

  it('should report the host pid of the parked child, which the cgroup then confines', async (context) => {
    if (!available) {
      console.warn('SKIPPED: this host has no cgroup v1 pids hierarchy at /sys/fs/cgroup/pids');
      context.skip();
    }
    const { resident } = await startResident();
    const { hostPid, placed } = await resident.park();
    // No group was named (cgroup v1): the child is forked plainly and placed by the server.
    expect(placed).toBe(false);
    const status = await readFile(`/proc/${hostPid}/status`, 'utf8');
    expect(status).toMatch(new RegExp(`^PPid:\\s+${resident.pid}$`, 'm'));
    expect(/^NSpid:\s+(.*)$/m.exec(status)![1]!.split(/\s+/)).toEqual([String(hostPid), '2']);
    await writeFile(join(cgroup, 'pids.max'), '4');
    await writeFile(join(cgroup, 'cgroup.procs'), String(hostPid));
    const { stdout, end } = await runParked(resident, sh('grep :pids: /proc/self/cgroup | cut -d: -f3; for i in 1 2 3 4 5 6; do sleep 5 & done 2>/dev/null'));
    expect(end.clean).toBe(true);
    // The run's cgroup namespace is rooted at the group it was placed in; sh stops at the first fork pids.max refuses.
    expect(stdout).toBe('/\n');
    expect(Number(await readFile(join(cgroup, 'pids.events'), 'utf8').then((text) => /max (\d+)/.exec(text)![1]))).toBeGreaterThan(0);
    expect((await readFile(join(cgroup, 'cgroup.procs'), 'utf8')).trim()).toBe('');
  });
});

describe('when a park names a cgroup v2 group PID 1 cannot create the child in', () => {
  it('should fork plainly and say the child was not placed when the group cannot be opened', async () => {
    // This resident has no cgroup parent bound (as on cgroup v1): the group cannot be opened, so the fork falls back.
    const { resident } = await startResident();
    const { hostPid, placed } = await resident.park('runlane-no-such-group');
    expect(placed).toBe(false);
    expect(hostPid).toBeGreaterThan(0);
    const { stdout, end } = await runParked(resident, sh('echo ran'));
    expect(end.clean).toBe(true);
    expect(stdout).toBe('ran\n');
  });

  it('should stop the resident rather than open a path when the name is not a plain group name', async () => {
    const { resident } = await startResident();
    await expect(resident.park('../../etc')).rejects.toThrow(/malformed group name/);
    await resident.exited;
  });
});

describe('when the reset cannot be verified', () => {
  const cgroup = join('/sys/fs/cgroup/freezer', `runlane-test-${randomUUID()}`);
  let available = false;

  beforeAll(async () => {
    available = await access('/sys/fs/cgroup/freezer/cgroup.procs').then(() => true, () => false);
    if (available) await mkdir(cgroup);
  });
  afterAll(async () => {
    if (!available) return;
    await writeFile(join(cgroup, 'freezer.state'), 'THAWED').catch(() => undefined);
    for (let attempt = 0; attempt < 50 && (await readFile(join(cgroup, 'cgroup.procs'), 'utf8').catch(() => '')).trim() !== ''; attempt++) await sleep(20);
    await rmdir(cgroup).catch(() => undefined);
  });

  it('should end the run unclean when a process outlives SIGKILL, and refuse the next park', async (context) => {
    if (!available) {
      console.warn('SKIPPED: this host has no cgroup v1 freezer hierarchy at /sys/fs/cgroup/freezer');
      context.skip();
    }
    const { resident, uid } = await startResident();
    await resident.park();
    const run = resident.begin({ argv: sh('sleep 1000 & echo forked; read line'), env: ENV, rlimits: RLIMITS, outputBytes: 1000 });
    await new Promise((resolve) => run.stdout.once('data', resolve));
    // A frozen process (cgroup v1 freezer) cannot die until thawed: the stand-in for a process stuck in the kernel.
    // `forked` is printed once the fork returned, possibly before the child exec'd sleep: look until it has.
    const findSleeper = () =>
      new Promise<string>((resolve) => {
        const child = spawn('pgrep', ['-u', String(uid), '-x', 'sleep']);
        let out = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        child.on('close', () => resolve(out.trim()));
      });
    let sleeper = await findSleeper();
    for (let attempt = 0; attempt < 100 && sleeper === ''; attempt++) sleeper = await sleep(20).then(findSleeper);
    expect(sleeper).toMatch(/^\d+$/);
    await writeFile(join(cgroup, 'cgroup.procs'), sleeper);
    await writeFile(join(cgroup, 'freezer.state'), 'FROZEN');
    run.stdin.end('\n');
    const end = await run.ended;
    expect(end).toMatchObject({ code: 0, clean: false, problem: 'processes survived SIGKILL' });
    await expect(resident.park()).rejects.toThrow(/park\(\) while the resident is broken/);
    await writeFile(join(cgroup, 'freezer.state'), 'THAWED');
    await resident.close();
  }, 30_000);
});

describe('when the resident cannot start', () => {
  it('should reject start() with a set-up error and leave nothing running', async () => {
    const uid = nextUid++;
    const workDir = await WorkDir.create(root, `slot-${uid}`, uid, 16, { mountPath: 'mount', umountPath: 'umount', env: HOST_ENV });
    workDirs.push(workDir);
    const initPath = join(root, 'no-such-init');
    const bwrapOptions = residentBwrapOptions({ systemArgs: layout.systemArgs, slotDir: workDir.root, initPath, statusFd: RESIDENT_STATUS_FD });
    const starting = ResidentInit.start({ bwrapPath: 'bwrap', initPath, bwrapOptions, seccompFilter, hostUid: uid, sandboxUid: SANDBOX_UID, hostEnv: HOST_ENV, logger: silentLogger() });
    await expect(starting).rejects.toMatchObject({ code: 'RUNLANE_ERR_SANDBOX_SETUP_FAILED' });
  });
});

describe('when the server sends a wrong frame', () => {
  it('should stop PID 1 with its reason and settle `exited`', async () => {
    let log = '';
    const destination = new Writable({ write: (chunk: Buffer, _encoding, done) => ((log += chunk.toString()), done()) });
    const { resident } = await startResident(pino({ level: 'info' }, destination));
    resident.send([encodeFrame(FRAME.job, 'not a job')]);
    await resident.exited;
    expect(log).toContain('PID 1 stopped: job without a parked child');
    await expect(resident.park()).rejects.toThrow(/exited/);
  });
});

describe('when PID 1 is killed from the host', () => {
  it('should settle `started`, `ended` and `exited`', async () => {
    const { resident } = await startResident();
    await resident.park();
    const run = resident.begin({ argv: ['sleep', '1000'], env: ENV, rlimits: RLIMITS, outputBytes: 1000 });
    await run.started;
    process.kill(resident.pid, 'SIGKILL');
    const end = await run.ended;
    expect(end).toMatchObject({ code: null, signal: null, clean: false });
    expect(end.problem).toMatch(/exited/);
    await resident.exited;
    await expect(resident.park()).rejects.toThrow(/park\(\) while the resident is exited/);
  });

  it('should reject a pending `started` when PID 1 dies before the program starts', async () => {
    const { resident } = await startResident();
    await resident.park();
    process.kill(resident.pid, 'SIGKILL');
    await resident.exited;
    expect(() => resident.begin({ argv: ['true'], env: ENV, rlimits: RLIMITS, outputBytes: 10 })).toThrow(/exited/);
  });
});
