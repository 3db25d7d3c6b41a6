import { Agent, request as httpRequest } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { logger } from '../../../functions/shared/powertools';
import { type Route, startApi } from '../../../local/api';

const echo = async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ params: event.pathParameters, size: event.body?.length ?? 0 }),
});

const routes: Route[] = [
  { method: 'GET', resource: '/onboardings/{id}', functionName: 'get', handler: echo },
  { method: 'POST', resource: '/webhooks/straitsx/{event}', functionName: 'hook', handler: echo },
  { method: 'POST', resource: '/onboardings', functionName: 'intake', handler: echo },
  {
    method: 'GET',
    resource: '/crash',
    functionName: 'crash',
    handler: async () => {
      throw new Error('name Ada Lovelace, ssn 123-45-6789');
    },
  },
  {
    method: 'GET',
    resource: '/malformed',
    functionName: 'malformed',
    handler: async () => ({ body: 'no status' }) as unknown as APIGatewayProxyResult,
  },
  {
    method: 'GET',
    resource: '/base64-without-body',
    functionName: 'binary',
    handler: async () => ({ statusCode: 200, isBase64Encoded: true }) as unknown as APIGatewayProxyResult,
  },
  {
    method: 'GET',
    resource: '/base64',
    functionName: 'binary',
    handler: async () => ({ statusCode: 200, isBase64Encoded: true, body: Buffer.from('%PDF').toString('base64') }),
  },
];

/** One request on a given agent, so several can share one keep-alive connection. */
function call(
  url: string,
  agent: Agent,
  method: string,
  path: string,
  body?: Buffer,
): Promise<{ status: number; body: string; socket: unknown }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method, agent, headers: body ? { 'content-type': 'application/json' } : {} });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), socket: req.socket }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('local API Gateway emulation', () => {
  let api: Awaited<ReturnType<typeof startApi>>;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });

  beforeAll(async () => {
    api = await startApi(routes);
  });
  afterAll(async () => {
    agent.destroy();
    await api.stop();
  });

  it('answers 400 for malformed percent-encoding in a path and keeps serving', async () => {
    const bad = await call(api.url, agent, 'GET', '/onboardings/%E0%A4%A');
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).message).toMatch(/percent-encoding/);
    const open = await call(api.url, agent, 'POST', '/webhooks/straitsx/%ZZ', Buffer.from('{}'));
    expect(open.status).toBe(400);
    const next = await call(api.url, agent, 'GET', '/onboardings/onb_x%20y');
    expect(next.status).toBe(200);
    expect(JSON.parse(next.body).params).toEqual({ id: 'onb_x y' });
  });

  it('answers 502 like API Gateway when a handler throws, and serves the next request', async () => {
    const logged = vi.spyOn(logger, 'error');
    const crashed = await call(api.url, agent, 'GET', '/crash');
    expect(crashed.status).toBe(502);
    expect(JSON.parse(crashed.body)).toEqual({ message: 'Internal server error' });
    await vi.waitFor(() =>
      expect(logged).toHaveBeenCalledWith('handler failed', expect.objectContaining({ errorName: 'Error' })),
    );
    // The error's own text can hold what the caller sent: only its name is logged.
    expect(JSON.stringify(logged.mock.calls)).not.toMatch(/Lovelace|123-45-6789/);
    logged.mockRestore();
    expect((await call(api.url, agent, 'GET', '/onboardings/a')).status).toBe(200);
  });

  it('answers 502 for a handler result that is not a proxy response', async () => {
    expect((await call(api.url, agent, 'GET', '/malformed')).status).toBe(502);
  });

  it('answers 502 for a base64 answer without a body instead of leaving the connection open', async () => {
    const answered = await Promise.race([
      call(api.url, agent, 'GET', '/base64-without-body'),
      new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 2000)),
    ]);
    expect(answered).toMatchObject({ status: 502 });
    expect((await call(api.url, agent, 'GET', '/base64')).body).toBe('%PDF');
  });

  it('answers 413 past the payload limit and serves the next request on the same connection', async () => {
    const first = await call(api.url, agent, 'GET', '/onboardings/a');
    const tooLarge = await call(api.url, agent, 'POST', '/onboardings', Buffer.alloc(10 * 1024 * 1024 + 1, 0x20));
    expect(tooLarge.status).toBe(413);
    const after = await call(api.url, agent, 'GET', '/onboardings/b');
    expect(after.status).toBe(200);
    expect(after.socket).toBe(first.socket);
  });

  it('answers 404 for an unknown path and 405 for a known path with another method', async () => {
    expect((await call(api.url, agent, 'GET', '/nowhere')).status).toBe(404);
    expect((await call(api.url, agent, 'DELETE', '/onboardings/a')).status).toBe(405);
  });
});
