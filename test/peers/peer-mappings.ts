/**
 * One mapping table per peer: the peer's name for a value → our alert property, and how the two
 * are compared. Keys a peer writes that have no counterpart in our alert are listed under
 * `ignore` with the reason, so an unmapped key is a harness error rather than a silent skip.
 */
import { FLOW_FIELDS } from '../../lambda/core/flow-fields';
import type { FieldRule, OurKey, PeerFields } from './harness';
import { snake } from './harness';

const TIME_START: FieldRule = { ours: 'timestamp', compare: 'time' };
const TIME_END: FieldRule = { ours: 'end', compare: 'time' };
const FLAG_NAMES: FieldRule = { ours: 'tcp_flag_names', compare: 'flags' };
const PROTOCOL_NAME: FieldRule = { ours: 'protocol', compare: 'ci' };

/** Transit Gateway Flow Logs fields (v6), which only some peers know. */
const isTransitGatewayField = (awsName: string): boolean =>
  awsName === 'resource-type' || awsName.startsWith('tgw-') || awsName.startsWith('packets-lost-');

/** `{ <prefix><snake AWS name>: our property }` for the given fields. */
function byAwsName(prefix: string, names: readonly string[]): Record<string, OurKey> {
  const out: Record<string, OurKey> = {};
  for (const name of names) {
    const field = FLOW_FIELDS.find((f) => f.name === name);
    if (field === undefined) throw new Error(`mapping table names unknown AWS field ${name}`);
    out[`${prefix}${snake(name)}`] = field.alert;
  }
  return out;
}

/**
 * Vector `parse_aws_vpc_flow_log`: keys are the AWS names in underscore spelling, `-` is null,
 * integer fields are numbers. It knows every VPC field up to v11 but not the Transit Gateway ones.
 */
export const VECTOR: PeerFields = {
  name: 'vector',
  table: byAwsName('', FLOW_FIELDS.map((f) => f.name).filter((n) => !isTransitGatewayField(n))),
  ignore: {},
};

/** AWS "Flow log record examples": only the values the page states for a record. */
export const AWS_DOCS: PeerFields = {
  name: 'aws-docs',
  table: {
    action: 'action',
    log_status: 'log_status',
    tcp_flags: 'tcp_flags',
    flow_direction: 'flow_direction',
    traffic_path: 'traffic_path',
    pkt_src_aws_service: 'pkt_src_aws_service',
    pkt_dst_aws_service: 'pkt_dst_aws_service',
  },
  ignore: {
    record: 'the input line itself',
    meaning: 'prose',
    direction: 'prose ("inbound to the ENI"), not the flow-direction field',
    doc_raw_line: 'the line as published; run as its own case',
    doc_annotation: 'prose',
  },
};

/** Elastic Agent integration (ingest pipeline), ECS documents. */
export const ELASTIC: PeerFields = {
  name: 'elastic',
  table: {
    'source.address': 'src_ip',
    'source.ip': 'src_ip',
    'destination.address': 'dst_ip',
    'destination.ip': 'dst_ip',
    'source.port': 'src_port',
    'destination.port': 'dst_port',
    'network.iana_number': 'protocol_number',
    'network.transport': PROTOCOL_NAME,
    'source.packets': 'packets',
    'network.packets': 'packets',
    'source.bytes': 'bytes',
    'network.bytes': 'bytes',
    'event.start': TIME_START,
    'event.end': TIME_END,
    '@timestamp': TIME_END,
    'aws.vpcflow.action': 'action',
    // Only the 2025 expected files write event.action.
    'event.action': { ours: 'action', onlyWhenPresent: true },
    'aws.vpcflow.log_status': 'log_status',
    'cloud.account.id': 'aws_account_id',
    'aws.vpcflow.account_id': 'aws_account_id',
    'aws.vpcflow.interface_id': 'cloud_resource',
    'aws.vpcflow.version': 'flow_log_version',
    'cloud.instance.id': 'instance_id',
    'aws.vpcflow.instance_id': 'instance_id',
    'aws.vpcflow.vpc_id': 'vpc_id',
    'aws.vpcflow.subnet_id': 'subnet_id',
    'aws.vpcflow.tcp_flags': 'tcp_flags',
    'aws.vpcflow.tcp_flags_array': FLAG_NAMES,
    'aws.vpcflow.type': 'traffic_type',
    'aws.vpcflow.pkt_srcaddr': 'pkt_src_ip',
    'aws.vpcflow.pkt_dstaddr': 'pkt_dst_ip',
    'cloud.region': 'region',
    'cloud.availability_zone': 'az_id',
    'aws.vpcflow.sublocation.type': 'sublocation_type',
    'aws.vpcflow.sublocation.id': 'sublocation_id',
    'aws.vpcflow.pkt_src_service': 'pkt_src_aws_service',
    'aws.vpcflow.pkt_dst_service': 'pkt_dst_aws_service',
    'network.direction': 'flow_direction',
    'aws.vpcflow.traffic_path': 'traffic_path',
    'orchestrator.cluster.id': 'ecs_cluster_arn',
    'orchestrator.cluster.name': 'ecs_cluster_name',
    'orchestrator.resource.name': 'ecs_container_instance_arn',
    'orchestrator.resource.id': 'ecs_container_instance_id',
    'aws.vpcflow.ecs_container_id': 'ecs_container_id',
    'aws.vpcflow.ecs_second_container_id': 'ecs_second_container_id',
    'service.name': 'ecs_service_name',
    'aws.vpcflow.ecs_task_definition_arn': 'ecs_task_definition_arn',
    'aws.vpcflow.ecs_task_arn': 'ecs_task_arn',
    'aws.vpcflow.ecs_task_id': 'ecs_task_id',
    'event.reason': 'reject_reason',
    // "Everything else goes to aws.vpcflow.<snake name>": the Transit Gateway fields.
    ...byAwsName('aws.vpcflow.', FLOW_FIELDS.map((f) => f.name).filter(isTransitGatewayField)),
    'event.original': 'raw_event.message',
  },
  ignore: {
    'ecs.version': 'schema version of the document',
    'event.kind': 'constant ECS categorisation',
    'event.category': 'constant ECS categorisation',
    'event.type': 'ECS categorisation derived from action',
    'event.outcome': 'success/failure derived from action; we carry action itself',
    'network.community_id': 'flow hash Elastic computes',
    'network.type': 'ipv4/ipv6 guessed from the srcaddr syntax, not the type field',
    'related.ip': 'derived list of addresses',
    'cloud.provider': 'constant "aws"',
    tags: 'pipeline tag',
    'source.geo.': 'GeoIP enrichment',
    'source.as.': 'GeoIP enrichment',
    'destination.geo.': 'GeoIP enrichment',
    'destination.as.': 'GeoIP enrichment',
  },
};

