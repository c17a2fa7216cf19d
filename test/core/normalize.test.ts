import { compileFormat } from '../../lambda/core/log-format';
import { messageToAlert, normalize } from '../../lambda/core/normalize';
import { severityOf } from '../../lambda/core/severity';
import { expectValidAlert } from '../helpers/alert-schema';

const v2 = compileFormat();
const LINE = '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';
const META = {
  logGroup: '/aws/vpc/flowlogs', logStream: 'eni-1235b8ca123456789-all', eventId: '3195310660696698337880902507980421114328961542429822',
  timestamp: 1418530010000, ingestionTime: 1418530351000,
};

describe('normalize', () => {
  it('uses the CloudWatch event id as alert_id and records where the event came from', () => {
    const alert = messageToAlert(LINE, v2, META);
    expectValidAlert(alert);
    expect(alert?.alert_id).toBe(META.eventId);
    expect(alert?.raw_event).toEqual({
      message: LINE, record_format: 'v2', log_group: '/aws/vpc/flowlogs', log_stream: 'eni-1235b8ca123456789-all',
      event_id: META.eventId, event_time: '2014-12-14T04:06:50.000Z', ingestion_time: '2014-12-14T04:12:31.000Z',
    });
  });

  it('derives a stable alert_id from place and content when there is no event id', () => {
    const { eventId: _omit, ...noId } = META;
    const a = messageToAlert(LINE, v2, noId)?.alert_id;
    expect(a).toMatch(/^sha256:[0-9a-f]{32}$/);
    expect(messageToAlert(LINE, v2, noId)?.alert_id).toBe(a);
    expect(messageToAlert(LINE, v2, { ...noId, logStream: 'other' })?.alert_id).not.toBe(a);
    expect(messageToAlert(`${LINE} `, v2, noId)?.alert_id).not.toBe(a);
  });

  it('puts the core fields first, then the layout fields in order, then raw_event', () => {
    const format = compileFormat('${tcp-flags} ${vpc-id} ${action} ${version}');
    const keys = Object.keys(messageToAlert('2 vpc-1 REJECT 3', format) ?? {});
    expect(keys.slice(0, 4)).toEqual(['schema_version', 'source', 'category', 'severity']);
    expect(keys.slice(-5)).toEqual(['tcp_flags', 'vpc_id', 'flow_log_version', 'tcp_flag_names', 'raw_event']);
  });

  it('returns null for header lines', () => {
    expect(messageToAlert('version account-id interface-id', v2)).toBeNull();
  });

  it('keeps unparsed messages whole, with the reason and low severity', () => {
    const alert = messageToAlert('garbage in', v2, META);
    expectValidAlert(alert);
    expect(alert).toMatchObject({
      severity: 'low', action: null, src_ip: null, timestamp: '2014-12-14T04:06:50.000Z',
      raw_event: { message: 'garbage in', record_format: 'unparsed', parse_error: 'expected 14 fields, found 2' },
    });
  });

  it('reads millisecond epochs and survives absurd ones', () => {
    const format = compileFormat('${srcaddr} ${start}');
    expect(messageToAlert('1.2.3.4 1512564058000', format)?.timestamp).toBe('2017-12-06T12:40:58.000Z');
    expect(messageToAlert('1.2.3.4 1512564058', format)?.timestamp).toBe('2017-12-06T12:40:58.000Z');
    const absurd = messageToAlert('1.2.3.4 9007199254740991', format);
    expect(absurd?.timestamp).toBeNull();
    expect(absurd?.start).toBe(9007199254740991);
    expectValidAlert(absurd);
  });

  it('names known protocols and leaves unknown numbers unnamed', () => {
    const format = compileFormat('${protocol}');
    expect(messageToAlert('17', format)?.protocol).toBe('udp');
    expect(messageToAlert('58', format)?.protocol).toBe('ipv6-icmp');
    expect(messageToAlert('253', format)).toMatchObject({ protocol: null, protocol_number: 253 });
  });

  it('keeps extra JSON keys under extra', () => {
    const alert = normalize('{}', { kind: 'record', recordFormat: 'json', record: { action: 'ACCEPT' }, extra: { x: 1 } });
    expectValidAlert(alert);
    expect(alert).toMatchObject({ extra: { x: 1 }, severity: 'low', raw_event: { record_format: 'json' } });
  });
});

describe('severity in the seed profile (the default)', () => {
  const NONE = { direction: null, src_scope: null, dst_scope: null, protocol: null, dst_port: null, src_ip: null, dst_ip: null };
  it.each([
    [{ action: 'REJECT', log_status: 'OK' }, 'medium'],
    [{ action: 'ACCEPT', log_status: 'OK' }, 'low'],
    [{ action: null, log_status: 'NODATA' }, 'info'],
    [{ action: null, log_status: 'SKIPDATA' }, 'info'],
    [{ action: 'REJECT', log_status: 'SKIPDATA' }, 'info'],
    [{ action: null, log_status: null }, 'low'],
    [{ action: 'SOMETHING', log_status: 'OK' }, 'low'],
  ] as const)('%j is %s', (facts, severity) => {
    expect(severityOf({ ...NONE, ...facts })).toBe(severity);
  });

  it('puts the caller\'s rules in front of the profile', () => {
    const severity = { profile: 'seed' as const, rules: [{ action: ['REJECT'], severity: 'high' as const }] };
    expect(messageToAlert(LINE, v2, {}, { internalCidrs: [], severity })?.severity).toBe('high');
  });
});
