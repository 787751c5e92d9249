// Slot poisoning over the whole stack on one sandbox slot: what one user leaves behind never reaches the next user.
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, eventually, waitForSubmission, type JsonResponse } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { makeUser } from '../support/tokens.js';

type User = Awaited<ReturnType<typeof makeUser>>;

/** A C program printing the names in its work dir, sorted: what a run of it can see. */
const LIST_BOX_C = `#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
static int byName(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
int main(void) {
  char *names[256]; int count = 0;
  DIR *dir = opendir("/box"); struct dirent *entry;
  while ((entry = readdir(dir)) != NULL && count < 256) if (entry->d_name[0] != '.') names[count++] = strdup(entry->d_name);
  qsort(names, count, sizeof *names, byName);
  for (int i = 0; i < count; i++) puts(names[i]);
  return 0;
}
`;
/** Its static data makes the binary about 100 MB: more than a run's 64 MB work dir, well within the compile's 512 MB. */
const OVERSIZED_C = 'char big[100 << 20] = {1};\nint main(void) { return big[0] - 1; }\n';
const PAYLOAD_PY = 'print("PWNED by the previous user")\nraise SystemExit(0)\n';

function submit(stack: TestStack, user: User, payload: Record<string, unknown>): Promise<JsonResponse> {
  return call(stack.app, 'POST', '/api/v1/submissions', { headers: user.headers, query: { wait: 'true' }, payload });
}

const EXTRAS = [{ name: 'json.py', content: PAYLOAD_PY }, { name: 'payload.txt', content: 'left by the attacker\n' }];
/** Ways an attacker could leave files in the slot: a name clashing with the compile's output, an artifact too large to write. */
const ATTEMPTS = {
  clash: { language: 'c', files: [{ name: 'x.c', content: 'int main(void) { return 0; }\n' }, { name: 'main', content: 'attacker binary' }, ...EXTRAS] },
  oversized: { language: 'c', files: [{ name: 'x.c', content: OVERSIZED_C }, ...EXTRAS] },
};

async function attemptPoisoning(stack: TestStack, attacker: User, kinds: (keyof typeof ATTEMPTS)[] = ['clash', 'oversized']): Promise<void> {
  for (const payload of kinds.map((kind) => ATTEMPTS[kind])) {
    const response = await submit(stack, attacker, payload);
    expect([200, 400]).toContain(response.statusCode);
  }
}

