import { ATTEMPTS, awsRegion, configuredEndpoint, payloadHash, retryPause, signedFetch } from './signed-fetch';

/**
 * Reads and writes whole S3 objects with signed `fetch` calls (signed-fetch.ts): the vault's two
 * operations. The S3 client would bring its whole service model, XML protocol and checksums (about
 * 175 KB) into every function that reads the vault, which is every workflow step. Presigned URLs,
 * ranges and heads stay with the S3 client (store/documents.ts), which loads when a document is touched.
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

function objectUrl(bucket: string, key: string): URL {
  const path = key.split('/').map(encodeURIComponent).join('/');
  const endpoint = configuredEndpoint('S3');
  if (endpoint) return new URL(`${endpoint}/${bucket}/${path}`);
  return new URL(`https://${bucket}.s3.${awsRegion()}.amazonaws.com/${path}`);
}

const retryable = (status: number) => status === 429 || status >= 500;

async function send(method: 'GET' | 'PUT', bucket: string, key: string, body?: string, contentType?: string): Promise<Response> {
  const url = objectUrl(bucket, key);
  const headers: Record<string, string> = { 'x-amz-content-sha256': payloadHash(body) };
  if (contentType) headers['content-type'] = contentType;
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
    await retryPause(attempt);
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
