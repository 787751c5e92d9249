// Reset verification on every implementation: whatever run N leaves in its slot (processes, files, IPC, sockets, figures) is gone for run N+1.
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { SandboxRunResult } from '../../src/sandbox/sandbox.js';
import type { ResourceLimits } from '../../src/domain/limits.js';
import { createTestSandbox, describeEachImplementation, testLimits, type TestSandbox } from '../fixtures/sandbox/harness.js';

/**
 * Python helpers the scripts call as `python3 -c "$NAME"`: they reach the run through its environment, so /box holds
 * nothing the test did not plant.
 */
const PYTHON: Record<string, string> = {
  // Every process but PID 1, this one and its parent shell, as `pid command line`.
  LIST_PROCESSES: [
    'import os',
    'skip = {1, os.getpid(), os.getppid()}',
    'for pid in sorted(int(p) for p in os.listdir("/proc") if p.isdigit()):',
    '    if pid in skip: continue',
    '    try: command = open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\\0", b" ").decode().strip()',
    '    except OSError: continue',
    '    print(pid, command)',
  ].join('\n'),
  // Waits (at most 10 s) until a process runs `sleep <argv[1]>`: a background child may not have exec'd yet.
  AWAIT_SLEEPER: [
    'import os, sys, time',
    'wanted = b"sleep\\0" + sys.argv[1].encode() + b"\\0"',
    'def running():',
    '    for pid in (p for p in os.listdir("/proc") if p.isdigit()):',
    '        try:',
    '            if open(f"/proc/{pid}/cmdline", "rb").read() == wanted: return True',
    '        except OSError: pass',
    '    return False',
    'deadline = time.monotonic() + 10',
    'while not running() and time.monotonic() < deadline: time.sleep(0.01)',
  ].join('\n'),
  // A unix socket file at each path given.
  BIND_SOCKET_FILES: 'import socket, sys\nfor path in sys.argv[1:]: socket.socket(socket.AF_UNIX).bind(path)',
  // Binds and listens on an abstract socket, then leaves a forked child holding it; returns once it is bound.
  HOLD_ABSTRACT_SOCKET: [
    'import os, socket, time',
    'server = socket.socket(socket.AF_UNIX)',
    'server.bind("\\0runlane-abstract")',
    'server.listen()',
    'if os.fork() == 0:',
    '    os.setsid()',
    '    while True: server.accept()[0].sendall(b"from the previous run\\n")',
  ].join('\n'),
  // Says `abstract socket answered: …` when anything still listens on the abstract name.
  CONNECT_ABSTRACT_SOCKET: [
    'import socket',
    'client = socket.socket(socket.AF_UNIX)',
    'try: client.connect("\\0runlane-abstract")',
    'except ConnectionRefusedError: raise SystemExit(0)',
    'print("abstract socket answered:", client.recv(100))',
  ].join('\n'),
  // Creates a POSIX message queue (mq_open from librt) holding one message.
  CREATE_MQUEUE: [
    'import ctypes, os',
    'rt = ctypes.CDLL("librt.so.1", use_errno=True)',
    'queue = rt.mq_open(b"/runlane-mq", os.O_CREAT | os.O_RDWR, 0o600, None)',
    'if queue < 0: raise SystemExit(f"mq_open failed: {os.strerror(ctypes.get_errno())}")',
    'if rt.mq_send(queue, b"from the previous run", 21, 0) != 0: raise SystemExit("mq_send failed")',
  ].join('\n'),
  // Says `mqueue …` when the queue can be opened (or fails for another reason than its absence).
  OPEN_MQUEUE: [
    'import ctypes, errno, os',
    'rt = ctypes.CDLL("librt.so.1", use_errno=True)',
    'queue = rt.mq_open(b"/runlane-mq", os.O_RDONLY)',
    'if queue >= 0: print("mqueue still there")',
    'elif ctypes.get_errno() != errno.ENOENT: print("mqueue open failed:", errno.errorcode[ctypes.get_errno()])',
  ].join('\n'),
  // Tries to put keys into the user and a new session keyring; prints what each call returned.
  ADD_KEYS: [
    'import ctypes, errno',
    'libc = ctypes.CDLL(None, use_errno=True)',
    'def report(name, result): print(name, result, errno.errorcode.get(ctypes.get_errno(), "-") if result == -1 else "-")',
    // add_key(2) = 248, keyctl(2) = 250 on x86_64; KEY_SPEC_USER_KEYRING = -4, KEYCTL_JOIN_SESSION_KEYRING = 1.
    'report("add_key", libc.syscall(248, b"user", b"runlane-key", b"secret", ctypes.c_size_t(6), ctypes.c_long(-4)))',
    'report("keyctl-join", libc.syscall(250, ctypes.c_long(1), b"runlane-ring"))',
  ].join('\n'),
  // Says `key …` when a key planted earlier can be found (request_key(2) = 249) or /proc/keys shows one.
  FIND_KEYS: [
    'import ctypes',
    'libc = ctypes.CDLL(None, use_errno=True)',
    'found = libc.syscall(249, b"user", b"runlane-key", None, ctypes.c_long(0))',
    'if found >= 0: print("key found by request_key:", found)',
    'for line in open("/proc/keys"):',
    '    if "runlane" in line: print("key in /proc/keys:", line.strip())',
  ].join('\n'),
  // More than a 64 MB limit allows (bytearray zero-fills, so every page is touched).
  ALLOCATE_512_MB: 'x = bytearray(512 << 20)',
  // Well within a 64 MB limit.
  ALLOCATE_16_MB: 'x = bytearray(16 << 20)\nprint("fine")',
  // Allocates and touches about 150 MB, then burns a second of CPU.
  ALLOCATE_AND_BURN: 'import time\nheld = b"\\1" * (150 << 20)\nstart = time.process_time()\nwhile time.process_time() - start < 1: pass',
};

