import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/**
 * The flow-log layout this product recommends: the default fields plus what an investigation
 * needs (VPC, subnet, instance, TCP flags, packet-level addresses, direction, path).
 */
export const RECOMMENDED_LOG_FORMAT =
  '${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} ${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${subnet-id} ${instance-id} ${tcp-flags} ${type} ${pkt-srcaddr} ${pkt-dstaddr} ${region} ${az-id} ${pkt-src-aws-service} ${pkt-dst-aws-service} ${flow-direction} ${traffic-path}';

/** Settings for the flow log {@link VpcFlowLog} creates. */
export interface FlowLogOptions {
  /** The VPC to log (`vpc-...`). */
  readonly vpcId: string;
  /**
   * Which traffic to log. REJECT is what this product alerts on and costs least; ALL keeps
   * accepted flows for investigations.
   * @default ec2.FlowLogTrafficType.REJECT
   */
  readonly trafficType?: ec2.FlowLogTrafficType;
  /**
   * Retention of the flow-log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly retention?: logs.RetentionDays;
}

/** A VPC flow log publishing to its own CloudWatch Logs group with 1-minute aggregation. */
export class VpcFlowLog extends Construct {
  public readonly logGroup: logs.LogGroup;
  public readonly flowLog: ec2.FlowLog;
  /** The LogFormat the flow log writes, for the function. */
  public readonly logFormat = RECOMMENDED_LOG_FORMAT;

  public constructor(scope: Construct, id: string, options: FlowLogOptions) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: options.retention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.flowLog = new ec2.FlowLog(this, 'FlowLog', {
      resourceType: new VpcById(options.vpcId),
      destination: ec2.FlowLogDestination.toCloudWatchLogs(this.logGroup),
      trafficType: options.trafficType ?? ec2.FlowLogTrafficType.REJECT,
      maxAggregationInterval: ec2.FlowLogMaxAggregationInterval.ONE_MINUTE,
      logFormat: [ec2.LogFormat.custom(RECOMMENDED_LOG_FORMAT)],
    });
  }
}

/** A VPC by id alone: no lookup and no subnet layout, so synth stays offline. */
export class VpcById extends ec2.FlowLogResourceType {
  public readonly resourceType = 'VPC';
  public constructor(public readonly resourceId: string) {
    super();
  }
}
