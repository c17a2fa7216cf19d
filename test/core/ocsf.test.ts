/**
 * OCSF output: AWS's published mapping of VPC flow logs to OCSF 1.1.0 Network Activity, checked
 * field by field on AWS's documented records, and every event the output path makes checked against
 * the real schema (../shared/ocsf; the schema checks are skipped, saying so, when it is absent).
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { bodyOf } from '../../lambda/app/send-alerts';
import type { Alert } from '../../lambda/core/alert';
import { compileFormat } from '../../lambda/core/log-format';
import { minimalBody } from '../../lambda/core/message-body';
import { DEFAULT_CLASSIFY, messageToAlert } from '../../lambda/core/normalize';
import { toOcsfFinding, toOcsfNetworkActivity } from '../../lambda/core/ocsf';
import { exampleFindings } from '../../scripts/alert-contract';
import { findingMessage } from '../../lambda/app/close-findings';
import type { FindingAlert } from '../../lambda/core/finding';
import { expectValidOcsf, OCSF_SCHEMA_DIR } from '../helpers/ocsf-validator';

type Json = Record<string, unknown>;
const META = { logGroup: '/aws/vpc/flowlogs', logStream: 'eni-1-all', eventId: '3795', timestamp: 1_418_530_070_000, ingestionTime: 1_418_530_400_000 };

function ocsf(message: string, format?: string, maxBytes = 262_144): Json {
  const alert = messageToAlert(message, compileFormat(format), META, DEFAULT_CLASSIFY) as Alert;
  const event = JSON.parse(bodyOf(alert, maxBytes, 'ocsf')) as Json;
  if (OCSF_SCHEMA_DIR !== undefined) expectValidOcsf(event);
  return event;
}

describe('AWS\'s mapping of VPC flow logs to OCSF Network Activity', () => {
  it('maps a rejected flow: Refuse, Denied, Blocked, endpoints, connection, traffic, times in ms, cloud, metadata', () => {
    const event = ocsf('2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK');
    expect(event).toMatchObject({
      class_uid: 4001, category_uid: 4, activity_id: 5, activity_name: 'Refuse', type_uid: 400105, type_name: 'Network Activity: Refuse',
      action_id: 2, action: 'Denied', disposition_id: 2, disposition: 'Blocked', severity_id: 3, severity: 'Medium',
      time: 1_418_530_010_000, start_time: 1_418_530_010_000, end_time: 1_418_530_070_000, status_code: 'OK',
      src_endpoint: { ip: '172.31.9.69', port: 49761 },
      dst_endpoint: { ip: '172.31.9.12', port: 3389, interface_uid: 'eni-1235b8ca123456789' },
      connection_info: { protocol_num: 6, protocol_name: 'tcp', direction_id: 0 },
      traffic: { bytes: 4249, packets: 20 },
      cloud: { provider: 'AWS', account: { uid: '123456789010' } },
      metadata: {
        version: '1.1.0', uid: '3795', log_name: '/aws/vpc/flowlogs', logged_time: 1_418_530_400_000,
        product: { name: 'Amazon VPC', vendor_name: 'AWS', feature: { name: 'Flowlogs' } }, profiles: ['cloud', 'security_control', 'datetime'],
      },
      raw_data: '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK',
      unmapped: { version: 2, vpc_flow_alerts: { direction: 'internal', src_scope: 'private', dst_scope: 'private', service: 'rdp', record_format: 'v2', log_stream: 'eni-1-all', event_id: '3795' } },
    });
  });

  it('maps an accepted flow to Traffic, Allowed, Allowed', () => {
    expect(ocsf('2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK')).toMatchObject({
      activity_id: 6, activity_name: 'Traffic', type_uid: 400106, action_id: 1, action: 'Allowed', disposition_id: 1, disposition: 'Allowed', severity_id: 2, severity: 'Low',
    });
  });

  it('puts the packet-level addresses on the endpoints and the interface\'s in intermediate_ips (NAT gateway)', () => {
    const event = ocsf('- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5', '${instance-id} ${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr}');
    expect(event['src_endpoint']).toEqual(expect.objectContaining({ ip: '10.0.1.5' }));
    expect(event['src_endpoint']).not.toHaveProperty('intermediate_ips');
    expect(event['dst_endpoint']).toEqual(expect.objectContaining({ ip: '203.0.113.5', intermediate_ips: ['10.0.0.220'] }));
  });

  it('places the interface by flow-direction, maps traffic-path to boundary_id, services and the v5 fields', () => {
    const format = '${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${start} ${end} ${type} ${packets} ${bytes} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${region} ${az-id} ${sublocation-type} ${sublocation-id} ${action} ${tcp-flags} ${pkt-srcaddr} ${pkt-dstaddr} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${traffic-path} ${flow-direction} ${log-status}';
    const egress = ocsf('5 52.95.128.179 10.0.0.71 80 34210 6 1616729292 1616729349 IPv4 14 15044 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 52.95.128.179 10.0.0.71 S3 - 8 egress OK', format);
    expect(egress).toMatchObject({
      src_endpoint: { ip: '52.95.128.179', port: 80, svc_name: 'S3', interface_uid: 'eni-1235b8ca123456789', vpc_uid: 'vpc-abcdefab012345678', subnet_uid: 'subnet-aaaaaaaa012345678', instance_uid: 'i-0c50d5961bcb2d47b' },
      connection_info: { protocol_num: 6, tcp_flags: 19, protocol_ver: 'IPv4', direction_id: 2, direction: 'Outbound', boundary_id: 11, boundary: 'Internet Gateway' },
      cloud: { provider: 'AWS', account: { uid: '123456789012' }, region: 'ap-southeast-2', zone: 'apse2-az3' },
    });
    expect(egress['dst_endpoint']).not.toHaveProperty('interface_uid');
    const ingress = ocsf('5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 14 15044 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 10.0.0.71 52.95.128.179 - S3 1 ingress OK', format);
    expect(ingress).toMatchObject({ dst_endpoint: { interface_uid: 'eni-1235b8ca123456789', svc_name: 'S3' }, connection_info: { direction_id: 1, direction: 'Inbound', boundary_id: 4, boundary: 'Same VPC' } });
  });

  it('keeps every flow-log field without an OCSF attribute in unmapped, under its AWS name', () => {
    const event = ocsf('5 10.0.0.1 10.0.0.2 REJECT BPA arn:aws:ecs:us-east-1:123456789012:cluster/c', '${version} ${srcaddr} ${dstaddr} ${action} ${reject-reason} ${ecs-cluster-arn}');
    expect(event['unmapped']).toMatchObject({ version: 5, 'reject-reason': 'BPA', 'ecs-cluster-arn': 'arn:aws:ecs:us-east-1:123456789012:cluster/c' });
  });

  it('sends unparsed and NODATA records as events too, with the reason and unnamed endpoints', () => {
    const unparsed = ocsf('not a flow record');
    expect(unparsed).toMatchObject({ activity_id: 0, type_uid: 400100, action_id: 0, raw_data: 'not a flow record', status_detail: expect.stringContaining('expected 14 fields'), src_endpoint: { name: 'unknown' }, unmapped: { vpc_flow_alerts: { record_format: 'unparsed' } } });
    expect(ocsf('2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - NODATA')).toMatchObject({ activity_id: 0, severity_id: 1, status_code: 'NODATA', src_endpoint: { name: 'unknown' } });
  });

  it('cuts an oversize record to fit the message, saying so, and stays valid OCSF', () => {
    const json = JSON.stringify({ srcaddr: '10.0.0.1', dstaddr: '10.0.0.2', action: 'REJECT', note: 'x'.repeat(300_000) });
    const event = ocsf(json, undefined, 65_536);
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(65_536);
    expect(event).toMatchObject({ unmapped: { vpc_flow_alerts: { truncated: true, truncation_reason: 'message_too_large' } } });
    const minimal = JSON.parse(minimalBody(messageToAlert(json, compileFormat()) as Alert, 'refused_by_queue', toOcsfNetworkActivity)) as Json;
    if (OCSF_SCHEMA_DIR !== undefined) expectValidOcsf(minimal);
    expect(Buffer.byteLength(JSON.stringify(minimal))).toBeLessThan(2048);
    expect(minimal).toMatchObject({ unmapped: { vpc_flow_alerts: { truncation_reason: 'refused_by_queue' } } });
  });

  it('gives severity from the profile and rules: info 1, low 2, medium 3, high 4', () => {
    const alert = messageToAlert('2 123456789010 eni-1 10.0.0.1 10.0.0.2 1 22 6 1 40 1418530010 1418530070 REJECT OK', compileFormat()) as Alert;
    for (const [severity, id, name] of [['info', 1, 'Informational'], ['low', 2, 'Low'], ['medium', 3, 'Medium'], ['high', 4, 'High']] as const) {
      expect(toOcsfNetworkActivity({ ...alert, severity })).toMatchObject({ severity_id: id, severity: name });
    }
  });

  it('keeps every string within OCSF\'s limit, never splitting a character, and odd mapped values in unmapped', () => {
    const long = 'v'.repeat(70_000);
    const event = ocsf(JSON.stringify({ srcaddr: '1.2.3.4', dstaddr: '10.0.0.1', action: 'Reject', 'vpc-id': long, 'flow-direction': 'sideways', 'traffic-path': 42, region: long }), undefined, 1_048_576);
    expect(((event['dst_endpoint'] as Json)['vpc_uid'] as string).length).toBe(65_535);
    expect(event['unmapped']).toMatchObject({ action: 'Reject', 'flow-direction': 'sideways', 'traffic-path': 42 });
    // The emoji's first half is the 65,535th character: the cut keeps neither half.
    const emoji = `${'x'.repeat(65_534)}\u{1F600}tail`;
    const cut = toOcsfNetworkActivity({ ...(messageToAlert('2 1 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 40 1 2 REJECT OK', compileFormat()) as Alert), raw_event: { message: emoji, record_format: 'v2' } });
    expect(cut['raw_data'] === 'x'.repeat(65_534)).toBe(true);
  });

  it('makes a valid event of anything the parser accepts', () => {
    const format = compileFormat('${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${action} ${flow-direction} ${traffic-path} ${pkt-srcaddr}');
    fc.assert(fc.property(fc.array(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('-', '10.0.0.1', '::1', 'REJECT', 'ingress', '8', '65536', 'fe80::1%eth0')), { minLength: 1, maxLength: 12 }), (tokens) => {
      const alert = messageToAlert(tokens.join(' '), format);
      if (alert === null) return;
      const event = JSON.parse(bodyOf(alert, 262_144, 'ocsf')) as Json;
      if (OCSF_SCHEMA_DIR !== undefined) expectValidOcsf(event);
    }), { numRuns: 300 });
  });
});

describe('findings as OCSF Detection Findings', () => {
  it('fit the smallest queue the settings allow, in either form, with the largest addresses and ids', () => {
    const [scan] = exampleFindings();
    const big = { ...scan, log_group: `/${'g'.repeat(511)}`, src_ip: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', dst_ip: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe', evidence: Array.from({ length: 10 }, (_, i) => `${i}`.padStart(128, '9')), sample_hosts: Array.from({ length: 20 }, (_, i) => `ffff:ffff:ffff:ffff:ffff:ffff:ffff:${i}`) } as FindingAlert;
    for (const format of ['native', 'ocsf'] as const) {
      const message = findingMessage('0', big, big.log_group ?? '', format, 4096);
      expect(Buffer.byteLength(message.body)).toBeLessThanOrEqual(4096 - 1024);
      const body = JSON.parse(message.body) as Json;
      if (format === 'ocsf' && OCSF_SCHEMA_DIR !== undefined) expectValidOcsf(body);
      if (format === 'native') expect((body['evidence'] as string[]).length).toBeGreaterThan(0);
    }
  });

  it('map every finding type, with finding_info, evidences pointing at the flows, and the severity', () => {
    for (const finding of exampleFindings()) {
      const event = toOcsfFinding(finding);
      if (OCSF_SCHEMA_DIR !== undefined) expectValidOcsf(event);
      expect(event).toMatchObject({
        class_uid: 2004, category_uid: 2, activity_id: 1, type_uid: 200401, status_id: 1,
        finding_info: { uid: finding.alert_id, title: finding.title, types: [finding.finding_type] },
        metadata: { version: '1.1.0', uid: finding.alert_id, product: { name: 'vpc-flow-alerts' } },
        unmapped: { vpc_flow_alerts: { finding_type: finding.finding_type, flow_count: finding.flow_count } },
      });
      expect(event['evidences']).toEqual([expect.objectContaining({ data: { alert_ids: finding.evidence } })]);
    }
  });
});

const AWS_EXAMPLES = OCSF_SCHEMA_DIR === undefined ? undefined : path.join(__dirname, '..', '..', '..', 'shared', 'peer-fixtures', 'aws-docs-examples.json');
const run = AWS_EXAMPLES !== undefined && fs.existsSync(AWS_EXAMPLES) ? describe : describe.skip;
run(`every record of the Amazon VPC User Guide's examples (../shared/peer-fixtures${AWS_EXAMPLES === undefined ? ' or ../shared/ocsf is absent: skipped' : ''})`, () => {
  it('is a valid OCSF Network Activity event with the documented action', () => {
    const sections = JSON.parse(fs.readFileSync(AWS_EXAMPLES as string, 'utf8')) as Array<{ format: string | null; records: Array<{ record: string }> }>;
    let checked = 0;
    for (const section of sections) {
      const format = section.format === null ? undefined : section.format.split(' ').map((f) => `\${${f}}`).join(' ');
      for (const { record } of section.records) {
        const event = ocsf(record, format);
        const action = / (ACCEPT|REJECT) /.exec(` ${record} `)?.[1];
        if (action !== undefined) expect(event['activity_id']).toBe(action === 'ACCEPT' ? 6 : 5);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });
});
