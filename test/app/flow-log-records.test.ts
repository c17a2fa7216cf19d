import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { MAX_LINE_CHARS, PARQUET_ROWS_PER_READ, readFlowLogObject, RECORDS_PER_BATCH } from '../../lambda/app/flow-log-records';
import { sendObject } from '../../lambda/app/send-object';
import { FakeQueue } from '../helpers/fakes';
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
  it('stops cleanly when its reader stops early in a large gzip object (the feeding stops, nothing hangs)', async () => {
    // Random addresses and ports: megabytes of gzip that the inflater cannot take in at once.
    const line = (i: number): string => `5 ${Math.floor(Math.random() * 2 ** 32)}.example ${Math.random().toString(36).slice(2)} ${i} REJECT`;
    const file = join(mkdtempSync(join(tmpdir(), 'records-')), 'large.log.gz');
    writeFileSync(file, gzipSync(`${FIELDS.join(' ')}\n${Array.from({ length: 200_000 }, (_, i) => line(i)).join('\n')}\n`));
    const chunked = { ...fileObjectStore, stream: async (bucket: string, key: string) => (async function* () {
      // As S3 gives it: 64 KiB at a time.
      const whole = (await fileObjectStore.stream(bucket, key))[Symbol.asyncIterator]();
      const bytes = (await whole.next()).value as Uint8Array;
      for (let at = 0; at < bytes.length; at += 65_536) yield bytes.subarray(at, at + 65_536);
    })() };
    for (let attempt = 0; attempt < 2; attempt++) {
      let batches = 0;
      for await (const batch of readFlowLogObject(chunked, '', file, 'log-gzip')) {
        expect(batch.records.length).toBeGreaterThan(0);
        if (++batches === 1 + attempt) break;
      }
      expect(batches).toBe(1 + attempt);
    }
  }, 20_000);


  it('continues from a given line, with the layout still from the header', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'records-')), 'lines.log.gz');
    writeFileSync(file, gzipSync(`${FIELDS.join(' ')}\n${Array.from({ length: 10 }, (_, i) => `5 198.51.100.7 10.0.0.1 ${i} REJECT`).join('\n')}\n`));
    const batches = [];
    for await (const batch of readFlowLogObject(fileObjectStore, '', file, 'log-gzip', 9)) batches.push(batch);
    expect(batches.flatMap((b) => b.records.map((r) => [r.position, r.message.split(' ')[3]]))).toEqual([[9, '7'], [10, '8'], [11, '9']]);
    expect(batches[0]?.format.fields.map((f) => f.name)).toEqual(FIELDS);
  });

  it('never sends a cut first line again from a later line', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'records-')), 'cut.log');
    writeFileSync(file, `${'x'.repeat(MAX_LINE_CHARS + 10)}\n5 198.51.100.7 10.0.0.1 1 REJECT\n5 198.51.100.7 10.0.0.1 2 REJECT\n`);
    const positions: number[] = [];
    for await (const batch of readFlowLogObject(fileObjectStore, '', file, 'log-text', 3)) positions.push(...batch.records.map((r) => r.position));
    expect(positions).toEqual([3]);
  });
});

describe('sendObject told to stop', () => {
  it('stops after the batch in hand, naming where to continue, unless alerts were not sent (then the reading repeats)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'records-')), 'x_vpcflowlogs_r_fl-1_20261125T0000Z_h.log.gz');
    writeFileSync(file, gzipSync(`${FIELDS.join(' ')}\n${Array.from({ length: RECORDS_PER_BATCH * 3 }, (_, i) => `5 198.51.100.7 10.0.0.1 ${i} REJECT`).join('\n')}\n`));
    const queue = new FakeQueue();
    const partial = await sendObject('', file, { store: fileObjectStore, publisher: queue, maxMessageBytes: 262_144 }, { stop: () => true });
    expect(partial).toMatchObject({ outcome: 'partial', next: RECORDS_PER_BATCH + 2, records: RECORDS_PER_BATCH });
    queue.failWhen = () => true;
    const failed = await sendObject('', file, { store: fileObjectStore, publisher: queue, maxMessageBytes: 262_144 }, { stop: () => true, from: partial.next ?? 0 });
    expect(failed).toMatchObject({ outcome: 'send-failed', records: RECORDS_PER_BATCH });
  });
});