/** Filebeat `parse_aws_vpc_flow_log` processor, `ecs` mode (the default). */
export const BEATS_ECS: PeerFields = {
  name: 'beats (ecs mode)',
  table: {
    'source.address': 'src_ip',
    'source.ip': 'src_ip',
    'destination.address': 'dst_ip',
    'destination.ip': 'dst_ip',
    'source.port': 'src_port',
    'destination.port': 'dst_port',
    'network.iana_number': 'protocol_number',
    'network.transport': PROTOCOL_NAME,
    'network.packets': 'packets',
    'source.packets': 'packets',
    'network.bytes': 'bytes',
    'source.bytes': 'bytes',
    'network.direction': 'flow_direction',
    // Beats lower-cases the action (`accept`).
    'event.action': { ours: 'action', compare: 'ci' },
    'event.start': TIME_START,
    'event.end': TIME_END,
    '@timestamp': TIME_END,
    'cloud.account.id': 'aws_account_id',
    'cloud.instance.id': 'instance_id',
    'cloud.region': 'region',
    'cloud.availability_zone': 'az_id',
    'aws.vpcflow.version': 'flow_log_version',
    'aws.vpcflow.interface_id': 'cloud_resource',
    'aws.vpcflow.log_status': 'log_status',
    'aws.vpcflow.tcp_flags': 'tcp_flags',
    'aws.vpcflow.tcp_flags_array': FLAG_NAMES,
    'aws.vpcflow.type': 'traffic_type',
    'aws.vpcflow.vpc_id': 'vpc_id',
    'aws.vpcflow.subnet_id': 'subnet_id',
    'aws.vpcflow.pkt_srcaddr': 'pkt_src_ip',
    'aws.vpcflow.pkt_dstaddr': 'pkt_dst_ip',
    'aws.vpcflow.pkt_src_aws_service': 'pkt_src_aws_service',
    'aws.vpcflow.pkt_dst_aws_service': 'pkt_dst_aws_service',
    'aws.vpcflow.sublocation_type': 'sublocation_type',
    'aws.vpcflow.sublocation_id': 'sublocation_id',
    'aws.vpcflow.traffic_path': 'traffic_path',
    'orchestrator.cluster.id': 'ecs_cluster_arn',
    'orchestrator.cluster.name': 'ecs_cluster_name',
    'orchestrator.resource.id': 'ecs_container_instance_id',
    'orchestrator.resource.name': 'ecs_container_instance_arn',
    'container.id': 'ecs_container_id',
    'service.name': 'ecs_service_name',
    'aws.vpcflow.ecs_task_arn': 'ecs_task_arn',
    'aws.vpcflow.ecs_task_definition_arn': 'ecs_task_definition_arn',
    'aws.vpcflow.ecs_task_id': 'ecs_task_id',
    message: 'raw_event.message',
  },
  ignore: {
    'event.outcome': 'success/failure derived from action; we carry action itself',
    'event.type': 'ECS categorisation derived from action',
    'network.type': 'ipv4/ipv6 guessed from the address syntax, not the type field',
    'related.ip': 'derived list of addresses',
    'orchestrator.type': 'constant "ecs"',
    'orchestrator.resource.type': 'constant "container"',
  },
};

