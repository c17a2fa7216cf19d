import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { parquetMetadataAsync, parquetRead, parquetSchema } from 'hyparquet';
import type { AsyncBuffer, FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import type { ObjectKind } from '../core/flow-log-object';
import type { CompiledFormat } from '../core/log-format';
import { compileFormat } from '../core/log-format';
import { parseMessage } from '../core/record-parser';
import type { ObjectStore } from './ports';

/** Records handed on at a time: as many as sendAlerts takes in one chunk. */
export const RECORDS_PER_BATCH = 2500;
/**
 * Parquet rows decoded at a time: a row group is read in slices of this many rows, so a large (or
 * hostile, declaring millions of rows) group is never decoded whole.
 */
export const PARQUET_ROWS_PER_READ = 100_000;
/** A line longer than this (no flow record is) is cut and sent as an unparsed record. */
export const MAX_LINE_CHARS = 1_048_576;

/** One record of an object: its text (a Parquet row is written as a line) and where it is. */
export interface ObjectRecord {
  readonly message: string;
  /** Line (text, from 1; line 1 is the header) or row (Parquet, from 1). */
  readonly position: number;
  /** Why the record cannot be read, when the object says so itself (a cut line, a corrupt object). */
  readonly unparsedReason?: string;
}

/** Records of an object in batches, with the layout they are in. */
export interface RecordBatch {
  readonly format: CompiledFormat;
  readonly records: readonly ObjectRecord[];
}

/** A fault in the object itself (corrupt gzip, not Parquet): reported once, never retried. */
export class CorruptObjectError extends Error {
  public constructor(message: string, public readonly position: number) {
    super(message);
    this.name = 'CorruptObjectError';
  }
}

/**
 * Reads a flow-log object front to back in batches of {@link RECORDS_PER_BATCH}, holding no more
 * than a batch: text (gzip or plain) as a stream, whose header line names the layout; Parquet by
 * row group through range reads, with the layout from its schema. A fault in the object itself
 * ends the reading with {@link CorruptObjectError} (after the batches before it); a fault of the
 * store (network, throttling) is thrown as it is, and the caller retries the object. `from`: the
 * first line or row to hand on (a continued object); text before it is still read for its header,
 * Parquet starts at that row.
 */
export async function* readFlowLogObject(store: ObjectStore, bucket: string, key: string, kind: Exclude<ObjectKind, 'ignored'>, from = 1): AsyncGenerator<RecordBatch> {
  if (kind === 'parquet') yield* parquetBatches(store, bucket, key, from);
  else yield* textBatches(await store.stream(bucket, key), kind === 'log-gzip', from);
}

async function* textBatches(body: AsyncIterable<Uint8Array>, gzip: boolean, from: number): AsyncGenerator<RecordBatch> {
  let format = compileFormat();
  let batch: ObjectRecord[] = [];
  let line = 0;
  try {
    for await (const text of lines(body, gzip)) {
      line++;
      // Before `from`, only line 1 is looked at (a header sets the layout), never sent again.
      if (line < from && (line > 1 || text.cut)) continue;
      if (text.cut) {
        batch.push({ message: text.value, position: line, unparsedReason: `line ${line} is longer than ${MAX_LINE_CHARS} characters (cut)` });
      } else if (line === 1) {
        // S3 flow-log files start with a header naming the fields; without one, the version 2 layout.
        const header = parseMessage(text.value, format);
        if (header.kind === 'header') {
          format = compileFormat(header.fields.map((f) => f.name).join(' '));
          continue;
        }
        if (line >= from) batch.push({ message: text.value, position: line });
      } else if (text.value !== '') {
        batch.push({ message: text.value, position: line });
      }
      if (batch.length >= RECORDS_PER_BATCH) {
        yield { format, records: batch };
        batch = [];
      }
    }
  } catch (error) {
    if (batch.length > 0) yield { format, records: batch };
    if (isZlibError(error)) throw new CorruptObjectError(`the object is not valid gzip after line ${line}: ${(error as Error).message}`, line + 1);
    throw error;
  }
  if (batch.length > 0) yield { format, records: batch };
}

/** Lines of a (possibly gzip) byte stream; a line over {@link MAX_LINE_CHARS} is cut, the rest skipped. */
async function* lines(body: AsyncIterable<Uint8Array>, gzip: boolean): AsyncGenerator<{ value: string; cut: boolean }> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let skipping = false;
  const source: AsyncIterable<Buffer | Uint8Array> = gzip ? gunzip(body) : body;
  for await (const chunk of source) {
    pending += decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    let newline = pending.indexOf('\n');
    while (newline !== -1) {
      const value = pending.slice(0, newline).replace(/\r$/, '');
      pending = pending.slice(newline + 1);
      if (!skipping) yield { value, cut: false };
      skipping = false;
      newline = pending.indexOf('\n');
    }
    if (pending.length > MAX_LINE_CHARS && !skipping) {
      yield { value: pending.slice(0, MAX_LINE_CHARS), cut: true };
      skipping = true;
    }
    if (skipping) pending = '';
  }
  pending += decoder.end();
  if (pending !== '' && !skipping) yield { value: pending.replace(/\r$/, ''), cut: false };
}

