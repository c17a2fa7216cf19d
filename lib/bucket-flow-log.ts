import { Duration, FeatureFlags, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { S3_CREATE_DEFAULT_LOGGING_POLICY } from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import type { FlowLogOptions } from './flow-log';
import { RECOMMENDED_LOG_FORMAT, VpcById } from './flow-log';

/** Where AWS writes flow-log files in a bucket without a key prefix. */
export const FLOW_LOG_KEY_PREFIX = 'AWSLogs/';

/**
 * A VPC flow log delivered to a new S3 bucket (`s3` mode): gzip text files in the recommended
 * layout with 1-minute aggregation, in a bucket that is private, SSE-S3 encrypted, TLS-only, owned
 * by this account for every object (ACLs off), announces new objects to EventBridge, and expires
 * files after the retention. Plain text rather than Parquet: each file names its fields in its
 * header, and it reads faster and in less memory (README, "S3 source").
 */
export class BucketFlowLog extends Construct {
  public readonly bucket: s3.Bucket;
  public readonly flowLog: ec2.FlowLog;
  /** The key prefix the files are written under. */
  public readonly prefix = FLOW_LOG_KEY_PREFIX;
  /** The LogFormat the flow log writes. */
  public readonly logFormat = RECOMMENDED_LOG_FORMAT;

  public constructor(scope: Construct, id: string, options: FlowLogOptions) {
    super(scope, id);
    const retention = options.retention ?? logs.RetentionDays.ONE_YEAR;
    this.bucket = new s3.Bucket(this, 'Bucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      ...(retention !== logs.RetentionDays.INFINITE && { lifecycleRules: [{ expiration: Duration.days(retention), abortIncompleteMultipartUploadAfter: Duration.days(1) }] }),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Announces new objects to EventBridge, set on the bucket itself (the construct's option would add a custom-resource function).
    (this.bucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = { eventBridgeConfiguration: { eventBridgeEnabled: true } };
    const stack = Stack.of(this);
    if (!FeatureFlags.of(this).isEnabled(S3_CREATE_DEFAULT_LOGGING_POLICY)) {
      // What log delivery needs, for this account's flow logs only (CDK adds the same under its feature flag).
      const fromLogDelivery = {
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'logs', resource: '*' }) },
      };
      this.bucket.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AWSLogDeliveryWrite', principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')], actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects(`${FLOW_LOG_KEY_PREFIX}${stack.account}/*`)],
        conditions: { ...fromLogDelivery, StringEquals: { ...fromLogDelivery.StringEquals, 's3:x-amz-acl': 'bucket-owner-full-control' } },
      }));
      this.bucket.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AWSLogDeliveryCheck', principals: [new iam.ServicePrincipal('delivery.logs.amazonaws.com')], actions: ['s3:GetBucketAcl', 's3:ListBucket'],
        resources: [this.bucket.bucketArn], conditions: fromLogDelivery,
      }));
    }
    this.flowLog = new ec2.FlowLog(this, 'FlowLog', {
      resourceType: new VpcById(options.vpcId),
      // Plain text is the default file format (no DestinationOptions).
      destination: ec2.FlowLogDestination.toS3(this.bucket),
      trafficType: options.trafficType ?? ec2.FlowLogTrafficType.REJECT,
      maxAggregationInterval: ec2.FlowLogMaxAggregationInterval.ONE_MINUTE,
      logFormat: [ec2.LogFormat.custom(RECOMMENDED_LOG_FORMAT)],
    });
    Validations.of(this.bucket.node.defaultChild ?? this.bucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason: 'Only VPC log delivery writes this bucket and only this stack\'s function reads it (both through IAM with source conditions); server access logs would need a second bucket and log every flow-log delivery. Turn on CloudTrail S3 data events to audit reads.',
    });
  }
}