describe('when one sandbox slot serves every user in turn', () => {
  let stack: TestStack;
  let attacker: User;
  let victim: User;
  let bystander: User;

  beforeAll(async () => {
    // One uid and no warm prologue: every compile and run of every user gets the very same slot.
    stack = await createTestStack({ scheduler: { maxConcurrent: 1 }, sandbox: { uidCount: 1, warmPool: 0 } });
    [attacker, victim, bystander] = await Promise.all([makeUser('Mallory'), makeUser('Victor'), makeUser('Bea')]);
  });
  afterAll(async () => {
    await stack?.close();
  });

  describe('when a file is named like what the compile writes', () => {
    it.each([
      ['C', 'c', [{ name: 'main.c', content: 'int main(void) { return 0; }\n' }, { name: 'main', content: 'not a binary' }]],
      ['TypeScript', 'typescript', [{ name: 'main.ts', content: 'console.log(1);\n' }, { name: 'main.js', content: 'console.log("attacker");\n' }]],
      ['Java', 'java', [{ name: 'Main.java', content: 'public class Main { public static void main(String[] a) {} }\n' }, { name: 'Main.class', content: 'not a class' }]],
    ])('should refuse %s with 400 and a stable code', async (_name, language, files) => {
      const response = await submit(stack, attacker, { language, files: [...files, { name: 'json.py', content: PAYLOAD_PY }] });
      expect(response.statusCode).toBe(400);
      expect(response.body.error.code).toBe('RUNLANE_ERR_ENGINE_RESERVED_FILE_NAME');
      expect(response.body.error.message).toContain(files[1]!.name);
    });

    it('should leave the next user\'s run untouched', async () => {
      await attemptPoisoning(stack, attacker);
      const response = await submit(stack, victim, { language: 'c', source: LIST_BOX_C });
      expect(response.body).toMatchObject({ status: 'completed', verdict: 'accepted', stdout: 'main\nmain.c\n' });
    });
  });

  describe('when the compiled program is larger than the run\'s work dir', () => {
    it('should give a compilation_error saying so, and keep the node healthy for the next submission', async () => {
      const response = await submit(stack, attacker, { language: 'c', files: [{ name: 'main.c', content: OVERSIZED_C }, { name: 'json.py', content: PAYLOAD_PY }] });
      expect(response.statusCode).toBe(200);
      expect(response.body).toMatchObject({ status: 'completed', verdict: 'compilation_error' });
      expect(response.body.message).toMatch(/compiled program .* larger than the run's work dir \(64 MB\)/);

      const next = await submit(stack, bystander, { language: 'python', source: 'print("still fine")' });
      expect(next.body).toMatchObject({ status: 'completed', verdict: 'accepted', stdout: 'still fine\n' });
      const health = await call(stack.app, 'GET', '/health');
      expect(health.body).toMatchObject({ status: 'healthy', sandbox: { slots: 1, retiredSlots: 0 } });
    });
  });

  describe('when the next user\'s Python program imports json', () => {
    it('should get the standard library, never a json.py an earlier user tried to leave', async () => {
      await attemptPoisoning(stack, attacker, ['clash']);
      const response = await submit(stack, victim, { language: 'python', source: 'import json\nprint(json.dumps({"ok": True}))\n' });
      expect(response.body).toMatchObject({ status: 'completed', verdict: 'accepted', stdout: '{"ok": true}\n' });
      expect(response.text).not.toContain('PWNED');
    });
  });

  describe('when an identical program is compiled after a poisoning attempt', () => {
    it('should cache exactly what the compile produced from the submitted files', async () => {
      await attemptPoisoning(stack, attacker);
      // A comment unique to this test keeps the first compile from being an earlier test's cache hit.
      const source = `${LIST_BOX_C}// cache test ${Date.now()}\n`;
      const first = await submit(stack, victim, { language: 'c', source });
      expect(first.body).toMatchObject({ status: 'completed', verdict: 'accepted', stdout: 'main\nmain.c\n', compile: { cached: false } });
      const second = await submit(stack, bystander, { language: 'c', source });
      expect(second.body).toMatchObject({ status: 'completed', verdict: 'accepted', stdout: 'main\nmain.c\n', compile: { cached: true } });
    });
  });

  describe('when the service cannot run a submission', () => {
    it('should tell the user a short text with the code, never a host path', async () => {
      // Linux refuses one argument over 128 KiB: the sandbox turns that down (a service-side refusal, not a verdict).
      const response = await submit(stack, victim, { language: 'python', source: 'print(1)', args: ['x'.repeat(200 * 1024)] });
      expect(response.text).not.toContain(stack.config.sandbox.runRoot);
      expect(response.text).not.toMatch(/prologue/);
      // Refused at the request already (400) is just as good; otherwise the sandbox's refusal is reported by its code.
      if (response.statusCode !== 400) {
        expect(response.body).toMatchObject({ status: 'failed', verdict: 'internal_error' });
        expect(response.body.message).toMatch(/RUNLANE_ERR_SANDBOX_BAD_SPEC/);
      }
    });
  });
});

describe('when the only slot also feeds the warm pool', () => {
  let stack: TestStack;
  let user: User;

  beforeAll(async () => {
    stack = await createTestStack({ scheduler: { maxConcurrent: 1 }, sandbox: { uidCount: 1 } });
    user = await makeUser('Wanda');
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('should wait for the slot a background refill holds instead of reporting the sandbox busy', async () => {
    for (let index = 0; index < 3; index++) {
      const response = await submit(stack, user, { language: 'c', source: `#include <stdio.h>\nint main(void) { puts("run ${index}"); return 0; }\n` });
      expect(response.body).toMatchObject({ status: 'completed', verdict: 'accepted', stdout: `run ${index}\n` });
    }
  });
});

describe('when a slot cannot be reset after its run', () => {
  let stack: TestStack;
  let user: User;

  beforeAll(async () => {
    stack = await createTestStack({ scheduler: { maxConcurrent: 1 }, sandbox: { uidCount: 2 } });
    user = await makeUser('Ursula');
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('should retire the slot, report /health degraded and keep running on the other slot', async () => {
    const before = await call(stack.app, 'GET', '/health');
    expect(before.body).toMatchObject({ status: 'healthy', sandbox: { slots: 2, retiredSlots: 0 } });

    const started = await call(stack.app, 'POST', '/api/v1/submissions', { headers: user.headers, payload: { language: 'bash', source: 'echo x > stuck\nsleep 2\necho done\n' } });
    expect(started.statusCode).toBe(202);
    const runs = join(stack.config.sandbox.runRoot, 'runs');
    let stuckFile = '';
    const found = await eventually(async () => {
      for (const server of await readdir(runs).catch(() => [] as string[])) {
        for (const slot of await readdir(join(runs, server)).catch(() => [] as string[])) {
          const box = join(runs, server, slot, 'box');
          if ((await readdir(box).catch(() => [] as string[])).includes('stuck')) stuckFile = join(box, 'stuck');
        }
      }
      return stuckFile !== '';
    });
    expect(found).toBe(true);
    // An immutable file cannot be removed, not even by root: the reset fails as it would on a kernel or tmpfs fault.
    await promisify(execFile)('chattr', ['+i', stuckFile]);
    try {
      const finished = await waitForSubmission(stack.app, started.body.id, user.headers);
      expect(finished.body).toMatchObject({ status: 'completed', verdict: 'accepted', stdout: 'done\n' });

      const health = await call(stack.app, 'GET', '/health');
      expect(health.statusCode).toBe(200);
      expect(health.body).toMatchObject({ status: 'degraded', sandbox: { slots: 1, retiredSlots: 1 } });

      for (let index = 0; index < 2; index++) {
        const next = await submit(stack, user, { language: 'bash', source: 'ls -A /box /tmp /dev/shm\n' });
        expect(next.body).toMatchObject({ status: 'completed', verdict: 'accepted', stdout: '/box:\nmain.sh\n\n/dev/shm:\n\n/tmp:\n' });
      }
    } finally {
      await promisify(execFile)('chattr', ['-i', stuckFile]).catch(() => undefined);
    }
  });
});