/**
 * Decompresses a gzip stream; multi-member files (concatenated gzip, as S3 uploads may be) too. A
 * reader that stops early (a continued object, a corrupt one) destroys the inflater: the feeding
 * then stops too (a destroyed stream never drains, so waiting for that alone would never end) and
 * the body is closed.
 */
async function* gunzip(body: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer> {
  const inflater = createGunzip();
  const source = body[Symbol.asyncIterator]();
  const writable = (): Promise<void> => new Promise<void>((resolve) => {
    const go = (): void => {
      inflater.off('drain', go);
      inflater.off('close', go);
      resolve();
    };
    inflater.once('drain', go);
    inflater.once('close', go);
  });
  const feeding = (async () => {
    try {
      while (!inflater.destroyed) {
        const next = await source.next();
        if (next.done === true || inflater.destroyed) break;
        if (!inflater.write(next.value)) await writable();
      }
      if (!inflater.destroyed) inflater.end();
    } catch (error) {
      inflater.destroy(error as Error);
    } finally {
      await source.return?.();
    }
  })();
  try {
    for await (const chunk of inflater) yield chunk as Buffer;
  } finally {
    inflater.destroy();
    await feeding;
  }
}

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.startsWith('Z_');
}

async function* parquetBatches(store: ObjectStore, bucket: string, key: string, from: number): AsyncGenerator<RecordBatch> {
  const { size: byteLength } = await store.head(bucket, key);
  const file: AsyncBuffer = {
    byteLength,
    slice: async (start: number, end?: number) => {
      const bytes = await store.range(bucket, key, start, end ?? byteLength);
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    },
  };
  let metadata: FileMetaData;
  let names: string[];
  let format: CompiledFormat;
  try {
    metadata = await parquetMetadataAsync(file);
    names = parquetSchema(metadata).children.map((c) => c.element.name);
    format = compileFormat(names.join(' '));
  } catch (error) {
    if (isStoreError(error)) throw error;
    throw new CorruptObjectError(`the object is not a flow-log Parquet file: ${(error as Error).message}`, 1);
  }
  // One slice of a row group at a time: its decoded rows are what is in memory.
  const total = metadata.row_groups.reduce((sum, group) => sum + Number(group.num_rows), 0);
  for (let row = Math.max(0, from - 1); row < total; row += PARQUET_ROWS_PER_READ) {
    const rows: unknown[][] = [];
    try {
      await parquetRead({
        file, metadata, compressors, rowStart: row, rowEnd: Math.min(total, row + PARQUET_ROWS_PER_READ),
        // One call per slice; pushed one by one (a spread of 100,000 arguments would overflow the stack).
        onComplete: (chunk: unknown[][]) => {
          for (const values of chunk) rows.push(values);
        },
      });
    } catch (error) {
      if (isStoreError(error)) throw error;
      throw new CorruptObjectError(`rows from ${row + 1} cannot be read: ${(error as Error).message}`, row + 1);
    }
    for (let start = 0; start < rows.length; start += RECORDS_PER_BATCH) {
      const records = rows.slice(start, start + RECORDS_PER_BATCH).map((values, i) => ({ message: rowText(values), position: row + start + i + 1 }));
      yield { format, records };
    }
    // A file whose groups hold fewer rows than they declare is cut short here, not read past.
    if (rows.length < Math.min(total, row + PARQUET_ROWS_PER_READ) - row) {
      throw new CorruptObjectError(`rows from ${row + rows.length + 1} are declared but missing`, row + rows.length + 1);
    }
  }
}

/** A Parquet row as the text line the same record would be in a `.log.gz` file. */
function rowText(values: readonly unknown[]): string {
  return values.map((v) => (v === null || v === undefined || v === '' ? '-' : typeof v === 'bigint' ? v.toString() : String(v).replace(/\s+/g, '_'))).join(' ');
}

/** Faults of the store (network, access) rather than of the object: the object is retried. */
function isStoreError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && '$metadata' in error;
}
