/**
 * fauxqs (an SQS emulator speaking the JSON protocol) in a child process on 127.0.0.1, plus a
 * small fault-injecting proxy in front of it: fauxqs never fails a send, and the poller must be
 * tested against SendMessageBatch answers that report failed entries with HTTP 200.
 */
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Message } from '@aws-sdk/client-sqs';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Decides, per SendMessageBatch entry, whether the proxy reports it failed instead of forwarding it. */
export type EntryFault = (entry: { Id: string; MessageBody: string }) => { code: string; senderFault?: boolean } | undefined;

export interface LocalSqs {
  /** The proxy's endpoint: point the poller here. */
  readonly endpoint: string;
  readonly client: SQSClient;
  /** Creates a queue and, unless it is one, its quarantine queue `<name>-quarantine`; returns the queue's URL. */
  createQueue(name: string): Promise<string>;
  /** Receives and deletes every message now in the queue, as a consumer would. */
  drain(queueUrl: string): Promise<Message[]>;
  /** fauxqs's S3 endpoint (path-style). */
  readonly s3Endpoint: string;
  /** Entry faults for SendMessageBatch; `undefined` forwards everything. */
  fault: EntryFault | undefined;
  /** Requests seen by the proxy, by operation (`SendMessageBatch`, ...). */
  readonly calls: Map<string, number>;
  stop(): Promise<void>;
}

export async function startLocalSqs(): Promise<LocalSqs> {
  const child = spawn(process.execPath, [join(__dirname, 'fauxqs-server.mjs')], { stdio: ['pipe', 'pipe', 'pipe'] });
  const upstreamPort = await readPort(child);
  const state: ProxyState = { fault: undefined, calls: new Map() };
  const proxy = createServer((req, res) => void forward(req, res, upstreamPort, state));
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const client = new SQSClient({ region: 'us-east-1', endpoint, credentials: TEST_CREDENTIALS, useQueueUrlAsEndpoint: false });
  return {
    endpoint,
    // S3 goes straight to fauxqs: the proxy is for injecting SQS faults, and buffers whole responses.
    s3Endpoint: `http://127.0.0.1:${upstreamPort}`,
    client,
    calls: state.calls,
    get fault() {
      return state.fault;
    },
    set fault(value) {
      state.fault = value;
    },
    createQueue: async (name) => {
      // Every alert queue comes with its quarantine queue, as the stack creates them.
      const names = name.endsWith('-quarantine') ? [name] : [name, `${name.replace(/\.fifo$/, '')}-quarantine`];
      const urls: string[] = [];
      for (const queueName of names) {
        const { QueueUrl } = await client.send(
          new CreateQueueCommand({ QueueName: queueName, ...(queueName.endsWith('.fifo') && { Attributes: { FifoQueue: 'true' } }) }),
        );
        if (QueueUrl === undefined) throw new Error(`fauxqs returned no URL for ${queueName}`);
        urls.push(QueueUrl);
      }
      return urls[0] as string;
    },
    drain: async (queueUrl) => {
      const all: Message[] = [];
      for (;;) {
        const { Messages = [] } = await client.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], WaitTimeSeconds: 0 }),
        );
        if (Messages.length === 0) return all;
        all.push(...Messages);
        await client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle as string })),
          }),
        );
      }
    },
    stop: async () => {
      client.destroy();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      child.stdin.end();
      await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
    },
  };
}

function readPort(child: ChildProcessWithoutNullStreams): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line !== undefined) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`fauxqs exited with ${code}: ${err}`)));
  });
}

interface ProxyState {
  fault: EntryFault | undefined;
  readonly calls: Map<string, number>;
}

async function forward(req: IncomingMessage, res: ServerResponse, port: number, state: ProxyState): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  let body = Buffer.concat(chunks);
  const target = String(req.headers['x-amz-target'] ?? '');
  const operation = target.slice(target.lastIndexOf('.') + 1) || 'Unknown';
  state.calls.set(operation, (state.calls.get(operation) ?? 0) + 1);
  const failed: Array<{ Id: string; Code: string; SenderFault: boolean; Message: string }> = [];
  if (target.endsWith('.SendMessageBatch') && state.fault !== undefined) {
    const input = JSON.parse(body.toString()) as { Entries: Array<{ Id: string; MessageBody: string }> };
    const kept = input.Entries.filter((entry) => {
      const fault = state.fault?.(entry);
      if (fault !== undefined) failed.push({ Id: entry.Id, Code: fault.code, SenderFault: fault.senderFault ?? false, Message: 'injected by the test proxy' });
      return fault === undefined;
    });
    if (kept.length === 0) {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ Successful: [], Failed: failed }));
      return;
    }
    body = Buffer.from(JSON.stringify({ ...input, Entries: kept }));
  }
  const headers = { ...req.headers, 'content-length': String(body.length) };
  const upstream = request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers }, (up) => {
    const parts: Buffer[] = [];
    up.on('data', (c: Buffer) => parts.push(c));
    up.on('end', () => {
      let out = Buffer.concat(parts);
      if (failed.length > 0 && up.statusCode === 200) {
        const parsed = JSON.parse(out.toString()) as { Successful?: unknown[]; Failed?: unknown[] };
        out = Buffer.from(JSON.stringify({ ...parsed, Failed: [...(parsed.Failed ?? []), ...failed] }));
      }
      res.writeHead(up.statusCode ?? 500, { ...up.headers, 'content-length': String(out.length) });
      res.end(out);
    });
  });
  upstream.on('error', (error) => {
    res.writeHead(502);
    res.end(String(error));
  });
  upstream.end(body);
}

/** An S3 client for fauxqs's S3 (path-style, test credentials), with `bucket` created. */
export async function localS3(sqs: LocalSqs, bucket: string): Promise<S3Client> {
  const s3 = new S3Client({ region: 'us-east-1', endpoint: sqs.s3Endpoint, credentials: TEST_CREDENTIALS, forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  return s3;
}
