/**
 * The objects an SQS message announces: an EventBridge "Object Created" event from S3 (what the
 * stack routes to the queue), or an S3 event notification (`Records[].s3`, which a bucket's own
 * notifications may send to the same queue), or this product's own continuation of an object an
 * invocation ran out of time in (`{"vpcFlowAlerts": "continue-object", bucket, key, from}`). S3 event
 * notifications URL-encode keys (`+` for a space); EventBridge does not.
 */

/** One new object. */
export interface ObjectRef {
  readonly bucket: string;
  readonly key: string;
  /** The line or row to continue from (a continuation); absent: the whole object. */
  readonly from?: number;
}

/** The message that continues an object from line or row `from`. */
export function continuationBody(object: ObjectRef & { readonly from: number }): string {
  return JSON.stringify({ vpcFlowAlerts: CONTINUE_OBJECT, bucket: object.bucket, key: object.key, from: object.from });
}

const CONTINUE_OBJECT = 'continue-object';

/** What a message says: objects, a test event to acknowledge, or nothing readable. */
export type Notification =
  | { readonly kind: 'objects'; readonly objects: readonly ObjectRef[] }
  | { readonly kind: 'test' }
  | { readonly kind: 'invalid'; readonly reason: string };

/** At most this many objects are taken from one message (S3 sends one a message). */
const MAX_OBJECTS = 100;

/** Reads an SQS message body; never throws. */
export function readNotification(body: string): Notification {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { kind: 'invalid', reason: 'the message is not JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null) return { kind: 'invalid', reason: 'the message is not a JSON object' };
  const message = parsed as Record<string, unknown>;
  if (message['Event'] === 's3:TestEvent') return { kind: 'test' };
  if (message['vpcFlowAlerts'] === CONTINUE_OBJECT) {
    const { bucket, key, from } = message;
    if (typeof bucket !== 'string' || typeof key !== 'string' || typeof from !== 'number' || !Number.isSafeInteger(from) || from < 1) {
      return { kind: 'invalid', reason: 'the continuation names no bucket, key and line or row' };
    }
    return { kind: 'objects', objects: [{ bucket, key, from }] };
  }
  if (message['source'] === 'aws.s3' && message['detail-type'] === 'Object Created') {
    const detail = message['detail'] as { bucket?: { name?: unknown }; object?: { key?: unknown } } | undefined;
    const bucket = detail?.bucket?.name;
    const key = detail?.object?.key;
    if (typeof bucket !== 'string' || typeof key !== 'string') return { kind: 'invalid', reason: 'the EventBridge event names no bucket and key' };
    return { kind: 'objects', objects: [{ bucket, key }] };
  }
  if (Array.isArray(message['Records'])) {
    const objects: ObjectRef[] = [];
    for (const record of (message['Records'] as unknown[]).slice(0, MAX_OBJECTS)) {
      const s3 = (record as { eventName?: unknown; s3?: { bucket?: { name?: unknown }; object?: { key?: unknown } } } | null);
      if (typeof s3?.eventName === 'string' && !s3.eventName.startsWith('ObjectCreated:')) continue;
      const bucket = s3?.s3?.bucket?.name;
      const key = s3?.s3?.object?.key;
      if (typeof bucket !== 'string' || typeof key !== 'string') return { kind: 'invalid', reason: 'an S3 event record names no bucket and key' };
      let decoded: string;
      try {
        decoded = decodeURIComponent(key.replace(/\+/g, ' '));
      } catch {
        return { kind: 'invalid', reason: 'an S3 event record has a key that is not URL-encoded' };
      }
      objects.push({ bucket, key: decoded });
    }
    return { kind: 'objects', objects };
  }
  return { kind: 'invalid', reason: 'the message is neither an EventBridge S3 event nor an S3 event notification' };
}
