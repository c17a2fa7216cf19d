import { compileFormat } from '../../lambda/core/log-format';
import { parseMessage } from '../../lambda/core/record-parser';

const v2 = compileFormat();
const LINE = '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';

describe('parseMessage', () => {
  it('reads a line in the configured layout', () => {
    expect(parseMessage(LINE, v2)).toMatchObject({ kind: 'record', recordFormat: 'v2', record: { action: 'REJECT' } });
    const custom = compileFormat('${srcaddr} ${action}');
    expect(parseMessage('10.0.0.1 REJECT', custom)).toEqual({
      kind: 'record', recordFormat: 'custom', record: { src_ip: '10.0.0.1', action: 'REJECT' },
    });
  });

  it('treats header lines as headers, in any layout, and returns the fields they name', () => {
    const header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status';
    const outcome = parseMessage(header, v2);
    expect(outcome.kind).toBe('header');
    expect(outcome.kind === 'header' && outcome.fields.map((f) => f.name).join(' ')).toBe(header);
    // An all-text layout would otherwise read its own header as a record.
    const nat = compileFormat('instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr');
    expect(parseMessage('instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr', nat).kind).toBe('header');
    expect(parseMessage('instance_id interface_id srcaddr', v2).kind).toBe('header');
  });

  it('does not mistake a record whose values look like field names for a header', () => {
    const format = compileFormat('${region} ${action}');
    expect(parseMessage('version REJECT', format)).toMatchObject({ kind: 'record', record: { region: 'version' } });
  });

  it('passes anything else through with the reason', () => {
    expect(parseMessage('bogus!', v2)).toEqual({ kind: 'unparsed', reason: 'expected 14 fields, found 1' });
    expect(parseMessage('Phony unsupported log format.', v2).kind).toBe('unparsed');
    expect(parseMessage('{not json', v2).kind).toBe('unparsed');
    expect(parseMessage('[1,2]', v2).kind).toBe('unparsed');
  });

  describe('JSON records', () => {
    it('maps hyphen and underscore keys, converts types and keeps unknown keys', () => {
      const message = JSON.stringify({
        version: 2, 'account-id': 123456789010, interface_id: 'eni-1', srcaddr: '10.0.0.1', dstport: '22',
        protocol: 6, action: 'REJECT', 'log-status': 'OK', packets: '-', host: 'collector-1', tags: ['a'],
      });
      expect(parseMessage(message, v2)).toEqual({
        kind: 'record',
        recordFormat: 'json',
        record: {
          flow_log_version: 2, aws_account_id: '123456789010', cloud_resource: 'eni-1', src_ip: '10.0.0.1',
          dst_port: 22, protocol_number: 6, action: 'REJECT', log_status: 'OK', packets: null,
        },
        extra: { host: 'collector-1', tags: ['a'] },
      });
    });

    it('rejects bad values and repeated fields as unparsed, naming the field', () => {
      expect(parseMessage('{"dstport": 70000}', v2)).toEqual({
        kind: 'unparsed', reason: 'JSON field dstport: 70000 is not an integer from 0 to 65535',
      });
      expect(parseMessage('{"dstport": 1.5}', v2).kind).toBe('unparsed');
      expect(parseMessage('{"srcaddr": {"a": 1}}', v2)).toEqual({
        kind: 'unparsed', reason: 'JSON field srcaddr: expected a string, found object',
      });
      expect(parseMessage('{"account-id": "1", "account_id": "2"}', v2)).toEqual({
        kind: 'unparsed', reason: 'JSON field account-id is given twice',
      });
    });

    it('unwraps a {"message": "..."} envelope and parses the line inside', () => {
      expect(parseMessage(JSON.stringify({ message: LINE }), v2)).toMatchObject({
        kind: 'record', recordFormat: 'json', record: { action: 'REJECT', dst_port: 3389 },
      });
      const withMeta = parseMessage(JSON.stringify({ message: LINE, '@timestamp': 'x' }), v2);
      expect(withMeta).toMatchObject({ kind: 'record', extra: { '@timestamp': 'x' } });
      expect(parseMessage(JSON.stringify({ message: 'nope' }), v2).kind).toBe('unparsed');
      expect(parseMessage(JSON.stringify({ message: '{"message": "x"}' }), v2)).toEqual({
        kind: 'unparsed', reason: 'JSON object has no flow-log fields',
      });
      expect(parseMessage('{"hello": "world"}', v2)).toEqual({ kind: 'unparsed', reason: 'JSON object has no flow-log fields' });
    });
  });
});