/** Lists what a run can find of the slot's files: entries of the writable places, and space a hidden file still takes. */
const CHECK_FILES =
  'find /box /tmp /dev/shm -mindepth 1 -maxdepth 1; used=$(df -k --output=used /box | tail -n 1 | tr -d " "); [ "$used" -lt 1024 ] || echo "work dir holds $used KiB"; ls -l /proc/[0-9]*/fd/ 2>/dev/null | grep deleted';

/**
 * One item of the reset: `plant` leaves it behind in run N, `check` prints what it finds of it (nothing when clean).
 * Run N runs plant then check, so every row proves its check sees the item (`found`); run N+1 runs only check.
 */
interface ResetRow {
  name: string;
  plant: string;
  check: string;
  /** What check prints in run N, right after the plant. */
  found: RegExp;
}

/** A row planting `sleep <seconds>` in the background in some way; run N waits until it runs before it looks. */
const plantedSleeper = (plant: string, seconds: number): Omit<ResetRow, 'name'> => ({
  plant: `${plant}\npython3 -c "$AWAIT_SLEEPER" ${seconds}`,
  check: 'python3 -c "$LIST_PROCESSES"',
  found: new RegExp(`^\\d+ sleep ${seconds}$`, 'm'),
});

const ROWS: ResetRow[] = [
  { name: 'a plain background process', ...plantedSleeper('sleep 1001 &', 1001) },
  { name: 'a setsid-detached process ignoring HUP and TERM', ...plantedSleeper('setsid sh -c \'trap "" HUP TERM; exec sleep 1002\' < /dev/null > /dev/null 2>&1 &', 1002) },
  { name: 'a double-forked daemon', ...plantedSleeper('(sh -c "sleep 1003 &" &)', 1003) },
  {
    name: 'files of every kind in /box, /tmp and /dev/shm (plain, hidden, FIFO, unix socket, link, a 000-mode directory holding files)',
    plant: [
      'for d in /box /tmp /dev/shm; do echo planted > $d/plain; echo planted > $d/.hidden; mkfifo $d/fifo; ln -s /etc/passwd $d/link',
      'mkdir $d/locked; echo planted > $d/locked/inside; mkdir $d/locked/deeper; echo planted > $d/locked/deeper/f; chmod 000 $d/locked; done',
      'python3 -c "$BIND_SOCKET_FILES" /box/socket /tmp/socket /dev/shm/socket',
    ].join('\n'),
    check: CHECK_FILES,
    found: /^\/box\/locked$(.|\n)*^\/tmp\/socket$(.|\n)*^\/dev\/shm\/fifo$/m,
  },
  {
    // Past the 64 entries a reset removes with direct calls: the rest goes through the thread pool, links still unfollowed.
    name: "a tree of 200 files per run dir (a 000-mode directory, a link out), and the run dirs' own mode and time changed",
    plant: [
      'for d in /box /tmp /dev/shm; do mkdir -p $d/many/a/b; for i in $(seq 100); do echo x > $d/many/f$i; echo x > $d/many/a/b/g$i; done',
      'ln -s /etc $d/many/etc-link; chmod 000 $d/many/a; chmod 0755 $d; touch -d 2001-01-01 $d; done',
    ].join('\n'),
    check: `${CHECK_FILES}; for d in /box /tmp /dev/shm; do [ "$(stat -c %a $d)" = 700 ] || echo "$d mode $(stat -c %a $d)"; [ "$(stat -c %Y $d)" -gt 1000000000 ] || echo "$d dated $(stat -c %y $d)"; done`,
    found: /^\/box\/many$(.|\n)*^\/box mode 755$(.|\n)*^\/dev\/shm dated 2001-01-01/m,
  },
  {
    name: 'a 4 MB file held open and unlinked by a background process',
    // The background sleep inherits descriptor 3, the shell drops its own: only the sleeper keeps the file alive.
    plant: 'exec 3> /tmp/held; head -c 4000000 /dev/zero >&3; rm /tmp/held; sleep 1004 & exec 3>&-',
    check: CHECK_FILES,
    found: /work dir holds \d+ KiB\n(.|\n)*\/tmp\/held \(deleted\)/,
  },
  {
    name: 'SysV shared memory, a semaphore set and a message queue',
    plant: 'ipcmk -M 4096 > /dev/null && ipcmk -S 2 > /dev/null && ipcmk -Q > /dev/null',
    check: 'ipcs -a | grep "^0x"',
    found: /^(0x\w+ .*\n){3}$/,
  },
  { name: 'a POSIX message queue', plant: 'python3 -c "$CREATE_MQUEUE"', check: 'python3 -c "$OPEN_MQUEUE"', found: /^mqueue still there$/m },
  {
    name: 'an abstract unix socket bound by a background process',
    plant: 'python3 -c "$HOLD_ABSTRACT_SOCKET"',
    check: 'python3 -c "$CONNECT_ABSTRACT_SOCKET"; grep -a "@runlane-abstract" /proc/net/unix',
    found: /abstract socket answered: b'from the previous run\\n'\n.*@runlane-abstract/,
  },
];

