import { open, readFile, stat } from 'node:fs/promises';
import type { ObjectStore } from '../app/ports';

/**
 * A local file as an object store, so the commands read a downloaded flow-log object (Parquet)
 * with the S3 source's own reader. `bucket` is ignored; `key` is the file's path.
 */
export const fileObjectStore: ObjectStore = {
  head: async (_bucket, key) => {
    const info = await stat(key);
    return { size: info.size, lastModified: info.mtimeMs };
  },
  stream: async (_bucket, key) => (async function* () {
    yield new Uint8Array(await readFile(key));
  })(),
  range: async (_bucket, key, start, end) => {
    const file = await open(key, 'r');
    try {
      // The file's metadata asks for the ranges: never allocate past the file's end for it.
      const size = (await file.stat()).size;
      const bytes = new Uint8Array(Math.max(0, Math.min(end, size) - Math.max(0, start)));
      const { bytesRead } = await file.read(bytes, 0, bytes.length, Math.max(0, start));
      return bytes.subarray(0, bytesRead);
    } finally {
      await file.close();
    }
  },
  list: async () => ({ keys: [] }),
};
