import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { FUNCTION_MEMORY_MB } from '../manifest/function-settings';
import { closeServer } from './cloud/http';

/**
 * Logs through the functions' shared logger, loaded on first use: the logger reads its level when its
 * module loads, which must happen after the runtime has set the functions' environment.
 */
const logError = (message: string, fields: Record<string, unknown>) =>
  import('../functions/shared/powertools').then(({ logger }) => logger.error(message, fields));

/** API Gateway's own payload limit; the functions hold JSON bodies to a much smaller one themselves. */
const PAYLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

/** A Lambda handler as the functions export it. */
export type LambdaHandler<E = unknown, R = unknown> = (event: E, context: Context) => Promise<R>;

/** One API route, written as API Gateway resources are (`/onboardings/{id}`). */
export interface Route {
  method: string;
  resource: string;
  functionName: string;
  handler: LambdaHandler<APIGatewayProxyEvent, APIGatewayProxyResult>;
}

/** A Lambda context for an in-process invocation. */
export function lambdaContext(functionName: string, timeoutMs = 30_000): Context {
  const deadline = Date.now() + timeoutMs;
  const awsRequestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:ap-southeast-1:000000000000:function:${functionName}`,
    memoryLimitInMB: String(FUNCTION_MEMORY_MB),
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${awsRequestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A path whose percent-encoding is malformed (`%E0%A4%A`): API Gateway answers 400 for it. */
class MalformedPath extends Error {}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new MalformedPath();
  }
}

function match(resource: string, segments: string[]): Record<string, string> | undefined {
  const want = resource.split('/').filter(Boolean);
  if (want.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = segments[i]!;
    if (w.startsWith('{') && w.endsWith('}')) params[w.slice(1, -1)] = g;
    else if (w !== g) return undefined;
  }
  return params;
}

/**
 * Reads the body up to `limit` bytes; past it, answers undefined without tearing the stream down, so the
 * server can answer 413 and Node discards the rest and keeps the keep-alive connection usable.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.off('end', onEnd);
      resolve(undefined);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on('data', onData);
    req.on('end', onEnd);
    req.once('error', reject);
  });
}

/** Whether a handler's answer has the shape API Gateway requires of a Lambda proxy response. */
const isProxyResult = (result: unknown): result is APIGatewayProxyResult =>
  typeof result === 'object' &&
  result !== null &&
  Number.isInteger((result as APIGatewayProxyResult).statusCode) &&
  (result as APIGatewayProxyResult).statusCode >= 100 &&
  (result as APIGatewayProxyResult).statusCode <= 599 &&
  // A base64 answer must carry its body: decoding nothing would fail after the status line went out.
  (typeof (result as APIGatewayProxyResult).body === 'string' ||
    ((result as APIGatewayProxyResult).body === undefined && !(result as APIGatewayProxyResult).isBase64Encoded));

/**
 * API Gateway (REST, Lambda proxy integration) on loopback: the same routes as the deployed API, the
 * same event shape, the same handlers. Authorisation (IAM on the deployed API) is not emulated.
 */
export async function startApi(
  routes: Route[],
  options: {
    port?: number;
    host?: string;
    /** Serves a request before the routes (the local console under /console); true when it answered. */
    extra?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  } = {},
): Promise<{ url: string; server: Server; stop(): Promise<void> }> {
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      if (res.headersSent) return;
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    serve(req, res, send).catch((error: unknown) => {
      // Nothing a request does may stop the server: whatever escaped is answered and logged by name only.
      void logError('local API request failed', { errorName: (error as Error | undefined)?.name });
      // Once the status line went out a 502 cannot follow: end the connection so the caller is not left waiting.
      if (res.headersSent) res.destroy();
      else send(502, { message: 'Internal server error' });
    });
  });

  const serve = async (
    req: IncomingMessage,
    res: ServerResponse,
    send: (status: number, body: unknown, headers?: Record<string, string>) => void,
  ) => {
    if (options.extra && (await options.extra(req, res))) return;
    const method = (req.method ?? 'GET').toUpperCase();
    let url: URL;
    let segments: string[];
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
      segments = url.pathname.split('/').filter(Boolean).map(decodeSegment);
    } catch (error) {
      if (!(error instanceof MalformedPath) && !(error instanceof TypeError)) throw error;
      send(400, { message: 'Bad Request: the path has malformed percent-encoding.' });
      return;
    }
    const candidates = routes.map((route) => ({ route, params: match(route.resource, segments) })).filter((c) => c.params);
    const found = candidates.find((c) => c.route.method === method);
    if (!found) {
      send(candidates.length ? 405 : 404, { message: candidates.length ? 'Method Not Allowed' : 'Missing Authentication Token' });
      return;
    }
    const raw = await readBody(req, PAYLOAD_LIMIT_BYTES);
    if (!raw) {
      send(413, { message: 'Request Too Long' });
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
    );
    const query = Object.fromEntries(url.searchParams.entries());
    const requestId = randomUUID();
    const event = {
      resource: found.route.resource,
      path: url.pathname,
      httpMethod: method,
      headers,
      multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
      queryStringParameters: Object.keys(query).length ? query : null,
      multiValueQueryStringParameters: null,
      pathParameters: Object.keys(found.params!).length ? found.params! : null,
      stageVariables: null,
      body: raw.length ? raw.toString('utf8') : null,
      isBase64Encoded: false,
      requestContext: {
        requestId,
        stage: 'local',
        httpMethod: method,
        resourcePath: found.route.resource,
        path: url.pathname,
        identity: { sourceIp: req.socket.remoteAddress ?? '127.0.0.1' },
      },
    } as unknown as APIGatewayProxyEvent;
    let result: unknown;
    try {
      result = await found.route.handler(event, lambdaContext(found.route.functionName));
    } catch (error) {
      // 502, not 500: a Lambda that throws (or crashes) is a 502 "Internal server error" on API Gateway, and
      // callers here must see what they will see there. The functions' own middleware turns their errors
      // into 4xx/500 answers, so this is only what escaped it. Logged by name and route: no request data.
      void logError('handler failed', {
        errorName: (error as Error | undefined)?.name,
        resource: found.route.resource,
        requestId,
      });
      send(
        502,
        { message: 'Internal server error' },
        { 'x-amzn-requestid': requestId, 'x-amzn-errortype': 'InternalServerErrorException' },
      );
      return;
    }
    if (!isProxyResult(result)) {
      void logError('handler answered a malformed proxy response', { resource: found.route.resource, requestId });
      send(502, { message: 'Internal server error' }, { 'x-amzn-requestid': requestId });
      return;
    }
    const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
    res.writeHead(result.statusCode, { ...(result.headers as Record<string, string>), 'x-amzn-requestid': requestId });
    res.end(body);
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    stop: () => closeServer(server),
  };
}
