// Refuses query parameters a native route does not know: a typo such as `?wiat=5000` must not be silently ignored.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, HTTP_ERRORS } from '../errors/index.js';

/** The native API; seed-compatible routes keep their systems' tolerance for extra parameters. */
const NATIVE_PREFIX = '/api/v1/';

/** Longest parameter name quoted back, so a hostile name cannot bloat the answer. */
const MAX_NAME_CHARS = 64;

/** Names of the query parameters the route's schema declares; none when it declares no query. */
export function declaredQueryParameters(request: FastifyRequest): string[] {
  const schema = request.routeOptions.schema?.querystring as { properties?: Record<string, unknown> } | undefined;
  return Object.keys(schema?.properties ?? {});
}

/** The first query parameter of `query` not in `allowed`, or null. */
export function findUnknownParameter(query: unknown, allowed: readonly string[]): string | null {
  if (query === null || typeof query !== 'object') return null;
  return Object.keys(query).find((name) => !allowed.includes(name)) ?? null;
}

/** Adds the check to every native route; it runs before validation, so the unknown name is the error the client sees. */
export function installUnknownQueryCheck(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    if (!(request.routeOptions.url ?? '').startsWith(NATIVE_PREFIX)) return;
    const allowed = declaredQueryParameters(request);
    const unknown = findUnknownParameter(request.query, allowed);
    if (unknown === null) return;
    const name = unknown.length > MAX_NAME_CHARS ? `${unknown.slice(0, MAX_NAME_CHARS)}…` : unknown;
    const accepted = allowed.length === 0 ? 'this route takes no query parameters' : `this route accepts ${allowed.map((key) => `\`${key}\``).join(', ')}`;
    const field = `querystring.${name}`;
    throw new AppError(HTTP_ERRORS.validation, `invalid request: ${field}: is not a known parameter; ${accepted}`, {
      details: { field, reason: 'is not a known parameter', fields: [{ field, message: 'is not a known parameter' }], accepted: allowed },
    });
  });
}
