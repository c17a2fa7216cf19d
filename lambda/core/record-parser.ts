import type { FlowAlertKey, FlowFieldSpec } from './flow-fields';
import { lookupField } from './flow-fields';
import type { CompiledFormat, FlowRecord } from './log-format';
import { LineMismatch, parseNonNegativeInt } from './log-format';

/** What one log message turned out to be. */
export type ParseOutcome =
  /** A flow record in the configured layout (`v2` or `custom`) or a JSON object (`json`). */
  | {
      readonly kind: 'record';
      readonly recordFormat: 'v2' | 'custom' | 'json';
      readonly record: FlowRecord;
      /** JSON keys that are not flow-log fields, kept as they were. */
      readonly extra?: Readonly<Record<string, unknown>>;
    }
  /** An S3-style header line (`version account-id ...`): it describes a layout and holds no flow. */
  | { readonly kind: 'header'; readonly fields: readonly FlowFieldSpec[] }
  /** Anything else; it still reaches the alert pipeline, with its raw message. */
  | { readonly kind: 'unparsed'; readonly reason: string };

/**
 * Parses one CloudWatch Logs message: a line in `format`, a JSON flow record (hyphen or
 * underscore keys), a JSON `{"message": "..."}` wrapper, or a header line. Never throws.
 */
export function parseMessage(raw: string, format: CompiledFormat): ParseOutcome {
  if (typeof raw !== 'string') return { kind: 'unparsed', reason: 'message is not text' };
  const message = stripLineNoise(raw);
  const first = firstNonSpace(message);
  if (first === '{') {
    const json = tryParseJsonObject(message);
    if (json !== undefined) return parseJsonRecord(json, format);
  }
  const parsed = format.parseLine(message);
  if (!(parsed instanceof LineMismatch)) {
    // A header can only parse as a record when the layout starts with a text field.
    const header = format.fields[0]?.type === 'string' ? headerFields(message) : undefined;
    if (header !== undefined) return { kind: 'header', fields: header };
    return { kind: 'record', recordFormat: format.isDefault ? 'v2' : 'custom', record: parsed };
  }
  const header = headerFields(message);
  if (header !== undefined) return { kind: 'header', fields: header };
  return { kind: 'unparsed', reason: parsed.reason };
}

/** Drops a leading byte-order mark and a trailing CR (a file saved on Windows), which no field contains. */
function stripLineNoise(text: string): string {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const end = text.charCodeAt(text.length - 1) === 13 ? text.length - 1 : text.length;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function firstNonSpace(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c !== ' ' && c !== '\t') return c;
  }
  return '';
}

function tryParseJsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The fields a header line names, or `undefined` when the line is not a header. A header's
 * first token is a field name, which no flow-record value ever is, so the check is cheap.
 */
function headerFields(line: string): FlowFieldSpec[] | undefined {
  const trimmed = line.trim();
  const space = trimmed.search(/[ \t]/);
  const firstToken = space === -1 ? trimmed : trimmed.slice(0, space);
  if (lookupField(firstToken) === undefined) return undefined;
  const fields: FlowFieldSpec[] = [];
  for (const token of trimmed.split(/[ \t]+/)) {
    const field = lookupField(token);
    if (field === undefined || fields.includes(field)) return undefined;
    fields.push(field);
  }
  return fields;
}

function parseJsonRecord(json: Record<string, unknown>, format: CompiledFormat): ParseOutcome {
  const record: FlowRecord = {};
  const extra: Record<string, unknown> = {};
  const seen = new Set<FlowFieldSpec>();
  let hasExtra = false;
  for (const [key, value] of Object.entries(json)) {
    const field = lookupField(key);
    if (field === undefined) {
      // A plain assignment of "__proto__" would set the prototype and lose the key.
      if (key === '__proto__') Object.defineProperty(extra, key, { value, enumerable: true, writable: true, configurable: true });
      else extra[key] = value;
      hasExtra = true;
      continue;
    }
    if (seen.has(field)) return { kind: 'unparsed', reason: `JSON field ${field.name} is given twice` };
    seen.add(field);
    const converted = convertJsonValue(field, value);
    if (converted instanceof LineMismatch) return { kind: 'unparsed', reason: converted.reason };
    record[field.alert as FlowAlertKey] = converted;
  }
  if (seen.size > 0) {
    return hasExtra ? { kind: 'record', recordFormat: 'json', record, extra } : { kind: 'record', recordFormat: 'json', record };
  }
  // A log shipper's envelope around a plain record, such as {"message": "2 123... ACCEPT OK"}.
  const inner = json['message'];
  if (typeof inner === 'string' && firstNonSpace(inner) !== '{') {
    const outcome = parseMessage(inner, format);
    if (outcome.kind !== 'record') return outcome;
    // The message on the wire is JSON, whatever layout the wrapped line has.
    if (!hasOtherKeys(json)) return { ...outcome, recordFormat: 'json' };
    const { message: _message, ...rest } = json;
    return { ...outcome, recordFormat: 'json', extra: rest };
  }
  return { kind: 'unparsed', reason: 'JSON object has no flow-log fields' };
}

function hasOtherKeys(json: Record<string, unknown>): boolean {
  for (const key in json) if (key !== 'message') return true;
  return false;
}

function convertJsonValue(field: FlowFieldSpec, value: unknown): string | number | null | LineMismatch {
  if (value === null || value === '-') return null;
  if (field.type === 'string') {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
    return new LineMismatch(`JSON field ${field.name}: expected a string, found ${typeof value}`);
  }
  const max = field.max ?? Number.MAX_SAFE_INTEGER;
  const number =
    typeof value === 'number' && Number.isSafeInteger(value) && value >= 0
      ? value
      : typeof value === 'string'
        ? parseNonNegativeInt(value)
        : undefined;
  if (number === undefined || number > max) {
    return new LineMismatch(`JSON field ${field.name}: ${JSON.stringify(value)?.slice(0, 64)} is not an integer from 0 to ${max}`);
  }
  return number;
}
