/**
 * Where we knowingly disagree with a peer. Each entry must still differ (the suite fails when a
 * listed difference goes away), and any difference not listed here fails its case.
 */
import type { PeerName } from './harness';

export interface DeliberateDifference {
  readonly peer: PeerName;
  /** Case ids as the suite names them (`test-ecs-samples.log #3`). */
  readonly cases: readonly string[];
  /** The peer's field names (or `(outcome)`) that differ in every listed case. */
  readonly fields: readonly string[];
  readonly reason: string;
}

/** `numbered('x.log', 3)` → `['x.log #1', 'x.log #2', 'x.log #3']`. */
function numbered(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix} #${i + 1}`);
}

const ELASTIC_KEEPS_DASH =
  'Elastic removes "-" values only under aws.*, so cloud.region/cloud.availability_zone keep a literal "-"; we read "-" as null (contract)';

export const DELIBERATE_DIFFERENCES: readonly DeliberateDifference[] = [
  {
    peer: 'elastic',
    cases: [...numbered('test-ecs-samples.log', 10), 'test-v8-samples.log #1'],
    fields: ['cloud.region', 'cloud.availability_zone'],
    reason: ELASTIC_KEEPS_DASH,
  },
  {
    peer: 'elastic',
    // The Transit Gateway order has region but no az-id.
    cases: numbered('test-tgw-samples.log', 10),
    fields: ['cloud.region'],
    reason: ELASTIC_KEEPS_DASH,
  },
  {
    peer: 'elastic',
    cases: ['test-with-message-field.log #1'],
    fields: ['event.original'],
    reason: 'Elastic keeps the unwrapped line; our raw_event.message is the message as received, {"message": ...} envelope included',
  },
  {
    peer: 'aws-docs',
    cases: ['nat #5 as published', 'nat #6 as published'],
    fields: ['(outcome)'],
    reason: 'the page annotates these lines with a trailing "#..." comment that no flow log contains; we do not strip comments, so the extra tokens make the line unparsed (raw message kept)',
  },
  {
    peer: 'otel',
    // handleAddresses: pkt-srcaddr (#10) / pkt-dstaddr (#11) differs from the interface address.
    cases: ['#10'],
    fields: ['source.address'],
    reason: 'OTel reports pkt-srcaddr as source.address when it differs (interface address moves to network.local.address); our src_ip is srcaddr as logged, with pkt-srcaddr in pkt_src_ip',
  },
  {
    peer: 'otel',
    cases: ['#11'],
    fields: ['destination.address'],
    reason: 'OTel reports pkt-dstaddr as destination.address when it differs; our dst_ip is dstaddr as logged, with pkt-dstaddr in pkt_dst_ip',
  },
  {
    peer: 'flowlogs-reader',
    cases: ['test_millisecond_timestamp'],
    fields: ['end'],
    reason: 'millisecond epochs: flowlogs-reader converts start and end; we convert only timestamp (from start) and keep end as logged, so read as Unix seconds it is far in the future',
  },
  {
    peer: 'flowlogs-reader',
    cases: ['test_iteration #6', 'test_serial_v5 #4'],
    fields: ['(outcome)'],
    reason: 'flowlogs-reader skips unparseable lines (and counts them); we pass them on as an unparsed alert that keeps the raw message',
  },
];
