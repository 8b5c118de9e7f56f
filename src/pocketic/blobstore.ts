// The server's blob store (`POST /blobstore`): blobs addressed by the hex SHA-256 of their bytes as
// sent, optionally gzipped; `set_stable_memory` refers to them by id.
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { PocketIcError } from './errors.ts';

interface Blob {
  bytes: Uint8Array;
  gzipped: boolean;
}

export class BlobStore {
  readonly #blobs = new Map<string, Blob>();

  put(bytes: Uint8Array, encoding: string | undefined): string {
    if (encoding !== undefined && encoding !== 'gzip') throw new PocketIcError(400, `Bad encoding: expected gzip, got ${encoding}`);
    const id = createHash('sha256').update(bytes).digest('hex');
    this.#blobs.set(id, { bytes, gzipped: encoding === 'gzip' });
    return id;
  }

  raw(id: string): Blob | undefined {
    return this.#blobs.get(id.toLowerCase());
  }

  /** The blob's content (decompressed if it was stored gzipped). */
  content(id: string): Uint8Array {
    const blob = this.#blobs.get(id);
    if (!blob) throw new PocketIcError(400, `BlobNotFound(${id})`);
    if (!blob.gzipped) return blob.bytes;
    try {
      return new Uint8Array(gunzipSync(blob.bytes));
    } catch (e) {
      throw new PocketIcError(400, `Blob ${id} is not valid gzip: ${(e as Error).message}`);
    }
  }
}
