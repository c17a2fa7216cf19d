import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PARQUET_ROWS_PER_READ, readFlowLogObject } from '../../lambda/app/flow-log-records';
import { fileObjectStore } from '../../lambda/cli/file-object-store';
import { flowLogParquet } from '../../local/flow-log-parquet';

const FIELDS = ['version', 'srcaddr', 'dstaddr', 'dstport', 'action'];

describe('readFlowLogObject on Parquet', () => {
  it('reads a row group larger than one read in slices, every row once and in order', async () => {
    const rows = Array.from({ length: PARQUET_ROWS_PER_READ * 2 + 123 }, (_, i) => ['5', '198.51.100.7', `10.0.${(i >> 8) & 255}.${i & 255}`, String(i % 65536), 'REJECT']);
    const file = join(mkdtempSync(join(tmpdir(), 'records-')), 'one-group.log.parquet');
    writeFileSync(file, flowLogParquet(FIELDS, rows, { rowGroupSize: rows.length }));
    let count = 0;
    let last = 0;
    let inOrder = true;
    for await (const batch of readFlowLogObject(fileObjectStore, '', file, 'parquet')) {
      expect(batch.format.fields.map((f) => f.name)).toEqual(FIELDS);
      for (const record of batch.records) {
        inOrder &&= record.position === last + 1 && record.message === (rows[record.position - 1] as string[]).join(' ');
        last = record.position;
        count++;
      }
    }
    expect(inOrder).toBe(true);
    expect(count).toBe(rows.length);
  });

  it('continues from a given row, reading nothing before it twice', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ['5', '198.51.100.7', '10.0.0.1', String(i), 'REJECT']);
    const file = join(mkdtempSync(join(tmpdir(), 'records-')), 'groups.log.parquet');
    writeFileSync(file, flowLogParquet(FIELDS, rows, { rowGroupSize: 1000 }));
    const positions: number[] = [];
    for await (const batch of readFlowLogObject(fileObjectStore, '', file, 'parquet', 3999)) positions.push(...batch.records.map((r) => r.position));
    expect(positions).toEqual(Array.from({ length: 5000 - 3998 }, (_, i) => 3999 + i));
  });
});

describe('readFlowLogObject on text', () => {
  it('continues from a given line, with the layout still from the header', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'records-')), 'lines.log.gz');
    writeFileSync(file, gzipSync(`${FIELDS.join(' ')}\n${Array.from({ length: 10 }, (_, i) => `5 198.51.100.7 10.0.0.1 ${i} REJECT`).join('\n')}\n`));
    const batches = [];
    for await (const batch of readFlowLogObject(fileObjectStore, '', file, 'log-gzip', 9)) batches.push(batch);
    expect(batches.flatMap((b) => b.records.map((r) => [r.position, r.message.split(' ')[3]]))).toEqual([[9, '7'], [10, '8'], [11, '9']]);
    expect(batches[0]?.format.fields.map((f) => f.name)).toEqual(FIELDS);
  });
});
