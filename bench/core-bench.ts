/**
 * Core throughput: parse + normalize + message body (JSON that SQS accepts, within the size limit,
 * as the Lambda sends it), records per second on one core, for default-layout REJECT lines and for a
 * 29-field custom layout, beside the floor (split the same line and JSON.stringify an equally-sized
 * ready-made alert). `npm run bench`.
 */
import type { Alert, EventMeta } from '../lambda/core/alert';
import { compileFormat } from '../lambda/core/log-format';
import { toMessageBody } from '../lambda/core/message-body';
import { messageToAlert } from '../lambda/core/normalize';

const RECORDS = Number(process.env['BENCH_RECORDS'] ?? 200_000);
const ROUNDS = 7;
/** The default MAX_MESSAGE_BYTES less the 1 KiB kept for attributes, as the Lambda serializes. */
const MAX_BODY_BYTES = 262_144 - 1024;

const V5_ALL_FIELDS =
  'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id subnet-id instance-id tcp-flags type pkt-srcaddr pkt-dstaddr region az-id sublocation-type sublocation-id pkt-src-aws-service pkt-dst-aws-service flow-direction traffic-path';

function v2Line(i: number): string {
  return `2 123456789012 eni-0a1b2c3d4e5f${(i % 4096).toString(16).padStart(5, '0')} 198.51.${(i >> 8) & 255}.${i & 255} 10.0.${(i >> 4) & 255}.${i & 15} ${1024 + (i % 60000)} ${[22, 3389, 443, 445, 23][i % 5]} 6 ${1 + (i % 9)} ${40 + (i % 1400)} ${1700000000 + i} ${1700000060 + i} REJECT OK`;
}

function v5Line(i: number): string {
  return `5 123456789012 eni-0a1b2c3d4e5f${(i % 4096).toString(16).padStart(5, '0')} 198.51.${(i >> 8) & 255}.${i & 255} 10.0.${(i >> 4) & 255}.${i & 15} ${1024 + (i % 60000)} ${[22, 3389, 443][i % 3]} 6 ${1 + (i % 9)} ${40 + (i % 1400)} ${1700000000 + i} ${1700000060 + i} REJECT OK vpc-0abcdefab01234567 subnet-0aaaaaaaa01234567 i-0c50d5961bcb2d47b 2 IPv4 198.51.${(i >> 8) & 255}.${i & 255} 10.0.${(i >> 4) & 255}.${i & 15} us-east-1 use1-az2 - - - - ingress -`;
}

function meta(i: number): EventMeta {
  return {
    logGroup: '/aws/vpc/flowlogs',
    logStream: 'eni-0a1b2c3d4e5f00001-all',
    eventId: `${37000000000000000000000000000000000000000000000000000000n + BigInt(i)}`,
    timestamp: 1700000000000 + i * 1000,
    ingestionTime: 1700000300000 + i * 1000,
  };
}

function best(run: () => number): number {
  let fastest = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    const sink = run();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (sink < 0) throw new Error('unreachable');
    fastest = Math.min(fastest, seconds);
  }
  return RECORDS / fastest;
}

function bench(name: string, logFormat: string | undefined, lineOf: (i: number) => string): void {
  const format = compileFormat(logFormat);
  const lines = Array.from({ length: RECORDS }, (_, i) => lineOf(i));
  const metas = Array.from({ length: RECORDS }, (_, i) => meta(i));
  const ready: Alert[] = lines.map((line, i) => {
    const alert = messageToAlert(line, format, metas[i]);
    if (alert === null || alert.raw_event.record_format === 'unparsed') throw new Error(`bench line did not parse: ${line}`);
    return alert;
  });

  const ours = best(() => {
    let bytes = 0;
    for (let i = 0; i < RECORDS; i++) bytes += toMessageBody(messageToAlert(lines[i] as string, format, metas[i]) as Alert, MAX_BODY_BYTES).length;
    return bytes;
  });
  const floor = best(() => {
    let bytes = 0;
    for (let i = 0; i < RECORDS; i++) {
      bytes += (lines[i] as string).split(' ').length;
      bytes += JSON.stringify(ready[i]).length;
    }
    return bytes;
  });
  const body = JSON.stringify(ready[0]).length;
  process.stdout.write(
    `${name.padEnd(22)} ${Math.round(ours).toLocaleString('en-US').padStart(10)} records/s   floor ${Math.round(floor).toLocaleString('en-US').padStart(10)} records/s   ratio ${(floor / ours).toFixed(2)}x   (${body} B/alert)\n`,
  );
}

process.stdout.write(`core: parse + normalize + message body, ${RECORDS.toLocaleString('en-US')} records, best of ${ROUNDS} rounds, node ${process.version}\n`);
bench('v2 REJECT (14 fields)', undefined, v2Line);
bench('custom (29 fields)', V5_ALL_FIELDS, v5Line);
