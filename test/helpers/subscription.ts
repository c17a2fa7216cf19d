import { gzipSync } from 'node:zlib';

/** A subscription delivery as CloudWatch Logs sends it: base64 of gzip of JSON. */
export function encodeDelivery(payload: unknown): string {
  return gzipSync(Buffer.from(JSON.stringify(payload))).toString('base64');
}

/** A DATA_MESSAGE for `logGroup`/`logStream` with the given messages, ids `<prefix>-<n>`. */
export function dataMessage(logGroup: string, logStream: string, messages: readonly string[], options: { idPrefix?: string; timestamp?: number } = {}): string {
  return encodeDelivery({
    messageType: 'DATA_MESSAGE',
    owner: '123456789012',
    logGroup,
    logStream,
    subscriptionFilters: ['vpc-flow-alerts'],
    logEvents: messages.map((message, i) => ({ id: `${options.idPrefix ?? 'e'}-${i}`, timestamp: (options.timestamp ?? 1_700_000_000_000) + i, message })),
  });
}

export const CONTROL_MESSAGE = encodeDelivery({
  messageType: 'CONTROL_MESSAGE',
  owner: 'CloudwatchLogs',
  logGroup: '',
  logStream: '',
  subscriptionFilters: [],
  logEvents: [{ id: '', timestamp: 1_700_000_000_000, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }],
});
