/**
 * The one table of every flow-log field this product knows: its AWS name, its type, and the
 * alert property it becomes. The format compiler, the JSON mapper, the normalizer, the JSON
 * Schema test and the docs all read it; nothing else lists fields.
 *
 * Sources: the Amazon VPC User Guide "Available fields" table (versions 2-8), the Transit Gateway
 * Flow Logs record fields, and the newer VPC fields (`resource-id`, `encryption-status`, tags,
 * `interface-type`, `next-hop-*`).
 */

/** How a field's text is read: `int` fields must be non-negative decimal integers (or `-`). */
export type FieldType = 'string' | 'int';

/** One row of the field table. */
export interface FlowFieldSpec {
  /** The AWS name used in a `LogFormat` (`${account-id}`) and in S3 header lines. */
  readonly name: string;
  readonly type: FieldType;
  /** Inclusive upper bound for `int` fields whose range is fixed by the protocol (ports, protocol number). */
  readonly max?: number;
  /** Property name on the alert (snake_case). */
  readonly alert: string;
  /** One-line meaning, used in docs/alert-contract.md. */
  readonly doc: string;
}

const MAX_PORT = 65_535;
const MAX_BYTE = 255;

/** Every field, in the order AWS documents them. */
export const FLOW_FIELDS = [
  // Version 2: the default format, in its order.
  { name: 'version', type: 'int', alert: 'flow_log_version', doc: 'Flow log record version' },
  { name: 'account-id', type: 'string', alert: 'aws_account_id', doc: 'Account that owns the network interface (may be `unknown` for AWS-managed interfaces)' },
  { name: 'interface-id', type: 'string', alert: 'cloud_resource', doc: 'Network interface (ENI) id' },
  { name: 'srcaddr', type: 'string', alert: 'src_ip', doc: 'Source address (interface address for outgoing traffic)' },
  { name: 'dstaddr', type: 'string', alert: 'dst_ip', doc: 'Destination address (interface address for incoming traffic)' },
  { name: 'srcport', type: 'int', max: MAX_PORT, alert: 'src_port', doc: 'Source port' },
  { name: 'dstport', type: 'int', max: MAX_PORT, alert: 'dst_port', doc: 'Destination port' },
  { name: 'protocol', type: 'int', max: MAX_BYTE, alert: 'protocol_number', doc: 'IANA protocol number' },
  { name: 'packets', type: 'int', alert: 'packets', doc: 'Packets in the flow during the aggregation interval' },
  { name: 'bytes', type: 'int', alert: 'bytes', doc: 'Bytes in the flow during the aggregation interval' },
  { name: 'start', type: 'int', alert: 'start', doc: 'Unix time (seconds) of the first packet in the interval' },
  { name: 'end', type: 'int', alert: 'end', doc: 'Unix time (seconds) of the last packet in the interval' },
  { name: 'action', type: 'string', alert: 'action', doc: '`ACCEPT` or `REJECT`' },
  { name: 'log-status', type: 'string', alert: 'log_status', doc: '`OK`, `NODATA` or `SKIPDATA`' },
  // Version 3.
  { name: 'vpc-id', type: 'string', alert: 'vpc_id', doc: 'VPC of the interface' },
  { name: 'subnet-id', type: 'string', alert: 'subnet_id', doc: 'Subnet of the interface' },
  { name: 'instance-id', type: 'string', alert: 'instance_id', doc: 'Instance the interface is attached to' },
  { name: 'tcp-flags', type: 'int', max: MAX_BYTE, alert: 'tcp_flags', doc: 'Bitmask of TCP flags seen in the interval (names in `tcp_flag_names`)' },
  { name: 'type', type: 'string', alert: 'traffic_type', doc: '`IPv4`, `IPv6` or `EFA`' },
  { name: 'pkt-srcaddr', type: 'string', alert: 'pkt_src_ip', doc: 'Packet-level (original) source address' },
  { name: 'pkt-dstaddr', type: 'string', alert: 'pkt_dst_ip', doc: 'Packet-level (original) destination address' },
  // Version 4.
  { name: 'region', type: 'string', alert: 'region', doc: 'Region of the interface' },
  { name: 'az-id', type: 'string', alert: 'az_id', doc: 'Availability Zone id of the interface' },
  { name: 'sublocation-type', type: 'string', alert: 'sublocation_type', doc: '`wavelength`, `outpost` or `localzone`' },
  { name: 'sublocation-id', type: 'string', alert: 'sublocation_id', doc: 'Id of the sublocation' },
  // Version 5.
  { name: 'pkt-src-aws-service', type: 'string', alert: 'pkt_src_aws_service', doc: 'AWS service that owns the packet source address' },
  { name: 'pkt-dst-aws-service', type: 'string', alert: 'pkt_dst_aws_service', doc: 'AWS service that owns the packet destination address' },
  { name: 'flow-direction', type: 'string', alert: 'flow_direction', doc: '`ingress` or `egress` relative to the interface' },
  { name: 'traffic-path', type: 'int', alert: 'traffic_path', doc: 'Path egress traffic takes to its destination (1-8)' },
  // Version 7: ECS.
  { name: 'ecs-cluster-arn', type: 'string', alert: 'ecs_cluster_arn', doc: 'ECS cluster ARN' },
  { name: 'ecs-cluster-name', type: 'string', alert: 'ecs_cluster_name', doc: 'ECS cluster name' },
  { name: 'ecs-container-instance-arn', type: 'string', alert: 'ecs_container_instance_arn', doc: 'ECS container instance ARN' },
  { name: 'ecs-container-instance-id', type: 'string', alert: 'ecs_container_instance_id', doc: 'ECS container instance id' },
  { name: 'ecs-container-id', type: 'string', alert: 'ecs_container_id', doc: 'Docker runtime id of the (first) container' },
  { name: 'ecs-second-container-id', type: 'string', alert: 'ecs_second_container_id', doc: 'Docker runtime id of the second container' },
  { name: 'ecs-service-name', type: 'string', alert: 'ecs_service_name', doc: 'ECS service name' },
  { name: 'ecs-task-definition-arn', type: 'string', alert: 'ecs_task_definition_arn', doc: 'ECS task definition ARN' },
  { name: 'ecs-task-arn', type: 'string', alert: 'ecs_task_arn', doc: 'ECS task ARN' },
  { name: 'ecs-task-id', type: 'string', alert: 'ecs_task_id', doc: 'ECS task id' },
  // Version 8 and later.
  { name: 'reject-reason', type: 'string', alert: 'reject_reason', doc: 'Why traffic was rejected (`BPA`: VPC Block Public Access)' },
  { name: 'resource-id', type: 'string', alert: 'resource_id', doc: 'Id of the resource behind the interface (for example a NAT gateway)' },
  { name: 'encryption-status', type: 'int', alert: 'encryption_status', doc: 'Whether the traffic was encrypted in transit (0-3)' },
  { name: 'instance-tag', type: 'string', alert: 'instance_tag', doc: 'Value of the first selected instance tag' },
  { name: 'instance-tag-2', type: 'string', alert: 'instance_tag_2', doc: 'Value of the second selected instance tag' },
  { name: 'interface-tag', type: 'string', alert: 'interface_tag', doc: 'Value of the first selected interface tag' },
  { name: 'interface-tag-2', type: 'string', alert: 'interface_tag_2', doc: 'Value of the second selected interface tag' },
  { name: 'asg-tag', type: 'string', alert: 'asg_tag', doc: 'Value of the first selected Auto Scaling group tag' },
  { name: 'asg-tag-2', type: 'string', alert: 'asg_tag_2', doc: 'Value of the second selected Auto Scaling group tag' },
  { name: 'interface-type', type: 'string', alert: 'interface_type', doc: 'Type of the interface (for example `nat_gateway`)' },
  { name: 'next-hop-interface-id', type: 'string', alert: 'next_hop_interface_id', doc: 'Next-hop interface' },
  { name: 'next-hop-subnet-id', type: 'string', alert: 'next_hop_subnet_id', doc: 'Subnet of the next hop' },
  { name: 'next-hop-az-id', type: 'string', alert: 'next_hop_az_id', doc: 'Availability Zone id of the next hop' },
  { name: 'next-hop-vpc-id', type: 'string', alert: 'next_hop_vpc_id', doc: 'VPC of the next hop' },
  { name: 'next-hop-interface-type', type: 'string', alert: 'next_hop_interface_type', doc: 'Interface type of the next hop' },
  // Transit Gateway Flow Logs (version 6).
  { name: 'resource-type', type: 'string', alert: 'resource_type', doc: 'Transit gateway flow logs: `TransitGateway` or `TransitGatewayAttachment`' },
  { name: 'tgw-id', type: 'string', alert: 'tgw_id', doc: 'Transit gateway id' },
  { name: 'tgw-attachment-id', type: 'string', alert: 'tgw_attachment_id', doc: 'Transit gateway attachment id' },
  { name: 'tgw-src-vpc-account-id', type: 'string', alert: 'tgw_src_vpc_account_id', doc: 'Account of the source VPC' },
  { name: 'tgw-dst-vpc-account-id', type: 'string', alert: 'tgw_dst_vpc_account_id', doc: 'Account of the destination VPC' },
  { name: 'tgw-src-vpc-id', type: 'string', alert: 'tgw_src_vpc_id', doc: 'Source VPC' },
  { name: 'tgw-dst-vpc-id', type: 'string', alert: 'tgw_dst_vpc_id', doc: 'Destination VPC' },
  { name: 'tgw-src-subnet-id', type: 'string', alert: 'tgw_src_subnet_id', doc: 'Source subnet' },
  { name: 'tgw-dst-subnet-id', type: 'string', alert: 'tgw_dst_subnet_id', doc: 'Destination subnet' },
  { name: 'tgw-src-eni', type: 'string', alert: 'tgw_src_eni', doc: 'Source attachment ENI' },
  { name: 'tgw-dst-eni', type: 'string', alert: 'tgw_dst_eni', doc: 'Destination attachment ENI' },
  { name: 'tgw-src-az-id', type: 'string', alert: 'tgw_src_az_id', doc: 'Source Availability Zone id' },
  { name: 'tgw-dst-az-id', type: 'string', alert: 'tgw_dst_az_id', doc: 'Destination Availability Zone id' },
  { name: 'tgw-pair-attachment-id', type: 'string', alert: 'tgw_pair_attachment_id', doc: 'The other attachment of the flow' },
  { name: 'packets-lost-no-route', type: 'int', alert: 'packets_lost_no_route', doc: 'Packets lost: no route' },
  { name: 'packets-lost-blackhole', type: 'int', alert: 'packets_lost_blackhole', doc: 'Packets lost: blackhole route' },
  { name: 'packets-lost-mtu-exceeded', type: 'int', alert: 'packets_lost_mtu_exceeded', doc: 'Packets lost: MTU exceeded' },
  { name: 'packets-lost-ttl-expired', type: 'int', alert: 'packets_lost_ttl_expired', doc: 'Packets lost: TTL expired' },
] as const satisfies readonly FlowFieldSpec[];

