// Uploads a folder to an asset canister as one batch: unchanged files are skipped, text files
// also get gzip and brotli encodings, removed files are deleted, and `.ic-assets.json` sets headers.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, matchesGlob, relative, sep } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import type { AssetsService, BatchOperation, HeaderField, ListedAsset } from './assets_interface.ts';

/** Chunks stay under the 2 MiB ingress limit with room for the envelope (as dfx and icp-cli do). */
const CHUNK_SIZE = 1_900_000;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.htm': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.pdf': 'application/pdf',
  '.xml': 'application/xml',
  '.webmanifest': 'application/manifest+json',
};

const COMPRESSIBLE = /^(text\/|application\/(json|javascript|xml|manifest\+json|wasm)|image\/svg\+xml)/;

interface AssetRule {
  match: string;
  headers?: Record<string, string>;
  cache?: { max_age?: number };
  enable_aliasing?: boolean;
  allow_raw_access?: boolean;
}

export interface LocalAsset {
  key: string;
  contentType: string;
  encodings: Array<{ name: string; content: Uint8Array; sha256: Uint8Array }>;
  headers: HeaderField[];
  maxAge: bigint | undefined;
  enableAliasing: boolean | undefined;
  allowRawAccess: boolean | undefined;
}

const sha256 = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(bytes).digest());
const sameBytes = (a: Uint8Array | undefined, b: Uint8Array): boolean => a !== undefined && Buffer.from(a).equals(Buffer.from(b));

function walk(dir: string, root: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    // Dot files (.ic-assets.json itself, .DS_Store, .git) are configuration, not content, except .well-known.
    if (entry.name.startsWith('.') && entry.name !== '.well-known') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, root, out);
    else if (entry.isFile()) out.push(relative(root, path));
  }
}

function readRules(dir: string): AssetRule[] {
  const file = join(dir, '.ic-assets.json');
  if (!existsSync(file)) return [];
  let rules: unknown;
  try {
    rules = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message}`);
  }
  if (!Array.isArray(rules) || rules.some((rule) => typeof rule?.match !== 'string')) {
    throw new Error(`${file}: expected an array of rules, each with a "match" glob`);
  }
  return rules as AssetRule[];
}

/** The folder's files as assets, with the properties of the `.ic-assets.json` rules that match (later rules win). */
export function readFolder(dir: string): LocalAsset[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir} is not a folder`);
  const rules = readRules(dir);
  const files: string[] = [];
  walk(dir, dir, files);
  return files.map((file) => {
    const relativePath = file.split(sep).join('/');
    const content = new Uint8Array(readFileSync(join(dir, file)));
    const contentType = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    const encodings = [{ name: 'identity', content, sha256: sha256(content) }];
    if (COMPRESSIBLE.test(contentType)) {
      const compressed = { gzip: gzipSync(content, { level: 9 }), br: brotliCompressSync(content) };
      for (const [name, bytes] of Object.entries(compressed)) {
        if (bytes.length < content.length) encodings.push({ name, content: new Uint8Array(bytes), sha256: sha256(bytes) });
      }
    }
    const headers = new Map<string, string>();
    let maxAge: bigint | undefined;
    let enableAliasing: boolean | undefined;
    let allowRawAccess: boolean | undefined;
    for (const rule of rules) {
      if (!matchesGlob(relativePath, rule.match)) continue;
      for (const [name, value] of Object.entries(rule.headers ?? {})) headers.set(name.toLowerCase(), value);
      if (rule.cache?.max_age !== undefined) maxAge = BigInt(rule.cache.max_age);
      enableAliasing = rule.enable_aliasing ?? enableAliasing;
      allowRawAccess = rule.allow_raw_access ?? allowRawAccess;
    }
    return { key: `/${relativePath}`, contentType, encodings, headers: [...headers], maxAge, enableAliasing, allowRawAccess };
  });
}

function unchanged(local: LocalAsset, remote: ListedAsset | undefined, properties: { max_age: [] | [bigint]; headers: [] | [HeaderField[]] } | undefined): boolean {
  if (!remote || !properties || remote.content_type !== local.contentType || remote.encodings.length !== local.encodings.length) return false;
  const sameContent = local.encodings.every((e) => sameBytes(remote.encodings.find((r) => r.content_encoding === e.name)?.sha256[0], e.sha256));
  const sameHeaders = JSON.stringify(properties.headers[0] ?? []) === JSON.stringify(local.headers);
  return sameContent && sameHeaders && properties.max_age[0] === local.maxAge;
}

async function uploadChunks(assets: AssetsService, batchId: bigint, content: Uint8Array): Promise<bigint[]> {
  const ids: bigint[] = [];
  let offset = 0;
  do {
    const { chunk_ids } = await assets.create_chunks({ batch_id: batchId, content: [content.subarray(offset, offset + CHUNK_SIZE)] });
    ids.push(...chunk_ids);
    offset += CHUNK_SIZE;
  } while (offset < content.length);
  return ids;
}

export interface SyncSummary {
  uploaded: number;
  unchanged: number;
  deleted: number;
}

/** Makes the canister hold exactly the folder's assets (from `readFolder`), in one atomic commit_batch. */
export async function syncFolder(assets: AssetsService, local: readonly LocalAsset[], log: (line: string) => void): Promise<SyncSummary> {
  const remote = new Map((await assets.list({})).map((asset) => [asset.key, asset]));
  const { batch_id: batchId } = await assets.create_batch({});
  const operations: BatchOperation[] = [];
  const summary: SyncSummary = { uploaded: 0, unchanged: 0, deleted: 0 };
  for (const [index, asset] of local.entries()) {
    const existing = remote.get(asset.key);
    remote.delete(asset.key);
    const properties = existing ? await assets.get_asset_properties(asset.key) : undefined;
    if (unchanged(asset, existing, properties)) {
      summary.unchanged++;
      continue;
    }
    if (existing) operations.push({ DeleteAsset: { key: asset.key } });
    operations.push({
      CreateAsset: {
        key: asset.key,
        content_type: asset.contentType,
        max_age: asset.maxAge === undefined ? [] : [asset.maxAge],
        headers: asset.headers.length ? [asset.headers] : [],
        enable_aliasing: asset.enableAliasing === undefined ? [] : [asset.enableAliasing],
        allow_raw_access: asset.allowRawAccess === undefined ? [] : [asset.allowRawAccess],
      },
    });
    for (const encoding of asset.encodings) {
      const chunkIds = await uploadChunks(assets, batchId, encoding.content);
      operations.push({ SetAssetContent: { key: asset.key, content_encoding: encoding.name, chunk_ids: chunkIds, last_chunk: [], sha256: [encoding.sha256] } });
    }
    summary.uploaded++;
    const sizes = asset.encodings.map((e) => `${e.name} ${e.content.length} B`).join(', ');
    log(`[${index + 1}/${local.length}] ${asset.key} (${asset.contentType}; ${sizes})`);
  }
  for (const key of remote.keys()) {
    operations.push({ DeleteAsset: { key } });
    summary.deleted++;
    log(`deleting ${key}`);
  }
  await assets.commit_batch({ batch_id: batchId, operations });
  return summary;
}
