import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { SourceData } from '@smithy/types';
import { onAwsClientsReset } from './aws';

/**
 * AWS requests as signed `fetch` calls: SigV4 from `@smithy/signature-v4` (the SDK's own signer), SHA-256
 * from node:crypto, credentials from the SDK's default chain (the environment, in the Lambda bundles).
 * The service clients of the functions are built on this instead of the SDK's clients, whose shared
 * runtime and service models are most of a bundle's weight.
 *
 * Endpoints follow the SDK's configuration: `AWS_ENDPOINT_URL_<SERVICE>`, else `AWS_ENDPOINT_URL`, else
 * the service's regional AWS endpoint.
 */

/** Attempts per request, as the SDK clients were configured (`maxAttempts: 3`). */
export const ATTEMPTS = 3;
/** One attempt's time limit. */
export const ATTEMPT_TIMEOUT_MS = 10_000;

const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** SHA-256 and HMAC-SHA256 in the shape the signer asks for, from node:crypto. */
export class Sha256 {
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

/** The region requests are signed for and regional endpoints are in. */
export const awsRegion = (): string => process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';

const signers = new Map<string, SignatureV4>();

/**
 * The signer for a signing name (`s3`, `dynamodb`, `states`, ...). S3 signs the path as sent (keys are
 * escaped once); every other service escapes it again.
 */
export function signerFor(signingName: string): SignatureV4 {
  let signer = signers.get(signingName);
  if (!signer) {
    signer = new SignatureV4({
      service: signingName,
      region: awsRegion(),
      credentials: defaultProvider(),
      sha256: Sha256,
      uriEscapePath: signingName !== 's3',
    });
    signers.set(signingName, signer);
  }
  return signer;
}

// Dropped with the SDK clients (tests, local restarts): region and credentials may change.
onAwsClientsReset(() => signers.clear());

/**
 * The base URL of a service, no trailing slash: `AWS_ENDPOINT_URL_<ENV_NAME>` (the SDK's name for the
 * service, e.g. `DYNAMODB`, `SFN`, `EVENTBRIDGE`, `SECRETS_MANAGER`, `S3`), else `AWS_ENDPOINT_URL`,
 * else `undefined` (the caller builds the AWS endpoint).
 */
export function configuredEndpoint(envName: string): string | undefined {
  const endpoint = process.env[`AWS_ENDPOINT_URL_${envName}`] ?? process.env.AWS_ENDPOINT_URL;
  return endpoint?.replace(/\/+$/, '');
}

/** A request to sign and send. */
export interface SignedRequest {
  readonly signingName: string;
  readonly method: string;
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** Signs and sends one attempt. A network failure or timeout throws; any HTTP answer is returned. */
export async function signedFetch(request: SignedRequest): Promise<Response> {
  const { url, method, body } = request;
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  const signed = await signerFor(request.signingName).sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query,
    headers: { ...request.headers, host: url.host },
    body,
  });
  // fetch sets Host itself, to the same value that was signed.
  const { host: _host, ...sent } = signed.headers;
  return fetch(url, { method, headers: sent, body, signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
}

/**
 * Full-jitter exponential pause before attempt `attempt + 1`: up to 200 ms, then 400 ms; after throttling
 * up to 1 s, then 2 s, as the SDK's standard retry strategy waits, so a throttled service gets time.
 */
export const retryPause = (attempt: number, throttled = false): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * (throttled ? 500 : 100) * 2 ** attempt));

/** The SHA-256 of a payload in hex, as S3's `x-amz-content-sha256` wants it. */
export const payloadHash = (body: string | undefined): string =>
  createHash('sha256')
    .update(body ?? '')
    .digest('hex');
