import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { EventMeta } from '../core/alert';

/** Largest decompressed input: the commands hold their input in memory. */
const MAX_INPUT_BYTES = 512 * 1024 * 1024;

/** A file's (or stdin's) text; gzip, known by its magic bytes whatever the name, is decompressed. */
export function readInputText(file: string | undefined): string {
  const bytes = readFileSync(file ?? 0);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return gunzipSync(bytes, { maxOutputLength: MAX_INPUT_BYTES }).toString('utf8');
  return bytes.toString('utf8');
}

/** One message to normalize, with whatever the input said about where it came from. */
export interface InputEvent {
  readonly message: string;
  readonly meta: EventMeta;
  /** 1-based line number in plain-text input; event index + 1 in JSON input. */
  readonly position: number;
}

/**
 * Splits CLI input into messages. The JSON that `aws logs filter-log-events` prints
 * (`{"events": [...]}`) yields its events with their metadata; anything else is plain text,
 * one message per line (blank lines skipped).
 */
export function readInputEvents(text: string, logGroup?: string): InputEvent[] {
  const events = filterLogEventsOutput(text);
  if (events !== undefined) {
    return events.map((event, index) => ({
      message: event.message,
      position: index + 1,
      meta: withGroup(
        {
          ...(event.logStreamName !== undefined && { logStream: event.logStreamName }),
          ...(event.eventId !== undefined && { eventId: event.eventId }),
          ...(event.timestamp !== undefined && { timestamp: event.timestamp }),
          ...(event.ingestionTime !== undefined && { ingestionTime: event.ingestionTime }),
        },
        logGroup,
      ),
    }));
  }
  const out: InputEvent[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() !== '') out.push({ message: line, position: i + 1, meta: withGroup({}, logGroup) });
  }
  return out;
}

interface CliEvent {
  message: string;
  logStreamName?: string;
  eventId?: string;
  timestamp?: number;
  ingestionTime?: number;
}

function filterLogEventsOutput(text: string): CliEvent[] | undefined {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{') || !/"events"\s*:/.test(trimmed.slice(0, 4096))) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray((parsed as { events?: unknown }).events)) {
    return undefined;
  }
  const events: CliEvent[] = [];
  for (const item of (parsed as { events: unknown[] }).events) {
    if (typeof item !== 'object' || item === null) continue;
    const e = item as Record<string, unknown>;
    if (typeof e['message'] !== 'string') continue;
    events.push({
      message: e['message'],
      ...(typeof e['logStreamName'] === 'string' && { logStreamName: e['logStreamName'] }),
      ...(typeof e['eventId'] === 'string' && { eventId: e['eventId'] }),
      ...(typeof e['timestamp'] === 'number' && { timestamp: e['timestamp'] }),
      ...(typeof e['ingestionTime'] === 'number' && { ingestionTime: e['ingestionTime'] }),
    });
  }
  return events;
}

function withGroup(meta: EventMeta, logGroup: string | undefined): EventMeta {
  return logGroup === undefined ? meta : { ...meta, logGroup };
}
