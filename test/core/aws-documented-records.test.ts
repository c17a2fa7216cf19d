/**
 * Records from the Amazon VPC User Guide's "Flow log record examples", each through the whole
 * core (parse → normalize) and checked against the contract's JSON Schema.
 */
import type { Alert } from '../../lambda/core/alert';
import { compileFormat } from '../../lambda/core/log-format';
import { messageToAlert } from '../../lambda/core/normalize';
import { expectValidAlert } from '../helpers/alert-schema';

function alertOf(message: string, logFormat?: string): Alert {
  const alert = messageToAlert(message, compileFormat(logFormat));
  if (alert === null) throw new Error('expected an alert, got a header');
  expectValidAlert(alert);
  return alert;
}

describe('default format (version 2)', () => {
  it('accepted SSH traffic is low severity', () => {
    const alert = alertOf('2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK');
    expect(alert).toMatchObject({
      source: 'aws_vpc_flow', category: 'network', severity: 'low', action: 'ACCEPT', log_status: 'OK',
      src_ip: '172.31.16.139', dst_ip: '172.31.16.21', src_port: 20641, dst_port: 22,
      protocol: 'tcp', protocol_number: 6, packets: 20, bytes: 4249, start: 1418530010, end: 1418530070,
      aws_account_id: '123456789010', cloud_resource: 'eni-1235b8ca123456789', flow_log_version: 2,
      timestamp: '2014-12-14T04:06:50.000Z',
      raw_event: { record_format: 'v2' },
    });
  });

  it('rejected RDP traffic is medium severity', () => {
    const line = '2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249 1418530010 1418530070 REJECT OK';
    const alert = alertOf(line);
    expect(alert).toMatchObject({ severity: 'medium', action: 'REJECT', dst_port: 3389, src_ip: '172.31.9.69' });
    expect(alert.raw_event.message).toBe(line);
  });

  it('NODATA and SKIPDATA are info, with nulls for the missing fields', () => {
    for (const status of ['NODATA', 'SKIPDATA']) {
      const alert = alertOf(`2 123456789010 eni-11111111aaaaaaaaa - - - - - - - 1431280876 1431280934 - ${status}`);
      expect(alert).toMatchObject({
        severity: 'info', log_status: status, action: null, src_ip: null, dst_ip: null,
        src_port: null, dst_port: null, protocol: null, protocol_number: null, packets: null, bytes: null,
        cloud_resource: 'eni-11111111aaaaaaaaa', start: 1431280876,
      });
    }
  });

  it('ICMP ping: inbound accepted by the security group, response rejected by the network ACL', () => {
    const inbound = alertOf('2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 4 336 1432917027 1432917142 ACCEPT OK');
    const outbound = alertOf('2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 1432917094 1432917142 REJECT OK');
    expect(inbound).toMatchObject({ protocol: 'icmp', protocol_number: 1, src_port: 0, severity: 'low' });
    expect(outbound).toMatchObject({ protocol: 'icmp', action: 'REJECT', severity: 'medium', dst_ip: '203.0.113.12' });
  });

  it('IPv6 addresses pass through as logged', () => {
    const alert = alertOf('2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK');
    expect(alert.src_ip).toBe('2001:db8:1234:a100:8d6e:3477:df66:f105');
    expect(alert.dst_ip).toBe('2001:db8:1234:a102:3304:8879:34cf:4071');
  });
});

