/**
 * Shared machinery for the peer-conformance suite: where the peer fixtures live, narrowing of
 * their untyped JSON/YAML, running our core on one message, and comparing a peer's output with
 * our alert through a per-peer mapping table.
 *
 * The fixtures are read at test time and never copied into this repository (licences: see
 * ../shared/peer-fixtures/README.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Alert, EventMeta } from '../../lambda/core/alert';
import type { FlowFieldSpec } from '../../lambda/core/flow-fields';
import { FLOW_FIELDS } from '../../lambda/core/flow-fields';
import type { CompiledFormat } from '../../lambda/core/log-format';
import { messageToAlert } from '../../lambda/core/normalize';
import { expectValidAlert } from '../helpers/alert-schema';

/** The project root's sibling `shared/peer-fixtures`. */
export const FIXTURES = path.join(__dirname, '..', '..', '..', 'shared', 'peer-fixtures');

export const PEERS = ['vector', 'aws-docs', 'aws-docs-fields', 'elastic', 'beats', 'otel', 'flowlogs-reader'] as const;
export type PeerName = (typeof PEERS)[number];

/** One thing compared between a peer and us. `field` is the peer's name for it, or `(outcome)` etc. */
export interface Comparison {
  readonly field: string;
  readonly peer: unknown;
  readonly ours: unknown;
  readonly same: boolean;
}

/** One peer vector, run as one jest test. */
export interface PeerCase {
  readonly peer: PeerName;
  /** Unique within the peer; DELIBERATE_DIFFERENCES refers to it. */
  readonly id: string;
  /** Extra words for the test name, read from the fixture. */
  readonly title?: string;
  /** Runs our core on the case's input and returns every comparison made. */
  run(): Comparison[];
}

// ---------------------------------------------------------------------------------------------
// Reading fixtures: everything is `unknown` until narrowed.

export function fixturePath(relative: string): string {
  return path.join(FIXTURES, relative);
}

export function readText(relative: string): string {
  return fs.readFileSync(fixturePath(relative), 'utf8');
}

export function readJson(relative: string): unknown {
  return JSON.parse(readText(relative)) as unknown;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value)) throw new Error(`${what}: expected an object, found ${describe(value)}`);
  return value;
}

export function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${what}: expected an array, found ${describe(value)}`);
  return value as unknown[];
}

export function asText(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what}: expected a string, found ${describe(value)}`);
  return value;
}

export function asNumber(value: unknown, what: string): number {
  if (typeof value !== 'number') throw new Error(`${what}: expected a number, found ${describe(value)}`);
  return value;
}

