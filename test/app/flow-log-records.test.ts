import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});
