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
      { id: '1', reason: 'InvalidMessageContents', permanent: true },
      { id: '0', reason: 'InternalError', permanent: false },
    ]));
    expect(result.failed).toHaveLength(2);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(4);
  });

  it('splits a batch whose call fails for one entry\'s contents, so only that entry fails, as permanent', async () => {
    const invalid = Object.assign(new Error('Invalid characters found'), { name: 'InvalidMessageContents', $fault: 'client' });
    sqs.on(SendMessageBatchCommand).callsFake((input: { Entries: Array<{ MessageBody: string }> }) => {
      if (input.Entries.some((e) => e.MessageBody.includes('bad'))) throw invalid;
      return {};
    });
    const result = await publisher().publish([message(0), message(1, '{"bad":1}'), message(2)]);
    expect([...result.sent].sort()).toEqual(['0', '2']);
    expect(result.failed).toEqual([{ id: '1', reason: 'InvalidMessageContents: Invalid characters found', permanent: true }]);
  });

  it('treats throttling and access errors of a whole call as transient, for every entry', async () => {
    sqs.on(SendMessageBatchCommand).rejects(Object.assign(new Error('slow down'), { name: 'RequestThrottled' }));
    const result = await publisher().publish([message(0)]);
    expect(result.failed).toEqual([{ id: '0', reason: 'RequestThrottled', permanent: false }]);
    expect(sqs.commandCalls(SendMessageBatchCommand)).toHaveLength(4);
  });

  it('keeps at most `concurrency` calls in flight', async () => {
    let inFlight = 0;
    let most = 0;
    sqs.on(SendMessageBatchCommand).callsFake(async () => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
      return {};
    });
    const p = new SqsPublisher(new SQSClient({ region: 'us-east-1' }), { queueUrl: 'https://sqs.us-east-1.amazonaws.com/1/q', fifo: false, maxBatchBytes: 262_144, concurrency: 3 });
    const result = await p.publish(Array.from({ length: 100 }, (_, i) => message(i)));
    expect(result.sent).toHaveLength(100);
    expect(most).toBe(3);
  });

  it('reports a whole batch as failed when the call keeps failing', async () => {
    sqs.on(SendMessageBatchCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDenied' }));
    const result = await publisher().publish([message(0), message(1)]);
    expect(result).toEqual({ sent: [], failed: [{ id: '0', reason: 'AccessDenied', permanent: false }, { id: '1', reason: 'AccessDenied', permanent: false }] });
  });
});

describe('SqsPublisher classification', () => {
  it('retries throttling and KMS codes even when SQS flags them as sender faults', async () => {
    sqs.reset();
    sqs.on(SendMessageBatchCommand)
      .resolvesOnce({ Failed: [{ Id: '0', Code: 'KMS.ThrottlingException', SenderFault: true }, { Id: '1', Code: 'RequestThrottled', SenderFault: true }] })
      .resolves({});
    const result = await publisher().publish([message(0), message(1)]);
    expect([...result.sent].sort()).toEqual(['0', '1']);
    expect(result.failed).toEqual([]);
  });
});