/** The same on every run, so N+1 starts with just what it asked for. */
const limits = (overrides: Partial<ResourceLimits> = {}) => testLimits({ memoryMb: 256, ...overrides });

describeEachImplementation('when run N+1 gets the slot run N had', (implementation) => {
  let t: TestSandbox;
  const run = (script: string, overrides?: Partial<ResourceLimits>) => t.sandbox.run({ argv: ['sh', '-c', script], env: PYTHON, limits: limits(overrides) });
  const described = (result: SandboxRunResult) => `exit ${result.exitCode ?? result.signal}, limit ${result.limitHit}\nstdout:\n${result.stdout}\nstderr:\n${result.stderr}`;

  beforeAll(async () => {
    // One slot and no warm prologue: every run gets the same uid and work dir (and, when resident, the same resident).
    t = await createTestSandbox(undefined, { implementation, uidCount: 1, warmPool: 0 });
  });
  afterAll(async () => {
    await t?.dispose();
  });
  afterEach(async () => {
    expect(await t.processesOfRuns()).toEqual([]);
    expect(await t.leftoverCgroups()).toEqual([]);
    expect(await t.leftoverWorkDirs()).toEqual([]);
    // Still the one slot, never retired: N+1 really ran where N did.
    expect(t.sandbox.health()).toEqual({ slots: 1, retired: 0 });
  });

  it('should run consecutive runs under one PID 1 when resident, and a fresh one per run otherwise', async () => {
    // Field 22 of /proc/1/stat is PID 1's start time: the same for every run of one resident, new for each bwrap.
    const starts = [];
    for (let index = 0; index < 3; index++) starts.push((await run('cut -d " " -f 22 /proc/1/stat')).stdout.toString().trim());
    expect(starts.every((start) => /^\d+$/.test(start))).toBe(true);
    if (implementation === 'resident') expect(new Set(starts).size).toBe(1);
    else expect(new Set(starts).size).toBe(3);
  });

  it.each(ROWS)('should leave no trace of $name', async (row) => {
    const planted = await run(`${row.plant}\n${row.check}`);
    expect(planted.limitHit, described(planted)).toBeNull();
    expect(planted.stdout.toString(), described(planted)).toMatch(row.found);

    const next = await run(row.check);
    expect(next.stdout.toString(), described(next)).toBe('');
    expect(next.stderr.toString(), described(next)).toBe('');
    expect(next.limitHit).toBeNull();
  });

  it('should refuse keyring keys in run N (seccomp) and let run N+1 find none', async () => {
    const planted = await run('python3 -c "$ADD_KEYS"; python3 -c "$FIND_KEYS"');
    expect(planted.stdout.toString(), described(planted)).toBe('add_key -1 ENOSYS\nkeyctl-join -1 ENOSYS\n');
    const next = await run('python3 -c "$FIND_KEYS"; cat /proc/keys');
    expect(next.stdout.toString(), described(next)).toBe('');
    expect(next.stderr.toString(), described(next)).toBe('');
  });

  it('should report only its own memory peak and CPU time in run N+1 after a heavy run N', async () => {
    const heavy = await run('python3 -c "$ALLOCATE_AND_BURN"', { cpuTimeMs: 10_000, wallTimeMs: 30_000 });
    expect(heavy, described(heavy)).toMatchObject({ exitCode: 0, limitHit: null });
    expect(heavy.cpuTimeMs).toBeGreaterThanOrEqual(900);
    if (t.sandbox.capabilities.enforces.memoryPeak) expect(heavy.memoryKb).toBeGreaterThanOrEqual(150 * 1024);

    const trivial = await t.sandbox.run({ argv: ['true'], limits: limits() });
    expect(trivial).toMatchObject({ exitCode: 0, limitHit: null });
    expect(trivial.cpuTimeMs).toBeLessThan(300);
    if (t.sandbox.capabilities.enforces.memoryPeak) expect(trivial.memoryKb).toBeLessThan(32 * 1024);
    else expect(trivial.memoryKb).toBe(0);
  });

  it('should run N+1 normally under the same memory limit after run N was OOM-killed', async () => {
    const killed = await run('python3 -c "$ALLOCATE_512_MB"', { memoryMb: 64 });
    if (t.sandbox.capabilities.enforces.memory) expect(killed.limitHit, described(killed)).toBe('memory');
    else expect(killed.stderr.toString(), described(killed)).toContain('MemoryError');

    // 16 MB fits a 64 MB limit easily: a memory verdict here would be an OOM counter or charge left over from N.
    const next = await run('python3 -c "$ALLOCATE_16_MB"', { memoryMb: 64 });
    expect(next, described(next)).toMatchObject({ exitCode: 0, signal: null, limitHit: null });
    expect(next.stdout.toString()).toBe('fine\n');
  });

  it('should run N+1 cleanly after run N (with background processes) hit its wall-time limit', async () => {
    const stuck = await run('sleep 1005 & (sleep 1006 &); sleep 1000', { wallTimeMs: 500 });
    expect(stuck.limitHit, described(stuck)).toBe('wall');

    const next = await run('python3 -c "$LIST_PROCESSES"; echo clean');
    expect(next, described(next)).toMatchObject({ exitCode: 0, signal: null, limitHit: null });
    expect(next.stdout.toString()).toBe('clean\n');
    expect(next.wallTimeMs).toBeLessThan(5_000);
  });
});

