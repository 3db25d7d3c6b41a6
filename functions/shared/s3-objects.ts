import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import { onAwsClientsReset } from './aws';

/**
 * Reads and writes whole S3 objects with signed `fetch` calls: the vault's two operations. The S3
 * client would bring its whole service model, XML protocol and checksums (about 175 KB) into every
 * function that reads the vault, which is every workflow step; SigV4 signing is in every bundle
 * already (each SDK client signs with it). Presigned URLs, ranges and heads stay with the S3 client
 * (store/documents.ts), which loads when a document is touched.
 *
 * Endpoint, region and credentials follow the SDK's own configuration: `AWS_ENDPOINT_URL_S3` (or
 * `AWS_ENDPOINT_URL`, path-style, as on one machine), else the bucket's virtual-hosted AWS endpoint in
 * `AWS_REGION`; the SDK's default credential chain (the environment, in the Lambda bundles).
 */

const ATTEMPTS = 3;
const ATTEMPT_TIMEOUT_MS = 10_000;

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

const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** SHA-256 and HMAC-SHA256 in the shape the signer asks for, from node:crypto. */
class Sha256 {
  private readonly hash: Hash | Hmac;
  constructor(secret?: SourceData) {
    this.hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.hash.digest();
  }
}

const region = () => process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
let signer: SignatureV4 | undefined;
const signerFor = () => {
  // S3 signs the path as sent (keys are escaped once) and wants the payload's hash in a header.
  signer ??= new SignatureV4({
    service: 's3',
    region: region(),
    credentials: defaultProvider(),
    sha256: Sha256,
    uriEscapePath: false,
  });
  return signer;
};

// Dropped with the SDK clients (tests, local restarts): its region and credentials may change.
onAwsClientsReset(() => {
  signer = undefined;
});

function objectUrl(bucket: string, key: string): URL {
  const path = key.split('/').map(encodeURIComponent).join('/');
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  if (endpoint) return new URL(`${endpoint.replace(/\/+$/, '')}/${bucket}/${path}`);
  return new URL(`https://${bucket}.s3.${region()}.amazonaws.com/${path}`);
}

const retryable = (status: number) => status === 429 || status >= 500;
const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.random() * 100 * 2 ** attempt));

async function send(method: 'GET' | 'PUT', bucket: string, key: string, body?: string, contentType?: string): Promise<Response> {
  const url = objectUrl(bucket, key);
  const headers: Record<string, string> = { host: url.host };
  if (contentType) headers['content-type'] = contentType;
  const payloadHash = createHash('sha256')
    .update(body ?? '')
    .digest('hex');
  headers['x-amz-content-sha256'] = payloadHash;
  for (let attempt = 1; ; attempt++) {
    const signed = await signerFor().sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: {},
      headers: { ...headers },
      body,
    });
    let response: Response | undefined;
    let failure: unknown;
    try {
      // fetch sets Host itself, to the same value that was signed.
      const { host: _host, ...sent } = signed.headers;
      response = await fetch(url, {
        method,
        headers: sent,
        body,
        signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
      });
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
    await pause(attempt);
  }
}

async function errorOf(response: Response, key: string): Promise<S3ObjectError> {
  const text = await response.text().catch(() => '');
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? (response.status === 404 ? 'NotFound' : `Http${response.status}`);
  return new S3ObjectError(code, response.status, key);
}

/** Writes a whole object (the bucket's default encryption applies). */
export async function putObject(bucket: string, key: string, body: string, contentType: string): Promise<void> {
  const response = await send('PUT', bucket, key, body, contentType);
  await response.body?.cancel();
}

/** Reads a whole object as text; `NoSuchKey` when it is not there. */
export async function getObjectText(bucket: string, key: string): Promise<string> {
  return (await send('GET', bucket, key)).text();
}
