import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readFlowLogObject } from '../app/flow-log-records';
import type { EventMeta } from '../core/alert';
import { fileObjectStore } from './file-object-store';

/** Largest decompressed input: the commands hold their input in memory. */
const MAX_INPUT_BYTES = 512 * 1024 * 1024;

/**
 * A file's (or stdin's) text; gzip, known by its magic bytes whatever the name, is decompressed. A
 * Parquet flow-log file (as S3 holds them) is read by the S3 source's reader and given as the text
 * it would be in a `.log.gz`: its header line, then one line a row.
 */
export async function readInputText(file: string | undefined): Promise<string> {
  // Parquet is read by range, never loaded whole (it may be larger than a buffer can be).
  if (file !== undefined && isParquetFile(file)) return parquetText(file);
  const bytes = readFileSync(file ?? 0);
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return gunzipSync(bytes, { maxOutputLength: MAX_INPUT_BYTES }).toString('utf8');
  return bytes.toString('utf8');
}

/** Whether `file` is a Parquet file (`PAR1` at both ends), from its first and last bytes; false when it cannot be read. */
export function isParquetFile(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = fstatSync(fd).size;
    if (size < 12) return false;
    const magic = (at: number): boolean => {
      const bytes = Buffer.alloc(4);
      return readSync(fd as number, bytes, 0, 4, at) === 4 && bytes.toString('latin1') === 'PAR1';
    };
    return magic(0) && magic(size - 4);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

async function parquetText(file: string): Promise<string> {
  const lines: string[] = [];
  let size = 0;
  for await (const batch of readFlowLogObject(fileObjectStore, '', file, 'parquet')) {
    if (lines.length === 0) lines.push(batch.format.fields.map((f) => f.name).join(' '));
    for (const record of batch.records) {
      size += record.message.length + 1;
      if (size > MAX_INPUT_BYTES) throw new Error(`its rows come to more than ${MAX_INPUT_BYTES} bytes of text`);
      lines.push(record.message);
    }
  }
  return lines.join('\n');
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
