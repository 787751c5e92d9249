// Small helpers for driving the app with inject(): JSON in, parsed JSON out, and polling until a submission finishes.
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { isTerminal } from '../../src/domain/lifecycle.js';

// Tests read arbitrary fields of answers and assert their shape, so the default body type is deliberately loose.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface JsonResponse<T = any> {
  statusCode: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: T;
  /** The raw text, for checks that nothing internal leaked. */
  text: string;
}

export interface RequestOptions {
  payload?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string>;
}

type Method = 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';

/** Sends a request through inject() and parses the JSON answer (the body is the raw text when it is not JSON). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function call<T = any>(app: FastifyInstance, method: Method, url: string, options: RequestOptions = {}): Promise<JsonResponse<T>> {
  const response = await app.inject({
    method,
    url,
    query: options.query,
    headers: options.headers,
    ...(options.payload === undefined ? {} : { payload: options.payload as string | object }),
  });
  let body: unknown = response.body;
  try {
    body = JSON.parse(response.body);
  } catch {
    // Not JSON (metrics, docs page): keep the text.
  }
  return { statusCode: response.statusCode, headers: response.headers, body: body as T, text: response.body };
}


/** Polls GET /api/v1/submissions/:id until it is finished (or the timeout passes) and returns the last answer. */
export async function waitForSubmission(app: FastifyInstance, id: string, headers: Record<string, string> = {}, timeoutMs = 30_000): Promise<JsonResponse> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await call(app, 'GET', `/api/v1/submissions/${id}`, { headers });
    if (response.statusCode !== 200 || isTerminal(response.body.status) || Date.now() > deadline) return response;
    await sleep(50);
  }
}

/** Polls until `check` is true or the timeout passes; returns whether it became true. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 10_000, intervalMs = 25): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(intervalMs);
  }
}
