import { ATTEMPTS, awsRegion, configuredEndpoint, retryPause, signedFetch } from './signed-fetch';

/**
 * Calls to the AWS services that speak the JSON protocols (DynamoDB, Step Functions, EventBridge, Secrets
 * Manager) as signed `fetch` calls (signed-fetch.ts): one POST to the service's endpoint, the operation
 * named in `X-Amz-Target`, a JSON body each way. The SDK's clients for these four services brought their
 * shared runtime (@smithy/core and @aws-sdk/core, 120-160 KB) and service models (15-30 KB each) into
 * every function, for the dozen operations the functions call; this is what those clients did for them.
 *
 * As the SDK does: timestamps go out as epoch seconds and binary values as base64; errors are named by
 * AWS's error code; network failures, timeouts, 5xx and throttling are retried (`ATTEMPTS` in all, with
 * a full-jitter pause), any other answer is not.
 */

/** How to reach one JSON-protocol service. */
export interface AwsJsonService {
  /** The `X-Amz-Target` prefix (`DynamoDB_20120810`, `AWSStepFunctions`, ...). */
  readonly target: string;
  readonly jsonVersion: '1.0' | '1.1';
  /** The SigV4 signing name (`dynamodb`, `states`, ...). */
  readonly signingName: string;
  /** The SDK's name for the service in `AWS_ENDPOINT_URL_<NAME>` (`DYNAMODB`, `SFN`, ...). */
  readonly envName: string;
  /** The first label of the regional endpoint's host (`dynamodb`, `states`, ...). */
  readonly endpointPrefix: string;
  /** Turns an answer's wire values into what callers get (epoch seconds into Dates, base64 into bytes). */
  readonly revive?: (key: string, value: unknown) => unknown;
}

/** A JSON reviver that turns the named fields, epoch seconds on the wire, into Dates. */
export const timestampFields =
  (...names: string[]) =>
  (key: string, value: unknown): unknown =>
    typeof value === 'number' && names.includes(key) ? new Date(value * 1000) : value;

/** An AWS answer other than success; `name` is AWS's error code (`ConditionalCheckFailedException`, ...). */
export class AwsError extends Error {
  /** For ConditionalCheckFailedException with `ReturnValuesOnConditionCheckFailure`: the item as it was. */
  declare readonly item?: Record<string, unknown>;

  constructor(
    readonly code: string,
    message: string,
    /** The HTTP status of the answer. */
    readonly status: number,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = code;
  }
}

/** Whether `error` is AWS's answer with one of these error codes. */
export const isAwsError = (error: unknown, ...codes: string[]): error is AwsError =>
  error instanceof AwsError && codes.includes(error.code);

/** The error codes the SDK's standard retry strategy takes for throttling (besides HTTP 429). */
const THROTTLING_CODES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);
/** And for transient trouble on AWS's side. */
const TRANSIENT_CODES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);

/** Whether AWS asked us to slow down: the next attempt waits longer. */
const throttled = (error: AwsError) => error.status === 429 || error.status === 503 || THROTTLING_CODES.has(error.code);

/** Whether another attempt may succeed: throttled, timed out, or a server error. */
const retryable = (error: AwsError) => throttled(error) || error.status >= 500 || TRANSIENT_CODES.has(error.code);

/**
 * Whether a thrown error is the network's, not ours: fetch rejects with a TypeError when the connection
 * fails or breaks mid-answer, and the attempt's time limit aborts it with a TimeoutError. Anything else
 * (credentials that cannot be read, say) would fail again the same way.
 */
const networkFailure = (error: unknown) => error instanceof TypeError || (error as Error)?.name === 'TimeoutError';

const endpointOf = (service: AwsJsonService): URL =>
  new URL(`${configuredEndpoint(service.envName) ?? `https://${service.endpointPrefix}.${awsRegion()}.amazonaws.com`}/`);

/** JSON as the protocols want it: Dates as epoch seconds, bytes as base64. */
function toWire(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Date) return raw.getTime() / 1000;
  if (raw instanceof Uint8Array) return Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('base64');
  return value;
}

/**
 * The error code of an answer, cleaned as the SDK cleans it: from `X-Amzn-ErrorType` or the body's
 * `__type` / `code`, without a `namespace#` prefix or a `:<url>` suffix.
 */
export function errorCode(header: string | null, body: Record<string, unknown>): string | undefined {
  const raw = header ?? (body.code as string | undefined) ?? (body.__type as string | undefined);
  if (typeof raw !== 'string' || raw === '') return undefined;
  const bare = raw.split(',')[0]!.split(':')[0]!;
  return bare.includes('#') ? bare.slice(bare.indexOf('#') + 1) : bare;
}

function errorOf(service: AwsJsonService, operation: string, response: Response, text: string): AwsError {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    // A proxy's or load balancer's page: the status says enough.
  }
  const code = errorCode(response.headers.get('x-amzn-errortype'), body) ?? `Http${response.status}`;
  const message = (body.message ?? body.Message) as string | undefined;
  const error = new AwsError(
    code,
    message || `${service.target}.${operation} answered ${response.status} ${code}`,
    response.status,
    response.headers.get('x-amzn-requestid') ?? undefined,
  );
  // Kept off the enumerable properties: the item holds table data, and a logged error must not carry it.
  if (body.Item && typeof body.Item === 'object') Object.defineProperty(error, 'item', { value: body.Item, writable: true });
  return error;
}

/** Calls one operation (`StartExecution`, `GetItem`, ...) of a JSON-protocol service and returns its answer. */
export async function callAws<Output>(service: AwsJsonService, operation: string, input: object): Promise<Output> {
  const url = endpointOf(service);
  const body = JSON.stringify(input, toWire);
  const headers = {
    'content-type': `application/x-amz-json-${service.jsonVersion}`,
    'x-amz-target': `${service.target}.${operation}`,
  };
  for (let attempt = 1; ; attempt++) {
    let failure: unknown;
    try {
      const response = await signedFetch({ signingName: service.signingName, method: 'POST', url, headers, body });
      const text = await response.text();
      if (response.ok) return (text === '' ? {} : JSON.parse(text, service.revive)) as Output;
      const error = errorOf(service, operation, response, text);
      if (!retryable(error)) throw error;
      failure = error;
    } catch (error) {
      if (error instanceof AwsError || !networkFailure(error)) throw error;
      failure = error;
    }
    if (attempt >= ATTEMPTS) {
      if (failure instanceof AwsError) throw failure;
      throw new Error(`${service.target}.${operation}: AWS could not be reached`, { cause: failure });
    }
    await retryPause(attempt, failure instanceof AwsError && throttled(failure));
  }
}
