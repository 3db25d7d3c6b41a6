import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, readBytes } from '../kit';

/**
 * The file store behind Wallex's document URLs: an S3-like server of its own (Wallex's URLs point at an
 * S3 bucket, not at the API), taking raw bytes. URLs are presigned the way Wallex's samples are:
 * `X-Amz-Algorithm`, `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders` and
 * `X-Amz-Signature` in the query, with upload URLs signing `host;x-amz-storage-class`. The signature is
 * an HMAC over the method, path, query and the signed headers' values (not real SigV4, but it fails the
 * same way): a PUT without the `x-amz-storage-class` header, or with another value than was signed, is
 * answered 403 SignatureDoesNotMatch; a URL past its expiry 403 AccessDenied "Request has expired".
 */

export interface UploadServerOptions {
  /** Seconds an upload URL lives. Default 300 (the page says 5 minutes; its samples carry 900). */
  uploadTtlSeconds?: number;
  /** The storage class upload URLs are signed with. Default STANDARD. */
  storageClass?: string;
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** Called with each accepted upload; answers false when the key names no document. */
  onUpload: (key: string, body: Buffer, contentType: string | undefined, storageClass: string) => boolean;
  /** The bytes and content type stored under a key, for download URLs. */
  read: (key: string) => { body: Buffer; contentType?: string } | undefined;
}

export interface UploadServer {
  readonly origin: string;
  /** A presigned URL for PUT (upload) or GET (download) of a key. */
  presign(method: 'PUT' | 'GET', key: string): string;
  stop(): Promise<void>;
}

const MAX_BYTES = 10 * 1024 * 1024;
const BUCKET = 'wallex-files-sandbox';

const amzDate = (ms: number) =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
const parseAmzDate = (value: string) => {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : Number.NaN;
};

const s3Error = (res: ServerResponse, status: number, code: string, text: string) => {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${text}</Message></Error>`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
};

/** Starts the file server on 127.0.0.1 (a free port). */
export async function startUploadServer(options: UploadServerOptions): Promise<UploadServer> {
  const secret = randomBytes(32);
  let origin = '';

  const headerValue = (req: IncomingMessage | Record<string, string>, name: string) => {
    const value = 'headers' in req ? (req as IncomingMessage).headers[name] : (req as Record<string, string>)[name];
    return Array.isArray(value) ? value.join(',') : (value ?? '');
  };

  /** The signature over method, path, every query parameter but the signature, and the signed headers. */
  const sign = (method: string, path: string, query: URLSearchParams, headers: IncomingMessage | Record<string, string>) => {
    const pairs = [...query.entries()].filter(([k]) => k !== 'X-Amz-Signature').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const signed = (query.get('X-Amz-SignedHeaders') ?? '').split(';').filter(Boolean);
    const lines = signed.map((name) => `${name}:${headerValue(headers, name).trim()}`);
    const canonical = [method, path, pairs.map(([k, v]) => `${k}=${v}`).join('&'), ...lines].join('\n');
    return createHmac('sha256', secret).update(canonical).digest('hex');
  };

  const presign = (method: 'PUT' | 'GET', key: string) => {
    const now = options.clock();
    const path = `/${BUCKET}/${key.split('/').map(encodeURIComponent).join('/')}`;
    const query = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD',
      'X-Amz-Credential': `SANDBOXKEY/${amzDate(now).slice(0, 8)}/ap-southeast-1/s3/aws4_request`,
      'X-Amz-Date': amzDate(now),
      'X-Amz-Expires': String(options.uploadTtlSeconds ?? 300),
      'X-Amz-SignedHeaders': method === 'PUT' ? 'host;x-amz-storage-class' : 'host',
    });
    const host = new URL(origin).host;
    const headers: Record<string, string> = { host };
    if (method === 'PUT') headers['x-amz-storage-class'] = options.storageClass ?? 'STANDARD';
    query.set('X-Amz-Signature', sign(method, path, query, headers));
    return `${origin}${path}?${query.toString()}`;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://uploads.invalid');
    const body = await readBytes(req, MAX_BYTES);
    if (body === undefined) return s3Error(res, 400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
    if (method !== 'PUT' && method !== 'GET') return s3Error(res, 405, 'MethodNotAllowed', 'The specified method is not allowed');
    const given = url.searchParams.get('X-Amz-Signature') ?? '';
    const expected = sign(method, url.pathname, url.searchParams, req);
    const ok = given.length === expected.length && timingSafeEqual(Buffer.from(given), Buffer.from(expected));
    if (!ok)
      return s3Error(
        res,
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided',
      );
    const issued = parseAmzDate(url.searchParams.get('X-Amz-Date') ?? '');
    const expires = Number(url.searchParams.get('X-Amz-Expires'));
    if (!(options.clock() <= issued + expires * 1000)) return s3Error(res, 403, 'AccessDenied', 'Request has expired');

    const prefix = `/${BUCKET}/`;
    const key = url.pathname.startsWith(prefix)
      ? url.pathname.slice(prefix.length).split('/').map(decodeURIComponent).join('/')
      : '';
    if (method === 'PUT') {
      const contentType = typeof req.headers['content-type'] === 'string' ? req.headers['content-type'] : undefined;
      if (!options.onUpload(key, body, contentType, headerValue(req, 'x-amz-storage-class'))) {
        return s3Error(res, 404, 'NoSuchKey', 'The specified key does not exist');
      }
      res.writeHead(200, { etag: `"${createHash('md5').update(body).digest('hex')}"`, 'content-length': 0 });
      return res.end();
    }
    const stored = options.read(key);
    if (!stored) return s3Error(res, 404, 'NoSuchKey', 'The specified key does not exist');
    res.writeHead(200, {
      'content-type': stored.contentType ?? 'application/octet-stream',
      'content-length': stored.body.length,
    });
    res.end(stored.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let closed: Promise<void> | undefined;
  return {
    origin,
    presign,
    stop: () => {
      closed ??= closeServer(server);
      return closed;
    },
  };
}