/** Filebeat processor, `original` mode: every field as `aws.vpcflow.<snake name>`, ints as numbers, start/end as ISO. */
export const BEATS_ORIGINAL: PeerFields = {
  name: 'beats (original mode)',
  table: {
    ...byAwsName('aws.vpcflow.', FLOW_FIELDS.map((f) => f.name).filter((n) => n !== 'start' && n !== 'end')),
    'aws.vpcflow.start': { ours: 'start', compare: 'time' },
    'aws.vpcflow.end': TIME_END,
    'aws.vpcflow.tcp_flags_array': FLAG_NAMES,
    message: 'raw_event.message',
  },
  ignore: {},
};

/** OpenTelemetry Collector `awslogsencodingextension`: record attributes, resource attributes and the record time. */
export const OTEL: PeerFields = {
  name: 'otel',
  table: {
    // Attribute names changed between revisions; each case's files use one spelling.
    'aws.vpc.flow.log.version': { ours: 'flow_log_version', onlyWhenPresent: true },
    'aws.vpc.flow.version': { ours: 'flow_log_version', onlyWhenPresent: true },
    'network.interface.name': { ours: 'cloud_resource', onlyWhenPresent: true },
    'aws.eni.id': { ours: 'cloud_resource', onlyWhenPresent: true },
    'aws.vpc.flow.end': { ours: 'end', onlyWhenPresent: true },
    timeUnixNano: { ours: 'end', compare: 'nanos', onlyWhenPresent: true },
    'source.address': 'src_ip',
    'destination.address': 'dst_ip',
    'source.port': 'src_port',
    'destination.port': 'dst_port',
    'network.protocol.name': PROTOCOL_NAME,
    'aws.vpc.flow.packets': 'packets',
    'aws.vpc.flow.bytes': 'bytes',
    'aws.vpc.flow.start': 'start',
    'aws.vpc.flow.action': 'action',
    'aws.vpc.flow.status': 'log_status',
    'cloud.account.id': 'aws_account_id',
    'aws.log.group.names': 'raw_event.log_group',
    'aws.log.stream.names': 'raw_event.log_stream',
    'aws.ecs.cluster.arn': 'ecs_cluster_arn',
    'aws.ecs.cluster.name': 'ecs_cluster_name',
    'aws.ecs.container.instance.arn': 'ecs_container_instance_arn',
    'aws.ecs.container.instance.id': 'ecs_container_instance_id',
    'aws.ecs.container.id': 'ecs_container_id',
    'aws.ecs.second.container.id': 'ecs_second_container_id',
    'aws.ecs.service.name': 'ecs_service_name',
    'aws.ecs.task.definition.arn': 'ecs_task_definition_arn',
    'aws.ecs.task.arn': 'ecs_task_arn',
    'aws.ecs.task.id': 'ecs_task_id',
  },
  ignore: {
    'cloud.provider': 'constant "aws"',
    'encoding.format': 'constant scope attribute',
    'network.local.address': "the interface address when pkt-* differs; our src_ip/dst_ip already hold the interface's addresses",
  },
};

/** obsrvbl flowlogs-reader `FlowRecord.to_dict()`: snake names, ints, `-` dropped, start/end as datetimes. */
export const FLOWLOGS_READER: PeerFields = {
  name: 'flowlogs-reader',
  table: {
    version: 'flow_log_version',
    account_id: 'aws_account_id',
    interface_id: 'cloud_resource',
    srcaddr: 'src_ip',
    dstaddr: 'dst_ip',
    srcport: 'src_port',
    dstport: 'dst_port',
    protocol: 'protocol_number',
    packets: 'packets',
    bytes: 'bytes',
    start: TIME_START,
    end: TIME_END,
    action: 'action',
    log_status: 'log_status',
    vpc_id: 'vpc_id',
    subnet_id: 'subnet_id',
    instance_id: 'instance_id',
    tcp_flags: 'tcp_flags',
    type: 'traffic_type',
    pkt_srcaddr: 'pkt_src_ip',
    pkt_dstaddr: 'pkt_dst_ip',
    region: 'region',
    az_id: 'az_id',
    sublocation_type: 'sublocation_type',
    sublocation_id: 'sublocation_id',
    pkt_src_aws_service: 'pkt_src_aws_service',
    pkt_dst_aws_service: 'pkt_dst_aws_service',
    flow_direction: 'flow_direction',
    traffic_path: 'traffic_path',
    ...byAwsName('', FLOW_FIELDS.map((f) => f.name).filter(isTransitGatewayField)),
  },
  ignore: {},
};
