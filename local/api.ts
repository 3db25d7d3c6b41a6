import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { closeServer } from './cloud/http';

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
    memoryLimitInMB: '512',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${awsRequestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function match(resource: string, path: string): Record<string, string> | undefined {
  const want = resource.split('/').filter(Boolean);
  const got = path.split('/').filter(Boolean);
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i]!;
    const g = decodeURIComponent(got[i]!);
    if (w.startsWith('{') && w.endsWith('}')) params[w.slice(1, -1)] = g;
    else if (w !== g) return undefined;
  }
  return params;
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw Object.assign(new Error('payload too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * API Gateway (REST, Lambda proxy integration) on loopback: the same routes as the deployed API, the
 * same event shape, the same handlers. Authorisation (IAM on the deployed API) is not emulated.
 */
export async function startApi(
  routes: Route[],
  options: { port?: number; host?: string } = {},
): Promise<{ url: string; server: Server; stop(): Promise<void> }> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = (req.method ?? 'GET').toUpperCase();
    const candidates = routes.map((route) => ({ route, params: match(route.resource, url.pathname) })).filter((c) => c.params);
    const found = candidates.find((c) => c.route.method === method);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    if (!found) {
      send(candidates.length ? 405 : 404, { message: candidates.length ? 'Method Not Allowed' : 'Missing Authentication Token' });
      return;
    }
    try {
      // API Gateway's payload limit is 10 MB.
      const raw = await readBody(req, 10 * 1024 * 1024);
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
      const result = await found.route.handler(event, lambdaContext(found.route.functionName));
      res.writeHead(result.statusCode, { ...(result.headers as Record<string, string>), 'x-amzn-requestid': requestId });
      res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
    } catch (error) {
      const status = (error as { status?: number }).status;
      // A handler that throws is a 502 on API Gateway.
      send(status ?? 502, { message: status === 413 ? 'Request Too Long' : 'Internal server error' });
    }
  });
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
