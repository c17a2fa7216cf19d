import type { Gzip } from 'node:zlib';
import { createGzip } from 'node:zlib';

/** A gzip stream whose output is collected: write to `gzip`, end it, and `bytes` resolves to the whole member. */
export function gzipCollector(): { readonly gzip: Gzip; readonly bytes: Promise<Buffer> } {
  const gzip = createGzip();
  const parts: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => parts.push(chunk));
  const bytes = new Promise<Buffer>((resolve, reject) => {
    gzip.on('end', () => resolve(Buffer.concat(parts)));
    gzip.on('error', reject);
  });
  return { gzip, bytes };
}
