import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FaultConfig, FaultInjector, type FaultKind, type NextFaultOptions, type PlannedFault } from './kit/faults';
import type { KeyedRateLimiter } from './kit/rate-limit';
import { type Handler, parseJsonBody, parseQuery, type Reply, type Router, type SandboxRequest } from './kit/router';

export * from './kit/durable-sandbox';
export * from './kit/faults';
export * from './kit/persistence';
export * from './kit/rate-limit';
export * from './kit/router';
export * from './kit/schedule';

/** One request as the sandbox saw it: no bodies, no query (either may carry personal data). */
export interface RequestLogEntry {
  method: string;
  path: string;
  /** The status answered, or 0 when the socket was dropped. */
  status: number;
  fault?: FaultKind;
  /** True when the client had gone before the answer was written (it gave up waiting). */
  clientGone?: boolean;
}

export interface HttpSandboxOptions {
  /** 0 or absent: a free port chosen by the system. */
  port?: number;
  router: Router;
  /** Runs after faults and before routing (auth, rate limits, body checks); a reply ends the request. */
  guard?: (request: SandboxRequest) => Reply | undefined | Promise<Reply | undefined>;
  /** The answer when no route matches. */
  notFound?: Handler;
  /** The provider's own body for an injected server error or throttle. */
  faultReply?: (kind: 'error5xx' | 'rateLimit429', status: number) => Reply;
  /** The answer when a handler throws. */
  onError?: (error: unknown, request: SandboxRequest) => Reply;
  faults?: FaultConfig;
  /** Larger bodies are answered 413 without running the handler. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Runs after a handler of any method but GET and HEAD, before its answer goes out (to save the state). */
  afterChange?: () => void;
}

/** A running sandbox server with its request log and fault controls. */
export interface HttpSandbox {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly origin: string;
  readonly port: number;
  requests(): RequestLogEntry[];
  clearRequests(): void;
  setFaults(config: FaultConfig): void;
  failNext(count: number, kind: FaultKind, options?: NextFaultOptions): void;
  clearFaults(): void;
  stop(): Promise<void>;
}

class BodyTooLarge extends Error {}

