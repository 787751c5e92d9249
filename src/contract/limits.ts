// TypeBox schemas of resource limits, derived from the one limits table: what a client may request and what the API reports.
import { Type, type TInteger, type TObject, type TOptional } from '@sinclair/typebox';
import { describeLimit, perLimit, type LimitKey } from '../domain/limits.js';

/** Requested limits: each optional, at least the field's minimum; unknown keys are refused so a typo never falls back to a default. */
export function requestedLimitsSchema(description?: string): TObject<Record<LimitKey, TOptional<TInteger>>> {
  return Type.Object(
    perLimit((field) => Type.Optional(Type.Integer({ minimum: field.min, description: describeLimit(field) }))),
    { additionalProperties: false, ...(description ? { description } : {}) },
  );
}

/** A complete limit set as the API reports it (defaults, maxima). */
export function limitSetSchema(description?: string): TObject<Record<LimitKey, TInteger>> {
  return Type.Object(perLimit((field) => Type.Integer({ description: describeLimit(field) })), description ? { description } : {});
}
