/**
 * The OCSF 1.1.0 validator against hand-written events: one modelled on AWS's Security Lake mapping
 * of a rejected VPC flow (Network Activity 4001) and a minimal Detection Finding (2004) pass; each
 * negative case breaks one rule and must produce exactly the expected problem.
 */
import { OCSF_SCHEMA_DIR, expectValidOcsf, validateOcsf } from './helpers/ocsf-validator';

/** A REJECTed ingress flow as Security Lake maps it: interface/VPC on dst_endpoint for ingress. */
const VPC_REJECT = {
  class_uid: 4001,
  class_name: 'Network Activity',
  category_uid: 4,
  category_name: 'Network Activity',
  activity_id: 5,
  activity_name: 'Refuse',
  type_uid: 400105,
  type_name: 'Network Activity: Refuse',
  severity_id: 3,
  severity: 'Medium',
  action_id: 2,
  action: 'Denied',
  disposition_id: 2,
  disposition: 'Blocked',
  src_endpoint: { ip: '203.0.113.12', port: 51515 },
  dst_endpoint: {
    ip: '10.0.1.25',
    port: 22,
    interface_uid: 'eni-0123456789abcdef0',
    vpc_uid: 'vpc-0a1b2c3d4e5f60718',
    instance_uid: 'i-0123456789abcdef0',
    subnet_uid: 'subnet-0a1b2c3d',
    intermediate_ips: ['10.0.1.26'],
  },
  connection_info: { protocol_num: 6, tcp_flags: 2, protocol_ver: 'IPv4', direction_id: 1, direction: 'Inbound', boundary_id: 4, boundary: 'Same VPC' },
  traffic: { bytes: 40, packets: 1 },
  time: 1_700_000_000_000,
  start_time: 1_700_000_000_000,
  end_time: 1_700_000_060_000,
  cloud: { provider: 'AWS', account: { uid: '123456789012' }, region: 'us-east-1', zone: 'use1-az1' },
  metadata: {
    version: '1.1.0',
    product: { name: 'Amazon VPC', vendor_name: 'AWS', feature: { name: 'Flowlogs' } },
    profiles: ['cloud', 'security_control', 'datetime'],
    uid: 'x',
  },
  status_code: 'OK',
  unmapped: { 'reject-reason': 'BPA', 'ecs-cluster-name': '-', anything: { nested: [1, 'two', null] } },
};

/** What a finding needs in 1.1.0: finding_info (uid, title) on top of the base event's required attributes. */
const MINIMAL_FINDING = {
  class_uid: 2004,
  category_uid: 2,
  activity_id: 1,
  type_uid: 200401,
  severity_id: 4,
  time: 1_700_000_000_000,
  metadata: { version: '1.1.0', product: { name: 'vpc-flow-alerts', vendor_name: 'example' } },
  finding_info: { uid: 'finding-1', title: 'Rejected flows from 203.0.113.12' },
};

/** A copy of `event` with dotted paths set (undefined deletes). */
function patched(event: object, changes: Record<string, unknown>): unknown {
  const copy: unknown = structuredClone(event);
  for (const [dotted, value] of Object.entries(changes)) {
    const keys = dotted.split('.');
    const last = keys.pop() ?? '';
    let target = copy as Record<string, unknown>;
    for (const key of keys) target = target[key] as Record<string, unknown>;
    if (value === undefined) delete target[last];
    else target[last] = value;
  }
  return copy;
}