describe('custom formats', () => {
  const TCP_FLAG_FORMAT =
    '${version} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${account-id} ${type} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${pkt-srcaddr} ${pkt-dstaddr} ${protocol} ${bytes} ${packets} ${start} ${end} ${action} ${tcp-flags} ${log-status}';

  it('TCP flag sequence: SYN, SYN-ACK, FIN and the doc double space', () => {
    const syn = alertOf('3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 52.213.180.42 10.0.0.62 43416 5001 52.213.180.42 10.0.0.62 6 568 8 1566848875 1566848933 ACCEPT 2 OK', TCP_FLAG_FORMAT);
    expect(syn).toMatchObject({
      tcp_flags: 2, tcp_flag_names: ['SYN'], vpc_id: 'vpc-abcdefab012345678', subnet_id: 'subnet-aaaaaaaa012345678',
      instance_id: 'i-01234567890123456', traffic_type: 'IPv4', pkt_src_ip: '52.213.180.42', pkt_dst_ip: '10.0.0.62',
      bytes: 568, packets: 8, flow_log_version: 3, raw_event: { record_format: 'custom' },
    });
    const synAck = alertOf('3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 10.0.0.62 52.213.180.42 5001 43416 10.0.0.62 52.213.180.42 6 376 7 1566848875 1566848933 ACCEPT 18 OK', TCP_FLAG_FORMAT);
    expect(synAck.tcp_flag_names).toEqual(['SYN', 'ACK']);
    const finSyn = alertOf('3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 52.213.180.42 10.0.0.62 43638  5001 52.213.180.42 10.0.0.62 6 1260 17 1566933133 1566933193 ACCEPT 3 OK', TCP_FLAG_FORMAT);
    expect(finSyn).toMatchObject({ src_port: 43638, dst_port: 5001, tcp_flag_names: ['FIN', 'SYN'] });
    const all = alertOf('3 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-01234567890123456 eni-1235b8ca123456789 123456789010 IPv4 10.0.0.62 52.213.180.42 5001 43638 10.0.0.62 52.213.180.42 6 967 14 1566933133 1566933193 ACCEPT 19 OK', TCP_FLAG_FORMAT);
    expect(all.tcp_flag_names).toEqual(['FIN', 'SYN', 'ACK']);
  });

  it('NAT gateway: packet-level addresses differ from the interface addresses', () => {
    const format = '${instance-id} ${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr}';
    const alert = alertOf('- eni-1235b8ca123456789 10.0.0.220 10.0.1.5 203.0.113.5 10.0.1.5', format);
    expect(alert).toMatchObject({
      instance_id: null, cloud_resource: 'eni-1235b8ca123456789', src_ip: '10.0.0.220', dst_ip: '10.0.1.5',
      pkt_src_ip: '203.0.113.5', pkt_dst_ip: '10.0.1.5', action: null, severity: 'low', timestamp: null,
    });
  });

  it('transit gateway path through VPC B', () => {
    const format = '${version} ${interface-id} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${action} ${log-status}';
    const alert = alertOf('3 eni-33333333333333333 123456789010 vpc-abcdefab012345678 subnet-22222222bbbbbbbbb - 10.20.33.164 10.40.2.236 39812 80 6 3 IPv4 10.20.33.164 10.40.2.236 ACCEPT OK', format);
    expect(alert).toMatchObject({ instance_id: null, tcp_flag_names: ['FIN', 'SYN'], dst_port: 80, vpc_id: 'vpc-abcdefab012345678' });
  });

  it('version 5: service name, traffic path and flow direction', () => {
    const format = '${version} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${start} ${end} ${type} ${packets} ${bytes} ${account-id} ${vpc-id} ${subnet-id} ${instance-id} ${interface-id} ${region} ${az-id} ${sublocation-type} ${sublocation-id} ${action} ${tcp-flags} ${pkt-srcaddr} ${pkt-dstaddr} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${traffic-path} ${flow-direction} ${log-status}';
    const egress = alertOf('5 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 IPv4 14 15044 123456789012 vpc-abcdefab012345678 subnet-aaaaaaaa012345678 i-0c50d5961bcb2d47b eni-1235b8ca123456789 ap-southeast-2 apse2-az3 - - ACCEPT 19 10.0.0.71 52.95.128.179 - S3 8 egress OK', format);
    expect(egress).toMatchObject({
      region: 'ap-southeast-2', az_id: 'apse2-az3', sublocation_type: null, sublocation_id: null,
      pkt_src_aws_service: null, pkt_dst_aws_service: 'S3', traffic_path: 8, flow_direction: 'egress',
    });
  });

  it('version 7 and 8: ECS fields and reject-reason', () => {
    const format = 'version srcaddr dstaddr srcport dstport protocol start end action log-status ecs-cluster-name ecs-task-id ecs-second-container-id reject-reason';
    const alert = alertOf('8 10.0.0.71 52.95.128.179 34210 80 6 1616729292 1616729349 REJECT OK my-cluster abcd1234 - BPA', format);
    expect(alert).toMatchObject({
      severity: 'medium', ecs_cluster_name: 'my-cluster', ecs_task_id: 'abcd1234', ecs_second_container_id: null, reject_reason: 'BPA',
    });
  });
});
