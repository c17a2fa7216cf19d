import type { S3Client } from '@aws-sdk/client-s3';
import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { ObjectStore } from '../app/ports';

/**
 * Objects through S3's GetObject (streamed, or by byte range) and HeadObject. Retries: the SDK's
 * standard ones, the only layer; a fault that outlasts them fails the object's notification, which
 * SQS delivers again.
 */
export class S3ObjectStore implements ObjectStore {
  public constructor(private readonly client: S3Client) {}

  public async head(bucket: string, key: string): Promise<{ size: number; lastModified: number }> {
    const out = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return { size: out.ContentLength ?? 0, lastModified: out.LastModified?.getTime() ?? 0 };
  }

  public async stream(bucket: string, key: string): Promise<AsyncIterable<Uint8Array>> {
    const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (out.Body === undefined) throw new Error(`s3://${bucket}/${key} has no body`);
    return out.Body as AsyncIterable<Uint8Array>;
  }

  public async list(bucket: string, prefix: string, next?: string): Promise<{ keys: string[]; next?: string }> {
    const out = await this.client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ...(next !== undefined && { ContinuationToken: next }) }));
    const keys = (out.Contents ?? []).flatMap((o) => (o.Key === undefined ? [] : [o.Key]));
    return out.NextContinuationToken === undefined ? { keys } : { keys, next: out.NextContinuationToken };
  }

  public async range(bucket: string, key: string, start: number, end: number): Promise<Uint8Array> {
    if (end <= start) return new Uint8Array();
    const out = await this.client.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end - 1}` }));
    if (out.Body === undefined) throw new Error(`s3://${bucket}/${key} has no body`);
    return out.Body.transformToByteArray();
  }
}
