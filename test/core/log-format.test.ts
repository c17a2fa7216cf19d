import { LogFormatError } from '../../lambda/core/errors';
import { DEFAULT_LOG_FORMAT, FLOW_FIELDS } from '../../lambda/core/flow-fields';
import { compileFormat, LineMismatch } from '../../lambda/core/log-format';

const V2_REJECT =
  '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';

describe('compileFormat', () => {
  it('uses the default version 2 layout when no format is given', () => {
    for (const input of [undefined, null, '', '   ']) {
      const format = compileFormat(input);
      expect(format.isDefault).toBe(true);
      expect(format.logFormat).toBe(DEFAULT_LOG_FORMAT);
      expect(format.fields.map((f) => f.name)).toEqual([
        'version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport',
        'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status',
      ]);
    }
  });

  it('recognises the default layout when it is spelled out', () => {
    expect(compileFormat(DEFAULT_LOG_FORMAT).isDefault).toBe(true);
    expect(compileFormat(DEFAULT_LOG_FORMAT.replace(/[${}]/g, '')).isDefault).toBe(true);
  });

  it('accepts ${aws-name}, bare hyphen names and underscore names alike', () => {
    const a = compileFormat('${version} ${vpc-id} ${tcp-flags}');
    const b = compileFormat('version vpc-id tcp-flags');
    const c = compileFormat('  version\tvpc_id   tcp_flags ');
    for (const format of [a, b, c]) {
      expect(format.logFormat).toBe('${version} ${vpc-id} ${tcp-flags}');
      expect(format.isDefault).toBe(false);
    }
  });

  it('knows every field in the table under both spellings', () => {
    for (const field of FLOW_FIELDS) {
      expect(compileFormat(`\${${field.name}}`).fields[0]?.name).toBe(field.name);
      expect(compileFormat(field.name.replace(/-/g, '_')).fields[0]?.name).toBe(field.name);
    }
  });

  it('rejects an unknown field and names it', () => {
    expect(() => compileFormat('${version} ${src-addr}')).toThrow(LogFormatError);
    let thrown: unknown;
    try {
      compileFormat('${version} ${src-addr}');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(LogFormatError);
    expect((thrown as LogFormatError).field).toBe('src-addr');
    expect((thrown as Error).message).toContain('"src-addr"');
  });

  it('rejects a repeated field, also across spellings', () => {
    expect(() => compileFormat('${srcaddr} ${dstaddr} ${srcaddr}')).toThrow(/"srcaddr" appears more than once/);
    expect(() => compileFormat('${account-id} account_id')).toThrow(/"account_id" appears more than once/);
  });

  it('rejects tokens that are not fields', () => {
    expect(() => compileFormat('${version}${srcaddr}')).toThrow(LogFormatError);
    expect(() => compileFormat('${version')).toThrow(/not a field/);
    expect(() => compileFormat('${}')).toThrow(LogFormatError);
  });
});

describe('parseLine', () => {
  const v2 = compileFormat();

  it('types every default field', () => {
    expect(v2.parseLine(V2_REJECT)).toEqual({
      flow_log_version: 2, aws_account_id: '123456789010', cloud_resource: 'eni-1235b8ca123456789',
      src_ip: '172.31.9.69', dst_ip: '172.31.9.12', src_port: 49761, dst_port: 3389, protocol_number: 6,
      packets: 20, bytes: 4249, start: 1418530010, end: 1418530070, action: 'REJECT', log_status: 'OK',
    });
  });

  it('turns - into null', () => {
    const record = v2.parseLine('2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA');
    expect(record).toMatchObject({ src_ip: null, src_port: null, protocol_number: null, action: null, log_status: 'NODATA' });
  });

  it('tolerates runs of spaces, tabs and edge whitespace', () => {
    expect(v2.parseLine(`  ${V2_REJECT.replace(/ /g, '  ').replace('REJECT', '\tREJECT')}  `)).toEqual(v2.parseLine(V2_REJECT));
  });

  it('reports a wrong field count', () => {
    expect(v2.parseLine(`${V2_REJECT} extra`)).toEqual(new LineMismatch('expected 14 fields, found 15'));
    expect(v2.parseLine('')).toEqual(new LineMismatch('expected 14 fields, found 0'));
  });

  it('validates integers and their ranges, naming the field and value', () => {
    expect(v2.parseLine(V2_REJECT.replace('49761', '4976x'))).toEqual(
      new LineMismatch('field srcport: "4976x" is not an integer from 0 to 65535'),
    );
    expect(v2.parseLine(V2_REJECT.replace('3389', '65536'))).toBeInstanceOf(LineMismatch);
    expect(v2.parseLine(V2_REJECT.replace(' 6 20 ', ' 256 20 '))).toBeInstanceOf(LineMismatch);
    expect(v2.parseLine(V2_REJECT.replace(' 20 4249', ' -20 4249'))).toBeInstanceOf(LineMismatch);
    expect(v2.parseLine(V2_REJECT.replace('4249', '99999999999999999'))).toBeInstanceOf(LineMismatch);
  });
});