/** Reads a request's whole body; undefined when it is larger than `limit` bytes (read to its end all the same). */
export function readBytes(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

async function readBody(req: IncomingMessage, limit: number): Promise<string> {
  const bytes = await readBytes(req, limit);
  if (!bytes) throw new BodyTooLarge();
  return bytes.toString('utf8');
}

const defaultFaultReply = (kind: 'error5xx' | 'rateLimit429', status: number): Reply =>
  kind === 'rateLimit429' ? { status: 429, body: { error: 'rate limited' } } : { status, body: { error: 'unavailable' } };

const statusOf = (fault: PlannedFault) => fault.status ?? (fault.kind === 'rateLimit429' ? 429 : 503);

/** Closes a server; connections still open after 250 ms are cut. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    // Idle keep-alive sockets would hold close() open until the client's pool lets go of them.
    const force = setTimeout(() => server.closeAllConnections(), 250);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** Starts an HTTP server on 127.0.0.1 that routes to sandbox handlers and injects faults on demand. */
export async function startHttpSandbox(options: HttpSandboxOptions): Promise<HttpSandbox> {
  const faults = new FaultInjector(options.faults);
  const log: RequestLogEntry[] = [];
  // Bumped by clearRequests, so a slow request from before the clear cannot land in the new log.
  let generation = 0;
  const sleepers = new Set<() => void>();
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const faultReply = options.faultReply ?? defaultFaultReply;
  let stopping = false;

  // A slow fault's wait ends early when the server stops, so stop() never waits on a test's delay.
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        sleepers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.add(done);
    });

  const record = (entry: RequestLogEntry, startedIn: number) => {
    if (startedIn === generation) log.push(entry);
  };

  const drop = (req: IncomingMessage, method: string, path: string, startedIn: number) => {
    record({ method, path, status: 0, fault: 'drop' }, startedIn);
    req.socket.destroy();
  };

  const send = (res: ServerResponse, method: string, path: string, startedIn: number, reply: Reply, fault?: PlannedFault) => {
    const entry: RequestLogEntry = { method, path, status: reply.status };
    if (fault) entry.fault = fault.kind;
    if (res.destroyed || res.socket?.destroyed) entry.clientGone = true;
    record(entry, startedIn);
    if (entry.clientGone) return;
    const isText = typeof reply.body === 'string';
    const payload = reply.body === undefined ? '' : isText ? (reply.body as string) : JSON.stringify(reply.body);
    const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(payload) };
    if (payload !== '') headers['content-type'] = isText ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
    res.writeHead(reply.status, { ...headers, ...reply.headers });
    res.end(payload);
  };

  const run = async (request: SandboxRequest): Promise<Reply> => {
    try {
      const guarded = await options.guard?.(request);
      if (guarded) return guarded;
      const route = options.router.match(request.method, request.path);
      if (!route) return options.notFound ? await options.notFound(request) : { status: 404, body: { error: 'not found' } };
      return await route.handler({ ...request, params: route.params });
    } catch (error) {
      return options.onError ? options.onError(error, request) : { status: 500, body: { error: 'internal error' } };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const startedIn = generation;
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://sandbox.invalid');
    const path = url.pathname;
    let rawBody: string;
    try {
      rawBody = await readBody(req, maxBody);
    } catch (error) {
      if (error instanceof BodyTooLarge)
        return send(res, method, path, startedIn, { status: 413, body: { error: 'body too large' } });
      return;
    }
    const fault = faults.next(method, path);
    if (fault?.phase === 'before') {
      if (fault.kind === 'drop') return drop(req, method, path, startedIn);
      if (fault.kind === 'slow') await sleep(fault.ms ?? 0);
      else return send(res, method, path, startedIn, faultReply(fault.kind, statusOf(fault)), fault);
    }
    if (stopping) return drop(req, method, path, startedIn);
    const request: SandboxRequest = {
      method,
      path,
      params: {},
      query: parseQuery(url.search),
      rawQuery: url.search.replace(/^\?/, ''),
      headers: req.headers,
      rawBody,
      ...parseJsonBody(rawBody),
    };
    let reply = await run(request);
    if (method !== 'GET' && method !== 'HEAD') options.afterChange?.();
    if (fault?.phase === 'after') {
      if (fault.kind === 'drop') return drop(req, method, path, startedIn);
      if (fault.kind === 'slow') await sleep(fault.ms ?? 0);
      else reply = faultReply(fault.kind, statusOf(fault));
    }
    if (stopping) return drop(req, method, path, startedIn);
    send(res, method, path, startedIn, reply, fault);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;

  return {
    origin: `http://127.0.0.1:${port}`,
    port,
    requests: () => log.map((entry) => ({ ...entry })),
    clearRequests: () => {
      log.length = 0;
      generation += 1;
    },
    setFaults: (config) => faults.set(config),
    failNext: (count, kind, next) => faults.failNext(count, kind, next),
    clearFaults: () => faults.clear(),
    stop: () => {
      if (closed) return closed;
      stopping = true;
      for (const wake of [...sleepers]) wake();
      closed = closeServer(server);
      return closed;
    },
  };
}

/** What every sandbox offers a test over its traffic: the request log, faults and the rate limit. */
export interface SandboxTrafficControls {
  requests(): RequestLogEntry[];
  setFaults(config: FaultConfig): void;
  failNext(count: number, kind: FaultKind, options?: NextFaultOptions): void;
  clearFaults(): void;
  setRatePerSecond(ratePerSecond: number): void;
}

/** The traffic controls of a sandbox's server and rate limiter. */
export function trafficControls(server: HttpSandbox, limiter: KeyedRateLimiter): SandboxTrafficControls {
  return {
    requests: () => server.requests(),
    setFaults: (config) => server.setFaults(config),
    failNext: (count, kind, next) => server.failNext(count, kind, next),
    clearFaults: () => server.clearFaults(),
    setRatePerSecond: (rate) => limiter.setRate(rate),
  };
}

/** For a sandbox's reset: clears the rate buckets, the request log and the faults. */
export function resetTraffic(server: HttpSandbox, limiter: KeyedRateLimiter): void {
  limiter.reset();
  server.clearRequests();
  server.clearFaults();
}

const GATEWAY_TEXT: Record<number, string> = { 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

/** A 5xx from the gateway in front of a provider: plain text, not the provider's own error body. */
export function gatewayReply(status: number): Reply {
  return { status, body: GATEWAY_TEXT[status] ?? 'Server Error' };
}
