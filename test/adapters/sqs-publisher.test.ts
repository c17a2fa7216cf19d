import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { SqsPublisher } from '../../lambda/adapters/sqs-publisher';
import type { OutboundMessage } from '../../lambda/app/ports';

const sqs = mockClient(SQSClient);
const noSleep = async () => {};
const message = (i: number, body = `{"n":${i}}`): OutboundMessage => ({
  id: String(i), body, attributes: { severity: 'medium', source: 'aws_vpc_flow', record_format: 'v2' }, groupId: 'eni-1', deduplicationId: `a${i}`,
});
const publisher = (fifo = false, maxBatchBytes = 262_144) =>
  new SqsPublisher(new SQSClient({ region: 'us-east-1' }), { queueUrl: 'https://sqs.us-east-1.amazonaws.com/1/q', fifo, maxBatchBytes, sleep: noSleep });

beforeEach(() => sqs.reset());

describe('SqsPublisher', () => {
  it('sends in batches of at most 10 with the filtering attributes', async () => {
    sqs.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const result = await publisher().publish(Array.from({ length: 25 }, (_, i) => message(i)));
    expect(result.sent).toHaveLength(25);
    const calls = sqs.commandCalls(SendMessageBatchCommand);
    expect(calls.map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 5]);
    expect(calls[0]?.args[0].input.Entries?.[0]).toEqual({
      Id: '0', MessageBody: '{"n":0}',
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'medium' },
        source: { DataType: 'String', StringValue: 'aws_vpc_flow' },
        record_format: { DataType: 'String', StringValue: 'v2' },
      },
    });
  });

  it('keeps every batch under the byte limit', async () => {
    sqs.on(SendMessageBatchCommand).resolves({});
    await publisher(false, 5000).publish(Array.from({ length: 10 }, (_, i) => message(i, 'x'.repeat(1500))));
    expect(sqs.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([3, 3, 3, 1]);
  });

  it('sets the FIFO group and deduplication ids on FIFO queues', async () => {
    sqs.on(SendMessageBatchCommand).resolves({});
    await publisher(true).publish([message(1)]);
    expect(sqs.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries?.[0]).toMatchObject({ MessageGroupId: 'eni-1', MessageDeduplicationId: 'a1' });
  });

  it('retries the entries SQS reports as Failed in a 200 answer, and only those', async () => {
    sqs.on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false }] })
      .resolves({});
    const result = await publisher().publish([message(0), message(1), message(2)]);
    expect(result).toEqual({ sent: ['0', '2', '1'], failed: [] });
    expect(sqs.commandCalls(SendMessageBatchCommand)[1]?.args[0].input.Entries?.map((e) => e.Id)).toEqual(['1']);
  });

  it('reports what still fails after the attempts, and sender faults at once', async () => {
    sqs.on(SendMessageBatchCommand).resolves({
      Failed: [
        { Id: '0', Code: 'InternalError', SenderFault: false },
        { Id: '1', Code: 'InvalidMessageContents', SenderFault: true },
      ],
    });
    const result = await publisher().publish([message(0), message(1), message(2)]);
    expect(result.sent).toEqual(['2']);
    expect(result.failed).toEqual(expect.arrayContaining([
      { id: '1', reason: 'InvalidMessageContents' },
      { id: '0', reason: 'InternalError' },
    ]));
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(4);
  });

  it('reports a whole batch as failed when the call keeps failing', async () => {
    sqs.on(SendMessageBatchCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    const result = await publisher().publish([message(0), message(1)]);
    expect(result).toEqual({ sent: [], failed: [{ id: '0', reason: 'AccessDenied' }, { id: '1', reason: 'AccessDenied' }] });
  });
});
