/**
 * Flow-log records as AWS delivers them in Parquet, for the tests, the demo and the benchmark
 * (hyparquet-writer is a dev dependency): one column per field, named with `_`, typed as AWS's
 * Athena table for Parquet flow logs types them (`int`: version, ports, tcp-flags, traffic-path;
 * `bigint`: protocol, packets, bytes, start, end; `string`: the rest), `-` as null, and Gzip
 * page compression, which is the compression AWS documents for its Parquet files.
 */
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';

const INT32 = new Set(['version', 'srcport', 'dstport', 'tcp-flags', 'traffic-path']);
const INT64 = new Set(['protocol', 'packets', 'bytes', 'start', 'end']);

/** Parquet compressions a test may choose; GZIP is what AWS writes. */
export type ParquetCodec = 'GZIP' | 'SNAPPY' | 'UNCOMPRESSED';

/** One Parquet file of `rows` (each the record's space-separated values) in the layout `fields` (`-` names). */
export function flowLogParquet(fields: readonly string[], rows: ReadonlyArray<readonly string[]>, options: { rowGroupSize?: number; codec?: ParquetCodec } = {}): Uint8Array {
  const columnData = fields.map((field, i) => {
    const type = INT32.has(field) ? 'INT32' : INT64.has(field) ? 'INT64' : 'STRING';
    const value = (row: readonly string[]): string | number | bigint | null => {
      const text = row[i];
      if (text === undefined || text === '-') return null;
      return type === 'INT32' ? Number(text) : type === 'INT64' ? BigInt(text) : text;
    };
    return { name: field.replace(/-/g, '_'), type, data: rows.map(value) };
  });
  return new Uint8Array(parquetWriteBuffer({
    columnData: columnData as never,
    codec: options.codec ?? 'GZIP',
    compressors: { GZIP: (bytes: Uint8Array) => new Uint8Array(gzipSync(bytes)) },
    ...(options.rowGroupSize !== undefined && { rowGroupSize: options.rowGroupSize }),
  }));
}
