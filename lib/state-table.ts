import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { CHECKPOINT_KEY, CHECKPOINT_TTL } from '../lambda/settings/settings-table';

/**
 * The function's DynamoDB table: poll mode's checkpoints (one item per log group, with its lease)
 * and the detectors' state (one item per log group and shard). On-demand, encrypted,
 * point-in-time recovery, a TTL for items nobody writes any more, and kept when the stack is
 * deleted: losing it would restart every group from now and forget open windows.
 */
export function stateTable(scope: Construct): dynamodb.Table {
  return new dynamodb.Table(scope, 'CheckpointTable', {
    partitionKey: { name: CHECKPOINT_KEY, type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: CHECKPOINT_TTL,
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    removalPolicy: RemovalPolicy.RETAIN,
  });
}