if (OCSF_SCHEMA_DIR === undefined) {
  // Reported as skipped, not passed: nothing was validated.
  it.skip('OCSF 1.1.0 validator: ../shared/ocsf is absent, so there is no schema to validate against', () => undefined);
} else {
  describe('validateOcsf (OCSF 1.1.0 schema)', () => {
    describe('valid events', () => {
      it('accepts a Security Lake style Network Activity for a REJECTed flow', () => {
        expect(validateOcsf(VPC_REJECT)).toEqual([]);
        expect(() => expectValidOcsf(VPC_REJECT)).not.toThrow();
      });

      it('accepts an ACCEPTed egress flow (6 Traffic / 400106, 1 Allowed / 1 Allowed, interface on src_endpoint)', () => {
        const accepted = patched(VPC_REJECT, {
          activity_id: 6,
          activity_name: 'Traffic',
          type_uid: 400106,
          type_name: 'Network Activity: Traffic',
          action_id: 1,
          action: 'Allowed',
          disposition_id: 1,
          disposition: 'Allowed',
          src_endpoint: { ip: '10.0.1.25', port: 44321, interface_uid: 'eni-0123456789abcdef0', vpc_uid: 'vpc-0a1b2c3d4e5f60718' },
          dst_endpoint: { ip: '2001:db8::1', port: 443, svc_name: 'AMAZON' },
          'connection_info.direction_id': 2,
          'connection_info.direction': 'Outbound',
        });
        expect(validateOcsf(accepted)).toEqual([]);
      });

      it('accepts a minimal Detection Finding, with and without its profiles', () => {
        expect(validateOcsf(MINIMAL_FINDING)).toEqual([]);
        const full = patched(MINIMAL_FINDING, {
          class_name: 'Detection Finding',
          category_name: 'Findings',
          activity_name: 'Create',
          type_name: 'Detection Finding: Create',
          severity: 'High',
          'metadata.profiles': ['cloud', 'security_control'],
          cloud: { provider: 'AWS', region: 'us-east-1' },
          action_id: 2,
          action: 'Denied',
          evidences: [{ src_endpoint: { ip: '203.0.113.12' }, dst_endpoint: { ip: '10.0.1.25', port: 22 } }],
          'finding_info.types': ['rejected-flows'],
        });
        expect(validateOcsf(full)).toEqual([]);
      });

      it('treats null as absent for optional attributes and leaves unmapped free-form', () => {
        expect(validateOcsf(patched(VPC_REJECT, { status_code: null, 'src_endpoint.port': null, unmapped: { 'any-key': { deep: [true] } } }))).toEqual([]);
      });

      it('allows Other (99) with source-specific sibling text', () => {
        expect(validateOcsf(patched(VPC_REJECT, { disposition_id: 99, disposition: 'Rejected by network ACL' }))).toEqual([]);
      });

      it('allows the <timestamp>_dt twins only with the datetime profile', () => {
        expect(validateOcsf(patched(VPC_REJECT, { time_dt: '2023-11-14T22:13:20.000Z' }))).toEqual([]);
        expect(validateOcsf(patched(VPC_REJECT, { time_dt: '14/11/2023' }))).toEqual([
          { path: 'time_dt', message: expect.stringContaining('does not match the datetime_t pattern') },
        ]);
        expect(validateOcsf(patched(VPC_REJECT, { time_dt: '2023-11-14T22:13:20Z', 'metadata.profiles': ['cloud', 'security_control'] }))).toEqual([
          { path: 'time_dt', message: expect.stringContaining('"datetime" profile') },
        ]);
      });
    });

    describe('rejects', () => {
      it('an unknown attribute on the event', () => {
        expect(validateOcsf(patched(VPC_REJECT, { flow_direction: 'ingress' }))).toEqual([
          { path: 'flow_direction', message: 'unknown attribute: not defined in class "network_activity"' },
        ]);
      });

      it('an unknown attribute inside a nested object', () => {
        expect(validateOcsf(patched(VPC_REJECT, { 'src_endpoint.flow_direction': 'ingress' }))).toEqual([
          { path: 'src_endpoint.flow_direction', message: 'unknown attribute: not defined in object "network_endpoint"' },
        ]);
        expect(validateOcsf(patched(VPC_REJECT, { 'cloud.account.arn': 'arn:aws:iam::123456789012:root' }))).toEqual([
          { path: 'cloud.account.arn', message: 'unknown attribute: not defined in object "account"' },
        ]);
      });

      it('a missing or null required attribute, at the event level and inside objects', () => {
        expect(validateOcsf(patched(VPC_REJECT, { src_endpoint: undefined }))).toEqual([{ path: 'src_endpoint', message: 'required attribute is missing' }]);
        expect(validateOcsf(patched(VPC_REJECT, { src_endpoint: null }))).toEqual([{ path: 'src_endpoint', message: 'required attribute is null' }]);
        expect(validateOcsf(patched(VPC_REJECT, { 'metadata.product.vendor_name': undefined }))).toEqual([
          { path: 'metadata.product.vendor_name', message: 'required attribute is missing' },
        ]);
        expect(validateOcsf(patched(VPC_REJECT, { 'connection_info.direction_id': undefined, 'connection_info.direction': undefined }))).toEqual([
          { path: 'connection_info.direction_id', message: 'required attribute is missing' },
        ]);
        expect(validateOcsf(patched(MINIMAL_FINDING, { 'finding_info.title': undefined }))).toEqual([{ path: 'finding_info.title', message: 'required attribute is missing' }]);
      });

      it.each([
        ['a port as a string', 'src_endpoint.port', '443', 'expected port_t (integer_t, 32-bit integer), got "443"'],
        ['a port above 65535', 'dst_endpoint.port', 70_000, '70000 is outside the port_t range 0..65535'],
        ['an address that is not an IP', 'src_endpoint.ip', '10.0.0.300', '"10.0.0.300" does not match the ip_t pattern'],
        ['a fractional byte count', 'traffic.bytes', 1.5, 'expected long_t (64-bit integer), got 1.5'],
        ['a time in ISO form', 'time', '2023-11-14T22:13:20Z', 'expected timestamp_t (long_t, 64-bit integer), got "2023-11-14T22:13:20Z"'],
        ['an object where a string belongs', 'status_code', { code: 'OK' }, 'expected string_t, got an object'],
        ['a string where an object belongs', 'cloud', 'AWS', 'expected an object (cloud), got "AWS"'],
        ['a single value where an array belongs', 'metadata.profiles', 'cloud', 'expected an array of string_t, got "cloud"'],
      ])('a wrong type: %s', (_name, at, value, message) => {
        // metadata.profiles as a string also drops every profile, so compare only its own problem there.
        const problems = validateOcsf(patched(VPC_REJECT, { [at]: value }));
        expect(at === 'metadata.profiles' ? problems.filter((p) => p.path === at) : problems).toEqual([{ path: at, message }]);
      });

      it('an enum id the schema does not define', () => {
        // type_uid follows activity_id, so only the enum is wrong.
        expect(validateOcsf(patched(VPC_REJECT, { activity_id: 7, activity_name: undefined, type_uid: 400107, type_name: undefined }))).toEqual([
          { path: 'activity_id', message: '7 is not a defined activity_id value (0, 1, 2, 3, 4, 5, 6, 99)' },
        ]);
        expect(validateOcsf(patched(VPC_REJECT, { 'connection_info.direction_id': 4, 'connection_info.direction': undefined }))).toEqual([
          { path: 'connection_info.direction_id', message: '4 is not a defined direction_id value (0, 1, 2, 3, 99)' },
        ]);
      });

      it('a sibling caption that disagrees with its id', () => {
        expect(validateOcsf(patched(VPC_REJECT, { disposition: 'Rejected' }))).toEqual([
          { path: 'disposition', message: '"Rejected" disagrees with disposition_id 2, whose caption is "Blocked"' },
        ]);
        expect(validateOcsf(patched(VPC_REJECT, { severity: 'medium' }))).toEqual([
          { path: 'severity', message: '"medium" disagrees with severity_id 3, whose caption is "Medium"' },
        ]);
        expect(validateOcsf(patched(VPC_REJECT, { class_name: 'Network' }))).toEqual([
          { path: 'class_name', message: '"Network" disagrees with class_uid 4001, whose caption is "Network Activity"' },
        ]);
        expect(validateOcsf(patched(VPC_REJECT, { type_name: 'Network Activity: Reject' }))).toEqual([
          { path: 'type_name', message: '"Network Activity: Reject" disagrees with type_uid 400105, whose caption is "Network Activity: Refuse"' },
        ]);
      });

      it('a type_uid that is not class_uid * 100 + activity_id', () => {
        expect(validateOcsf(patched(VPC_REJECT, { type_uid: 400106 }))).toEqual([
          { path: 'type_uid', message: '400106 should be class_uid * 100 + activity_id = 400105' },
        ]);
        expect(validateOcsf(patched(VPC_REJECT, { category_uid: 2 }))).toEqual([
          { path: 'category_uid', message: '2 is not a defined category_uid value (4)' },
        ]);
      });

      it('a profile attribute without its profile in metadata.profiles, and a missing one that the profile requires', () => {
        const noSecurityControl = patched(VPC_REJECT, {
          'metadata.profiles': ['cloud', 'datetime'],
          action: undefined,
          disposition_id: undefined,
          disposition: undefined,
        });
        expect(validateOcsf(noSecurityControl)).toEqual([
          { path: 'action_id', message: 'attribute of the "security_control" profile, which metadata.profiles does not list' },
        ]);
        expect(validateOcsf(patched(VPC_REJECT, { cloud: undefined }))).toEqual([{ path: 'cloud', message: 'required attribute is missing' }]);
        expect(validateOcsf(patched(MINIMAL_FINDING, { 'metadata.profiles': ['security_control'] }))).toEqual([
          { path: 'action_id', message: 'required attribute is missing' },
        ]);
      });

      it('an unknown class_uid, an unknown profile, and a metadata.version other than 1.1.0', () => {
        expect(validateOcsf(patched(VPC_REJECT, { class_uid: 4099 }))).toEqual([{ path: 'class_uid', message: 'no OCSF 1.1.0 class has uid 4099' }]);
        expect(validateOcsf(patched(VPC_REJECT, { 'metadata.profiles': ['cloud', 'security_control', 'datetime', 'vpc'] }))).toEqual([
          { path: 'metadata.profiles[3]', message: 'unknown profile "vpc"' },
        ]);
        expect(validateOcsf(patched(VPC_REJECT, { 'metadata.version': '1.0.0' }))).toEqual([
          { path: 'metadata.version', message: '"1.0.0" is not the schema version "1.1.0"' },
        ]);
      });

      it('objects that break their constraints (evidences needs at least one artifact)', () => {
        expect(validateOcsf(patched(MINIMAL_FINDING, { evidences: [{ data: { note: 'x' } }, {}] }))).toEqual([
          { path: 'evidences[1]', message: expect.stringContaining('constraint at_least_one of object "evidences" fails') },
        ]);
      });
    });

    it('expectValidOcsf lists the problems and the event, cut to 2,000 characters', () => {
      const event = patched(VPC_REJECT, { 'src_endpoint.port': '443', 'unmapped.padding': 'p'.repeat(5000) });
      let message = '';
      try {
        expectValidOcsf(event);
      } catch (error) {
        message = error instanceof Error ? error.message : String(error);
      }
      expect(message).toMatch(/^event is not valid OCSF 1\.1\.0 \(1 problem\):\n {2}- src_endpoint\.port: expected port_t/);
      expect(message).toContain('{"class_uid":4001');
      expect(message.length).toBeLessThan(2300);
    });
  });
}

(OCSF_SCHEMA_DIR === undefined ? describe.skip : describe)('OCSF strings', () => {
  it('refuse half a character', () => {
    const problems = validateOcsf({ ...VPC_REJECT, message: 'cut \ud83d' });
    expect(problems.map((p) => p.path)).toEqual(['message']);
  });
});
