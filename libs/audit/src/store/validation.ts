import { InvalidArgumentError } from '@sark/platform';

import type { AuditDecision, AuditEventInput, HashedAuditEvent } from './types.js';

/** An event input after validation: optional text normalised to null, attributes checked. */
export type ValidatedEvent = Omit<HashedAuditEvent, 'eventId' | 'sequence' | 'recordedAt'>;

export const maxTextLength = 1024;
export const maxAttributesBytes = 16 * 1024;
export const maxAttributesDepth = 32;

const eventTypePattern = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
const correlationIdPattern = /^[A-Za-z0-9._:-]{1,128}$/;
// A lone UTF-16 surrogate cannot be encoded as UTF-8, so the database would store U+FFFD and break the hash.
const loneSurrogate = /\p{Cs}/u;

const optionalTextFields = [
  ['principal', 'principal'],
  ['resource', 'resource'],
  ['action', 'action'],
  ['sourceNodeId', 'source_node_id'],
  ['targetNodeId', 'target_node_id'],
  ['actor', 'actor'],
  ['reason', 'reason'],
  ['peerEventId', 'peer_event_id'],
] as const;

/**
 * Checks an event input and normalises it. Throws InvalidArgumentError whose field is
 * `${prefix}.<snake_case name>`, for example `event.event_type`.
 */
export function validateEvent(input: AuditEventInput, prefix: string): ValidatedEvent {
  if (typeof input !== 'object' || input === null) {
    throw new InvalidArgumentError(prefix, 'is required');
  }

  const event: ValidatedEvent = {
    correlationId: validateCorrelationId(input.correlationId, `${prefix}.correlation_id`),
    eventType: validateEventType(input.eventType, `${prefix}.event_type`),
    principal: null,
    resource: null,
    action: null,
    decision: validateDecision(input.decision, `${prefix}.decision`),
    sourceNodeId: null,
    targetNodeId: null,
    actor: null,
    reason: null,
    peerEventId: null,
    attributes: validateAttributes(input.attributes, `${prefix}.attributes`),
  };
  for (const [key, field] of optionalTextFields) {
    event[key] = validateOptionalText(input[key], `${prefix}.${field}`);
  }

  return event;
}

function validateCorrelationId(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidArgumentError(field, 'is required');
  }
  if (!correlationIdPattern.test(value)) {
    throw new InvalidArgumentError(field, `${JSON.stringify(value.slice(0, 140))} must be 1-128 characters of A-Z, a-z, 0-9, '.', '_', ':' or '-'`);
  }

  return value;
}

function validateEventType(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new InvalidArgumentError(field, 'is required');
  }
  if (value.length > 64 || !eventTypePattern.test(value)) {
    throw new InvalidArgumentError(field, `${JSON.stringify(value.slice(0, 80))} must be lowercase snake_case of at most 64 characters, for example cross_org_request`);
  }

  return value;
}

function validateDecision(value: unknown, field: string): AuditDecision | null {
  if (value === undefined || value === null || value === '') {
    return null;
  }
  if (value !== 'allow' && value !== 'deny') {
    throw new InvalidArgumentError(field, `${JSON.stringify(String(value).slice(0, 80))} must be 'allow' or 'deny'`);
  }

  return value;
}

function validateOptionalText(value: unknown, field: string): string | null {
  if (value === undefined || value === null || value === '') {
    return null;
  }
  if (typeof value !== 'string') {
    throw new InvalidArgumentError(field, `must be a string, not ${typeof value}`);
  }
  checkStoredText(value, field);
  const length = [...value].length;
  if (length > maxTextLength) {
    throw new InvalidArgumentError(field, `is ${length} characters long, more than the maximum of ${maxTextLength}`);
  }

  return value;
}

/** Rejects strings that PostgreSQL cannot store unchanged in text or jsonb. */
function checkStoredText(value: string, field: string): void {
  if (value.includes('\u0000')) {
    throw new InvalidArgumentError(field, 'must not contain the NUL character (U+0000)');
  }
  if (loneSurrogate.test(value)) {
    throw new InvalidArgumentError(field, 'must be well-formed Unicode but contains a lone surrogate');
  }
}

/**
 * Checks that attributes are a plain JSON object (nested plain objects, arrays, strings,
 * finite numbers, booleans and null) of at most `maxAttributesDepth` levels and
 * `maxAttributesBytes` bytes as canonical JSON. Absent attributes become `{}`.
 */
export function validateAttributes(value: unknown, field: string): Record<string, unknown> {
  if (value === undefined || value === null) {
    return {};
  }
  if (!isPlainObject(value)) {
    throw new InvalidArgumentError(field, 'must be a plain JSON object');
  }

  checkJsonValue(value, field, 1);
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > maxAttributesBytes) {
    throw new InvalidArgumentError(field, `is ${bytes} bytes as JSON, more than the maximum of ${maxAttributesBytes}`);
  }

  return value;
}

/** Checks one JSON value. `depth` counts the arrays and objects from the attributes object (1) down to this value. */
function checkJsonValue(value: unknown, path: string, depth: number): void {
  if (value === null || typeof value === 'boolean') {
    return;
  }
  if (typeof value === 'string') {
    checkStoredText(value, path);
    return;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new InvalidArgumentError(path, `${value} is not a finite number`);
    }
    return;
  }
  if (depth > maxAttributesDepth) {
    throw new InvalidArgumentError(path, `is nested deeper than ${maxAttributesDepth} levels of arrays and objects`);
  }
  if (Array.isArray(value)) {
    // An index loop, unlike forEach, also visits the holes of a sparse array, which are not JSON.
    for (let index = 0; index < value.length; index += 1) {
      checkJsonValue(value[index], `${path}[${index}]`, depth + 1);
    }
    return;
  }
  if (!isPlainObject(value)) {
    throw new InvalidArgumentError(path, `${describeType(value)} is not a JSON value`);
  }

  for (const [key, item] of Object.entries(value)) {
    checkStoredText(key, `${path}.${key}`);
    checkJsonValue(item, `${path}.${key}`, depth + 1);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return false;
  }
  const prototype = Object.getPrototypeOf(value) as unknown;

  return prototype === Object.prototype || prototype === null;
}

function describeType(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    return (value.constructor as { name?: string } | undefined)?.name ?? 'object';
  }

  return typeof value;
}