/** An AWS field name, such as `account-id`. */
export type FlowFieldName = (typeof FLOW_FIELDS)[number]['name'];

/** An alert property that comes from a flow-log field, such as `aws_account_id`. */
export type FlowAlertKey = (typeof FLOW_FIELDS)[number]['alert'];

/** The 14 fields of the default (version 2) format, in order. */
export const DEFAULT_FORMAT_FIELDS: readonly FlowFieldName[] = [
  'version', 'account-id', 'interface-id', 'srcaddr', 'dstaddr', 'srcport', 'dstport',
  'protocol', 'packets', 'bytes', 'start', 'end', 'action', 'log-status',
];

/** The default `LogFormat` string, as AWS writes it. */
export const DEFAULT_LOG_FORMAT = DEFAULT_FORMAT_FIELDS.map((name) => `\${${name}}`).join(' ');

const byName = new Map<string, FlowFieldSpec>();
for (const field of FLOW_FIELDS) {
  byName.set(field.name, field);
  // Accept the underscore spelling too (`account_id`): JSON layouts, Athena columns and Vector use it.
  byName.set(field.name.replace(/-/g, '_'), field);
}

/** Looks a field up by its AWS name, hyphen or underscore spelling; `undefined` if unknown. */
export function lookupField(name: string): FlowFieldSpec | undefined {
  return byName.get(name);
}
