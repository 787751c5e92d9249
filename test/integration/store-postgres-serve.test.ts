// `runlane serve --database postgres://…` as a real process: one node, in-process queue, its submissions kept in PostgreSQL.
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresStore } from '../../src/store/postgres/postgres-store.js';
import { dropSchemas, SKIP_POSTGRES, uniqueSchema, urlWithSchema } from '../support/postgres.js';
import { runRunlaneToExit, startRunlane } from '../support/runlane-process.js';

const dataDir = mkdtempSync(join(tmpdir(), 'runlane-serve-pg-'));

afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  if (!SKIP_POSTGRES) await dropSchemas();
});

/** Starts `runlane serve --database URL` on a free port and resolves with its URL once it logs that it is serving. */
async function startServe(database: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const started = await startRunlane(['serve', '--port', '0', '--data-dir', dataDir, '--database', database]);
  return { ...started, url: started.url! };
}

async function stop(child: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  return exited;
}

describe.skipIf(SKIP_POSTGRES)('runlane serve on PostgreSQL', () => {
  describe('when it is started with --database postgres://…', () => {
    it('should run a submission, keep it in the schema, and answer for it after a restart', async () => {
      const schema = uniqueSchema();
      const database = urlWithSchema(schema);
      const marker = randomUUID();
      const first = await startServe(database);
      let id: string;
      try {
        // The start-up line names the database without any password.
        expect(first.output()).toMatch(new RegExp(`"database":"postgres://[^"]*\\(schema ${schema}\\)"`));
        const response = await fetch(`${first.url}/api/v1/submissions?wait=true`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ language: 'python', source: `print('${marker}')` }),
        });
        expect(response.status).toBe(200);
        const done = (await response.json()) as { id: string; status: string; stdout: string };
        expect(done).toMatchObject({ status: 'completed', stdout: `${marker}\n` });
        id = done.id;
      } finally {
        expect(await stop(first.child)).toBe(0);
      }

      // What the node wrote is in PostgreSQL, read by a store of our own.
      const store = await createPostgresStore(database);
      try {
        expect(await store.getSubmission(id)).toMatchObject({ id, status: 'completed', verdict: 'accepted', result: { stdout: `${marker}\n` } });
      } finally {
        await store.close();
      }

      const second = await startServe(database);
      try {
        const again = (await (await fetch(`${second.url}/api/v1/submissions/${id}`)).json()) as { status: string; stdout: string };
        expect(again).toMatchObject({ status: 'completed', stdout: `${marker}\n` });
      } finally {
        expect(await stop(second.child)).toBe(0);
      }
    });
  });

  describe('when the PostgreSQL server cannot be reached', () => {
    it('should exit non-zero saying the connection was refused, without the password', async () => {
      const { code, output } = await runRunlaneToExit(['serve', '--port', '0', '--data-dir', dataDir, '--database', 'postgres://runlane:hunter2-secret@127.0.0.1:1/test']);
      expect(code).not.toBe(0);
      expect(output).toContain('The PostgreSQL database runlane@127.0.0.1:1/test could not accept a connection: connection refused.');
      expect(output).not.toContain('hunter2-secret');
    });
  });
});
