// OpenAPI document and docs page, Prometheus metrics, and structured request logs carrying correlationId and executionId.
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logging/logger.js';
import { call, waitForSubmission } from '../support/http.js';
import { createTestStack, type TestStack } from '../support/test-stack.js';
import { makeUser } from '../support/tokens.js';

const lines: Array<Record<string, unknown>> = [];
let stack: TestStack;

beforeAll(async () => {
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  stack = await createTestStack({}, { logger: createLogger({ level: 'info', destination }) });
});

afterAll(async () => {
  await stack?.close();
});

describe('GET /docs', () => {
  it('should serve the docs page and its assets locally', async () => {
    const page = await stack.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).not.toMatch(/https?:\/\/(cdn|unpkg)/);
    const bundle = await stack.app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    expect(bundle.statusCode).toBe(200);
  });

  it('should serve an OpenAPI document listing every route', async () => {
    const response = await call(stack.app, 'GET', '/docs/json');
    expect(response.statusCode).toBe(200);
    expect(response.body.openapi).toMatch(/^3\./);
    const paths = Object.keys(response.body.paths);
    for (const path of [
      '/api/v1/submissions',
      '/api/v1/submissions/batch',
      '/api/v1/submissions/{id}',
      '/api/v1/languages',
      '/api/v1/stats',
      '/api/v1/queue',
      '/api/v1/rooms/{roomId}/queue',
      '/api/v1/rooms/{roomId}/history',
      '/api/v1/rooms/{roomId}/stats',
      '/api/v1/users/{userId}/history',
      '/health',
      '/metrics',
      '/execute',
      '/submission/{id}',
      '/stats',
      '/compile',
      '/run',
      '/api/execution/history/room/{roomId}',
      '/api/execution/queue/status/{roomId}',
      '/api/v1/workers',
      '/ready',
    ]) {
      expect(paths).toContain(path);
    }
    expect(response.body.paths['/api/v1/submissions'].post.requestBody.content['application/json'].schema.properties.language.type).toBe('string');
  });
});

describe('GET /metrics', () => {
  it('should expose queue depth, active runs, run durations by language and verdict, rejections and sandbox failures', async () => {
    const user = await makeUser();
    await call(stack.app, 'POST', '/api/v1/submissions', { headers: user.headers, query: { wait: 'true' }, payload: { language: 'python', source: 'print(1)' } });
    await call(stack.app, 'POST', '/api/v1/submissions', { headers: user.headers, payload: { language: 'nope', source: 'x' } });
    const response = await stack.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/plain');
    const text = response.body;
    expect(text).toContain('# TYPE runlane_queue_depth gauge');
    expect(text).toContain('# TYPE runlane_active_runs gauge');
    expect(text).toMatch(/runlane_run_duration_seconds_count\{language="python",verdict="accepted"\} [1-9]/);
    expect(text).toContain('runlane_submissions_rejected_total{code="RUNLANE_ERR_ENGINE_UNKNOWN_LANGUAGE"} 1');
    expect(text).toContain('# TYPE runlane_sandbox_failures_total counter');
    expect(text).toContain('runlane_http_request_duration_seconds_bucket');
  });
});

describe('request logs', () => {
  it('should write one line per request with the user, correlationId and executionId', async () => {
    const user = await makeUser();
    const correlationId = `log-${randomUUID()}`;
    const submitted = await call(stack.app, 'POST', '/api/v1/submissions', { headers: user.headers, payload: { language: 'python', source: 'print(1)', correlationId } });
    await waitForSubmission(stack.app, submitted.body.id, user.headers);
    const line = lines.find((entry) => entry.msg === 'request completed' && entry.correlationId === correlationId);
    expect(line).toMatchObject({ method: 'POST', route: '/api/v1/submissions', statusCode: 202, userId: user.userId, executionId: submitted.body.id, reqId: expect.any(String) });
    expect(JSON.stringify(lines)).not.toContain(user.token);
  });

  it('should echo a client request id', async () => {
    const user = await makeUser();
    const response = await stack.app.inject({ method: 'GET', url: '/api/v1/stats', headers: { ...user.headers, 'x-request-id': 'trace-me-123' } });
    expect(response.headers['x-request-id']).toBe('trace-me-123');
  });
});