/** A string, or `null` for an absent/null value. */
export function asOptionalText(value: unknown, what: string): string | null {
  return value === null || value === undefined ? null : asText(value, what);
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

/** The lines of a text file or S3 object; a final newline ends the last line rather than starting one. */
export function splitLines(text: string): string[] {
  const lines = text.split('\n');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** `{a: {b: 1}}` → `{'a.b': 1}`; arrays stay values; an empty object disappears (Elastic's `sublocation: {}`). */
export function flatten(value: Readonly<Record<string, unknown>>, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [key, inner] of Object.entries(value)) {
    if (isRecord(inner)) flatten(inner, `${prefix}${key}.`, out);
    else out[`${prefix}${key}`] = inner;
  }
  return out;
}

/** `log-status` → `log_status`: the spelling most peers use for AWS names. */
export function snake(awsName: string): string {
  return awsName.replace(/-/g, '_');
}

// ---------------------------------------------------------------------------------------------
// Running our side.

/** Our parser + normalizer on one message; every alert it produces must satisfy the contract. */
export function runOurs(message: string, format: CompiledFormat, meta?: EventMeta): Alert | null {
  const alert = messageToAlert(message, format, meta);
  if (alert !== null) expectValidAlert(alert);
  return alert;
}

/** What a peer did with one input line: a record, nothing (header dropped, line skipped), or an error. */
export type PeerOutcome = 'record' | 'no output' | 'error';

function ourOutcome(message: string, alert: Alert | null): string {
  if (alert === null) return 'no output';
  if (alert.raw_event.record_format !== 'unparsed') return 'record';
  return alert.raw_event.message === message ? 'unparsed' : 'unparsed, raw message lost';
}

/**
 * Compares what happened to one line. A peer error and our `unparsed` alert (raw message kept)
 * agree: neither side takes the line as a valid record.
 */
export function compareOutcome(peer: PeerOutcome, message: string, alert: Alert | null): Comparison {
  const ours = ourOutcome(message, alert);
  const same = peer === 'error' ? ours === 'unparsed' : peer === ours;
  return { field: '(outcome)', peer, ours, same };
}

/** True when both sides produced a record, so their fields can be compared. */
export function bothRecords(peer: PeerOutcome, alert: Alert | null): alert is Alert {
  return peer === 'record' && alert !== null && alert.raw_event.record_format !== 'unparsed';
}

// ---------------------------------------------------------------------------------------------
// Mapping tables.

/** Our side of a mapping: an alert property, or one of `raw_event`'s. */
export type OurKey =
  | Exclude<keyof Alert, 'raw_event' | 'extra'>
  | 'raw_event.message'
  | 'raw_event.log_group'
  | 'raw_event.log_stream';

/** How a peer value is compared with ours. */
export type Compare =
  /** Same text; numbers compare by their decimal form (Elastic writes `"6"` for 6). */
  | 'value'
  /** Same text ignoring case (Beats writes `event.action: accept`). */
  | 'ci'
  /** Same instant: peer ISO-8601 (or naive UTC `YYYY-MM-DD HH:MM:SS`) vs our Unix seconds or ISO string. */
  | 'time'
  /** Peer epoch nanoseconds (a decimal string) vs our Unix seconds. */
  | 'nanos'
  /** Same set of TCP flag names, ignoring case and order. */
  | 'flags';

export interface FieldRule {
  readonly ours: OurKey;
  readonly compare?: Compare;
  /** Compare only when the peer wrote the key: only some revisions of the peer's output have it. */
  readonly onlyWhenPresent?: true;
}

/** One peer's names → ours, plus the peer keys deliberately not compared (exact, or a prefix ending in `.`). */
export interface PeerFields {
  readonly name: string;
  readonly table: Readonly<Record<string, OurKey | FieldRule>>;
  readonly ignore: Readonly<Record<string, string>>;
}

/** The AWS field each of our keys comes from, so a key is compared only when the layout carries it. */
const SOURCE_FIELD: ReadonlyMap<string, string> = new Map<string, string>([
  ...FLOW_FIELDS.map((f): [string, string] => [f.alert, f.name]),
  ['timestamp', 'start'],
  ['protocol', 'protocol'],
  ['tcp_flag_names', 'tcp-flags'],
]);

/** The AWS field an alert key is read from, or `undefined` for keys every alert has (raw_event.*). */
export function sourceFieldOf(key: OurKey): string | undefined {
  return SOURCE_FIELD.get(key);
}

function ourValue(alert: Alert, key: OurKey): unknown {
  if (key.startsWith('raw_event.')) return (alert.raw_event as unknown as Record<string, unknown>)[key.slice('raw_event.'.length)];
  return (alert as unknown as Record<string, unknown>)[key];
}

function ruleOf(entry: OurKey | FieldRule): FieldRule {
  return typeof entry === 'string' ? { ours: entry } : entry;
}

function isIgnored(fields: PeerFields, key: string): boolean {
  return Object.keys(fields.ignore).some((ignored) => (ignored.endsWith('.') ? key.startsWith(ignored) : key === ignored));
}

/**
 * Compares a peer's (flattened) output with our alert, key by key through `fields`.
 *
 * `full`: the peer document is the peer's whole output, and a peer that drops `-` values omits
 * them, so a mapped key the layout carries but the peer omits counts as `null`. A key the layout
 * does not carry is compared only if the peer wrote it. `subset`: only the keys the peer wrote.
 *
 * A peer key that is neither mapped nor ignored is a harness error, so nothing is skipped silently.
 */
export function compareFields(
  peerDoc: Readonly<Record<string, unknown>>,
  alert: Alert,
  fields: PeerFields,
  layout: readonly FlowFieldSpec[],
  mode: 'full' | 'subset',
): Comparison[] {
  const unmapped = Object.keys(peerDoc).filter((key) => !(key in fields.table) && !isIgnored(fields, key));
  if (unmapped.length > 0) {
    throw new Error(`${fields.name}: peer field(s) ${unmapped.join(', ')} are neither mapped nor ignored`);
  }
  const carried = new Set(layout.map((f) => f.name));
  const out: Comparison[] = [];
  for (const [key, entry] of Object.entries(fields.table)) {
    const rule = ruleOf(entry);
    const present = Object.prototype.hasOwnProperty.call(peerDoc, key);
    if (!present) {
      if (mode === 'subset' || rule.onlyWhenPresent === true) continue;
      const source = sourceFieldOf(rule.ours);
      if (source === undefined || !carried.has(source)) continue;
    }
    const peer = present ? (peerDoc[key] ?? null) : null;
    const ours = ourValue(alert, rule.ours) ?? null;
    out.push({ field: key, peer, ours, same: sameValue(rule.compare ?? 'value', peer, ours) });
  }
  return out;
}

function sameValue(how: Compare, peer: unknown, ours: unknown): boolean {
  if (peer === null || ours === null) return peer === ours;
  switch (how) {
    case 'value':
      return scalarText(peer) === scalarText(ours);
    case 'ci':
      return scalarText(peer)?.toLowerCase() === scalarText(ours)?.toLowerCase();
    case 'time': {
      const a = peerMillis(peer);
      return a !== null && a === ourMillis(ours);
    }
    case 'nanos':
      return typeof peer === 'string' && typeof ours === 'number' && /^\d+$/.test(peer) && BigInt(peer) === BigInt(ours) * 1_000_000_000n;
    case 'flags':
      return flagSet(peer) !== null && flagSet(peer) === flagSet(ours);
  }
}

function scalarText(value: unknown): string | undefined {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
}

function peerMillis(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const iso = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** Our `start`/`end` are Unix seconds as logged (contract); `timestamp` is already ISO. */
function ourMillis(value: unknown): number | null {
  if (typeof value === 'number') return value * 1000;
  return peerMillis(value);
}

function flagSet(value: unknown): string | null {
  if (!Array.isArray(value)) return null;
  const names = (value as unknown[]).map((v) => scalarText(v)?.toLowerCase() ?? '?');
  return names.sort().join(',');
}

/** Short, one-line rendering of a compared value for failure messages and the summary. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
