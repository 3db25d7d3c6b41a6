import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, listen } from './http';

/**
 * A tiny server for the AWS JSON protocols (1.0 and 1.1): the SDK POSTs `{...}` with the operation in
 * the `X-Amz-Target` header (`AWSStepFunctions.StartExecution`, `AWSEvents.PutEvents`,
 * `secretsmanager.GetSecretValue`) and expects a JSON body back, timestamps as epoch seconds, and errors
 * as `{"__type": "<Code>", "message": "..."}` so it can raise the modelled exception class.
 */

/** An error the SDK maps to its modelled exception class by `code`. */
export class AwsServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** One operation: the parsed request body in, the response body out (Dates become epoch seconds). */
// biome-ignore lint/suspicious/noExplicitAny: request shapes are the SDK's; each service checks its own fields.
export type AwsJsonOperation = (input: any) => unknown;
/** The operations of one service, by operation name. */
export type AwsJsonService = Record<string, AwsJsonOperation>;

export interface AwsJsonServerOptions {
  /** Services by target prefix, e.g. `{ AWSStepFunctions: {...}, AWSEvents: {...} }`. */
  services: Record<string, AwsJsonService>;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Called for unexpected errors (answered as 500 InternalFailure). */
  onError?: (error: unknown, target: string) => void;
}

export interface AwsJsonServer {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  port: number;
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;

/** Starts the server on 127.0.0.1. */
export async function startAwsJsonServer(options: AwsJsonServerOptions): Promise<AwsJsonServer> {
  const services = new Map(Object.entries(options.services).map(([prefix, ops]) => [prefix.replace(/\.$/, ''), ops]));
  const server = createServer((req, res) => {
    handle(req, res, services, options.onError).catch((error: unknown) => {
      options.onError?.(error, String(req.headers['x-amz-target'] ?? ''));
      if (!res.headersSent)
        send(res, 500, 'application/x-amz-json-1.1', { __type: 'InternalFailure', message: 'internal error' });
    });
  });
  await listen(server, options.port ?? 0);
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, port, stop: () => closeServer(server) };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  services: Map<string, AwsJsonService>,
  onError: AwsJsonServerOptions['onError'],
): Promise<void> {
  const requestType = String(req.headers['content-type'] ?? '');
  const contentType = requestType.startsWith('application/x-amz-json') ? requestType : 'application/x-amz-json-1.1';
  const target = String(req.headers['x-amz-target'] ?? '');
  const dot = target.lastIndexOf('.');
  const operation = services.get(target.slice(0, dot))?.[target.slice(dot + 1)];
  if (req.method !== 'POST' || dot < 0 || !operation) {
    req.resume();
    return sendError(res, contentType, new AwsServiceError('UnknownOperationException', `Unknown operation ${target}`));
  }
  let input: unknown;
  try {
    const body = await readBody(req);
    input = body.length === 0 ? {} : JSON.parse(body);
  } catch (error) {
    return sendError(res, contentType, new AwsServiceError('SerializationException', (error as Error).message));
  }
  try {
    const output = await operation(input ?? {});
    send(res, 200, contentType, toWire(output ?? {}));
  } catch (error) {
    if (error instanceof AwsServiceError) return sendError(res, contentType, error);
    onError?.(error, target);
    sendError(res, contentType, new AwsServiceError('InternalFailure', 'internal error', 500));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendError(res: ServerResponse, contentType: string, error: AwsServiceError): void {
  res.setHeader('x-amzn-ErrorType', error.code);
  send(res, error.statusCode, contentType, { __type: error.code, message: error.message });
}

function send(res: ServerResponse, status: number, contentType: string, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-RequestId': randomUUID(),
  });
  res.end(text);
}

/** The JSON protocols carry timestamps as epoch seconds. */
function toWire(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toWire(v)]),
    );
  }
  return value;
}