describeEachImplementation('when two runs live at once on different slots', (implementation) => {
  let t: TestSandbox;

  beforeAll(async () => {
    t = await createTestSandbox(undefined, { implementation, uidCount: 2, warmPool: 0 });
  });
  afterAll(async () => {
    await t?.dispose();
  });

  it("should keep each run's processes, files and IPC out of the other's sight", async () => {
    const plantAll = [
      'sleep 1001 &',
      'python3 -c "$AWAIT_SLEEPER" 1001',
      'echo planted > /box/mine; echo planted > /tmp/mine; echo planted > /dev/shm/mine',
      'ipcmk -M 4096 > /dev/null && ipcmk -S 2 > /dev/null && ipcmk -Q > /dev/null',
      'python3 -c "$CREATE_MQUEUE"',
      'python3 -c "$HOLD_ABSTRACT_SOCKET"',
    ].join('\n');
    const checkAll = ['python3 -c "$LIST_PROCESSES"', CHECK_FILES, 'ipcs -a | grep "^0x"', 'python3 -c "$OPEN_MQUEUE"', 'python3 -c "$CONNECT_ABSTRACT_SOCKET"'].join('\n');
    // The holder plants everything, says so, waits for the test's go, then looks at its own items once more.
    const holder = await t.sandbox.start({ argv: ['sh', '-c', `${plantAll}\necho ready\nread go\n${checkAll}`], env: PYTHON, limits: limits() });
    const ready = new Promise<void>((resolve) => holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve()));
    await ready;

    const other = await t.sandbox.run({ argv: ['sh', '-c', checkAll], env: PYTHON, limits: limits() });
    holder.stdin.end('go\n');
    const own = await holder.result;

    expect(other.stdout.toString(), other.stderr.toString()).toBe('');
    // The holder's own look proves each check above could have seen the items.
    const seen = own.stdout.toString();
    expect(seen).toMatch(/^\d+ sleep 1001$/m);
    expect(seen).toMatch(/^\/box\/mine$(.|\n)*^\/tmp\/mine$(.|\n)*^\/dev\/shm\/mine$/m);
    expect(seen.match(/^0x\w+ /gm)).toHaveLength(3);
    expect(seen).toMatch(/^mqueue still there$/m);
    expect(seen).toMatch(/^abstract socket answered/m);
    expect(await t.processesOfRuns()).toEqual([]);
  });
});
