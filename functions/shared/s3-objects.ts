import { ATTEMPTS, awsRegion, configuredEndpoint, payloadHash, retryPause, signedFetch, signerFor } from './signed-fetch';

/**
 * Every S3 call of the functions, as signed `fetch` calls (signed-fetch.ts): whole and ranged reads,
 * writes, heads, deletes and presigned URLs. The S3 client would bring its service model, XML protocol,
 * checksums and S3 middleware (about 160 KB) into every function that touches the bucket, which is every
 * workflow step (the vault) and every document and batch function.
 *
 * Endpoint, region and credentials follow the SDK's own configuration: `AWS_ENDPOINT_URL_S3` (or
 * `AWS_ENDPOINT_URL`, path-style, as on one machine), else the bucket's virtual-hosted AWS endpoint in
 * `AWS_REGION`; the SDK's default credential chain (the environment, in the Lambda bundles).
 */

/** An S3 answer other than success, named by S3's error code (`NoSuchKey`, `AccessDenied`, ...). */
export class S3ObjectError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly key: string,
  ) {
    super(`S3 answered ${status} ${code} for ${key}`);
    this.name = code;
  }
}

/** RFC 3986 escaping, as S3 canonicalizes: encodeURIComponent leaves `!'()*` alone, S3 does not. */
const uriEscape = (value: string) =>
  encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function objectUrl(bucket: string, key: string): URL {
  const path = key.split('/').map(uriEscape).join('/');
  const endpoint = configuredEndpoint('S3');
  if (endpoint) return new URL(`${endpoint}/${bucket}/${path}`);
  return new URL(`https://${bucket}.s3.${awsRegion()}.amazonaws.com/${path}`);
}

const retryable = (status: number) => status === 429 || status >= 500;

interface Call {
  method: 'GET' | 'PUT' | 'HEAD' | 'DELETE';
  bucket: string;
  key: string;
  body?: string;
  headers?: Record<string, string>;
}

async function send({ method, bucket, key, body, headers: extra }: Call): Promise<Response> {
  const url = objectUrl(bucket, key);
  // fetch unpacks a body whose Content-Encoding is gzip, deflate or br, and S3 answers with the encoding
  // an uploader stored: a 10 MB upload could unpack to gigabytes, and the bytes checked would not be the
  // bytes stored. S3 is told to answer `identity`, so the stored bytes come back as they are.
  if (method === 'GET') url.searchParams.set('response-content-encoding', 'identity');
  const headers: Record<string, string> = { ...extra, 'x-amz-content-sha256': payloadHash(body) };
  for (let attempt = 1; ; attempt++) {
    let response: Response | undefined;
    let failure: unknown;
    try {
      response = await signedFetch({ signingName: 's3', method, url, headers, body });
    } catch (error) {
      failure = error;
    }
    if (response?.ok) return response;
    if (response && !retryable(response.status)) throw await errorOf(response, key);
    if (attempt >= ATTEMPTS) {
      if (response) throw await errorOf(response, key);
      throw new Error(`S3 could not be reached for ${key}`, { cause: failure });
    }
    await response?.body?.cancel();
    await retryPause(attempt, response?.status === 503 || response?.status === 429);
  }
}

/** S3's error code from the XML body; an answer without one (a HEAD has no body) by its status. */
async function errorOf(response: Response, key: string): Promise<S3ObjectError> {
  const text = await response.text().catch(() => '');
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? (response.status === 404 ? 'NotFound' : `Http${response.status}`);
  return new S3ObjectError(code, response.status, key);
}

/** Writes a whole object (the bucket's default encryption applies). */
export async function putObject(bucket: string, key: string, body: string, contentType: string): Promise<void> {
  const response = await send({ method: 'PUT', bucket, key, body, headers: { 'content-type': contentType } });
  await response.body?.cancel();
}

/** Reads a whole object as text; `NoSuchKey` when it is not there. */
export async function getObjectText(bucket: string, key: string): Promise<string> {
  return (await send({ method: 'GET', bucket, key })).text();
}

/**
 * Reads an object's bytes, or only the bytes of `range` (an HTTP range such as `bytes=0-15`), with its
 * stored Content-Type; `NoSuchKey` when it is not there.
 */
export async function getObjectBytes(
  bucket: string,
  key: string,
  range?: string,
): Promise<{ body: Uint8Array; contentType?: string }> {
  const response = await send({ method: 'GET', bucket, key, headers: range ? { range } : undefined });
  const body = new Uint8Array(await response.arrayBuffer());
  return { body, contentType: response.headers.get('content-type') ?? undefined };
}

/**
 * An object's stored length, Content-Type and Content-Encoding; `NotFound` (S3 sends no body to a HEAD)
 * when it is not there.
 */
export async function headObject(
  bucket: string,
  key: string,
): Promise<{ size: number; contentType?: string; contentEncoding?: string }> {
  const response = await send({ method: 'HEAD', bucket, key });
  return {
    size: Number(response.headers.get('content-length') ?? 0),
    contentType: response.headers.get('content-type') ?? undefined,
    contentEncoding: response.headers.get('content-encoding') ?? undefined,
  };
}

/** Deletes an object; deleting one that is not there succeeds, as in S3. */
export async function deleteObject(bucket: string, key: string): Promise<void> {
  const response = await send({ method: 'DELETE', bucket, key });
  await response.body?.cancel();
}

/** What a presigned PUT pins: the uploader must send exactly these, or S3 refuses the signature. */
export interface PutConditions {
  contentType?: string;
  contentLength?: number;
}

/**
 * A URL that lets its holder send one `method` request for the object until `ttlSeconds` have passed,
 * signed with the function's credentials. Every header given is signed, so S3 refuses a request that
 * sends other values; the payload is left unsigned (`UNSIGNED-PAYLOAD`), as S3's presigned URLs are, and
 * carries no checksum: the body is not known yet (the S3 client's default would pin an empty one).
 */
async function presign(method: 'GET' | 'PUT', bucket: string, key: string, ttlSeconds: number, headers: Record<string, string>) {
  const url = objectUrl(bucket, key);
  const signed = await signerFor('s3').presign(
    {
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: {},
      // Hoisted into the query by the signer, as every x-amz-* header.
      headers: { ...headers, host: url.host, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD' },
    },
    { expiresIn: ttlSeconds },
  );
  const query = Object.entries(signed.query ?? {})
    .map(([name, value]) => `${uriEscape(name)}=${uriEscape(String(value))}`)
    .join('&');
  return `${url.origin}${url.pathname}?${query}`;
}

/** A presigned PUT; the content type and length given are part of the signature. */
export function presignPutUrl(bucket: string, key: string, ttlSeconds: number, conditions: PutConditions = {}): Promise<string> {
  const headers: Record<string, string> = {};
  if (conditions.contentType !== undefined) headers['content-type'] = conditions.contentType;
  if (conditions.contentLength !== undefined) headers['content-length'] = String(conditions.contentLength);
  return presign('PUT', bucket, key, ttlSeconds, headers);
}

/** A presigned GET of the whole object. */
export function presignGetUrl(bucket: string, key: string, ttlSeconds: number): Promise<string> {
  return presign('GET', bucket, key, ttlSeconds, {});
}
