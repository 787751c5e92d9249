// The setpriv prefix and bwrap options every run gets.
import { describe, expect, it } from 'vitest';
import { bwrapOptions, commandPrefix, sandboxEnv } from './bwrap-argv.js';

const base = { systemArgs: ['--ro-bind', '/usr', '/usr'], boxDir: '/run/x/box', tmpDir: '/run/x/tmp', shmDir: '/run/x/shm', statusFd: 4, seccompFd: 5 };

/** Values of every `--setenv NAME VALUE` triple. */
function envOf(options: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  options.forEach((option, index) => {
    if (option === '--setenv') env[options[index + 1]!] = options[index + 2]!;
  });
  return env;
}

describe('commandPrefix', () => {
  describe('when given a pool uid', () => {
    it('should drop to that uid with no groups, no capabilities and no_new_privs before bwrap', () => {
      const prefix = commandPrefix({ setprivPath: '/usr/bin/setpriv', bwrapPath: '/usr/bin/bwrap', hostUid: 61000, optionsFd: 3 });
      expect(prefix).toEqual([
        '/usr/bin/setpriv', '--reuid=61000', '--regid=61000', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all', '--no-new-privs', '--',
        '/usr/bin/bwrap', '--args', '3',
      ]);
    });
  });

  describe('when given uid 0 or a non-integer', () => {
    it('should refuse, so no run is ever root on the host', () => {
      for (const hostUid of [0, -1, 1.5]) {
        expect(() => commandPrefix({ setprivPath: 's', bwrapPath: 'b', hostUid, optionsFd: 3 })).toThrow(/refusing/);
      }
    });
  });
});

describe('bwrapOptions', () => {
  describe('when building a run', () => {
    const options = bwrapOptions(base);

    it('should unshare every namespace, forbid nested user namespaces and drop all capabilities', () => {
      expect(options).toEqual(expect.arrayContaining(['--unshare-all', '--unshare-user', '--disable-userns', '--die-with-parent', '--new-session']));
      expect(options.join(' ')).toContain('--cap-drop ALL');
      expect(options).not.toContain('--share-net');
    });

    it('should bind the work dir at /box, /tmp and /dev/shm, make / and /dev read-only, and start in /box', () => {
      const text = options.join(' ');
      expect(text).toContain('--bind /run/x/box /box');
      expect(text).toContain('--bind /run/x/tmp /tmp');
      expect(text).toContain('--bind /run/x/shm /dev/shm');
      expect(text).not.toContain('--tmpfs');
      expect(text).toContain('--remount-ro /dev');
      expect(text).toContain('--remount-ro /');
      expect(text).toContain('--chdir /box');
    });

    it('should load the seccomp filter from the given descriptor', () => {
      expect(options.join(' ')).toContain('--seccomp 5');
    });

    it('should clear the environment and set only the minimal one', () => {
      expect(options).toContain('--clearenv');
      expect(options.indexOf('--clearenv')).toBeLessThan(options.indexOf('--setenv'));
      expect(envOf(options)).toEqual({ PATH: '/usr/local/bin:/usr/bin:/bin', HOME: '/box', LANG: 'C.UTF-8', TMPDIR: '/tmp', USER: 'runner', LOGNAME: 'runner' });
    });

    it('should never carry the server environment', () => {
      process.env.RUNLANE_UNIT_SECRET = 'do-not-leak';
      try {
        expect(bwrapOptions(base).join('\n')).not.toContain('do-not-leak');
      } finally {
        delete process.env.RUNLANE_UNIT_SECRET;
      }
    });

    it('should report status on the given descriptor, last', () => {
      expect(options.slice(-2)).toEqual(['--json-status-fd', '4']);
    });
  });

  describe('when the spec adds variables', () => {
    it('should add and override them as separate argv items', () => {
      const env = envOf(bwrapOptions({ ...base, env: { GOCACHE: '/tmp/go', LANG: 'en_US.UTF-8', WEIRD: 'a b;$(x)' } }));
      expect(env).toMatchObject({ GOCACHE: '/tmp/go', LANG: 'en_US.UTF-8', WEIRD: 'a b;$(x)' });
    });
  });
});

describe('sandboxEnv', () => {
  describe('when a variable name or value is invalid', () => {
    it('should refuse it', () => {
      expect(() => sandboxEnv({ 'BAD-NAME': 'x' })).toThrow(/invalid environment variable name/);
      expect(() => sandboxEnv({ '': 'x' })).toThrow(/invalid/);
      expect(() => sandboxEnv({ OK: 'a\0b' })).toThrow(/NUL/);
    });
  });
});
