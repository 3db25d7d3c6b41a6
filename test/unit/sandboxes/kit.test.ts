import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  FaultInjector,
  type HttpSandbox,
  KeyedRateLimiter,
  parseQuery,
  Router,
  seededRandom,
  startHttpSandbox,
  TokenBucket,
} from '../../../local/sandboxes/kit';

describe('Router', () => {
  it('matches path params and leaves other routes alone', () => {
    const router = new Router()
      .add('GET', '/v1/things', () => ({ status: 200 }))
      .add('GET', '/v1/things/:id', () => ({ status: 201 }));

    expect(router.match('GET', '/v1/things/abc%2Fdef')?.params).toEqual({ id: 'abc/def' });
    expect(router.match('GET', '/v1/things')?.params).toEqual({});
    expect(router.match('POST', '/v1/things/abc')).toBeUndefined();
    expect(router.match('GET', '/v1/things/abc/more')).toBeUndefined();
  });

  it('reads bracket keys whether or not they were percent-encoded', () => {
    expect(parseQuery('?filter%5Bregistration_id%5D=S1%20A&page[size]=5')).toEqual({
      'filter[registration_id]': 'S1 A',
      'page[size]': '5',
    });
  });
});

describe('TokenBucket and KeyedRateLimiter', () => {
  it('lets a burst of capacity through, then refills at the rate', () => {
    let now = 0;
    const bucket = new TokenBucket(5, 5, () => now);
    const burst = Array.from({ length: 6 }, () => bucket.tryTake());
    expect(burst).toEqual([true, true, true, true, true, false]);
    expect(bucket.waitMs()).toBe(200);
    now = 200;
    expect(bucket.tryTake()).toBe(true);
  });

  it('keeps one bucket per key and turns off at rate 0', () => {
    const limiter = new KeyedRateLimiter(1, () => 0);
    expect([limiter.tryTake('a'), limiter.tryTake('a'), limiter.tryTake('b')]).toEqual([true, false, true]);
    limiter.setRate(0);
    expect([limiter.tryTake('a'), limiter.tryTake('a')]).toEqual([true, true]);
  });
});

describe('FaultInjector', () => {
  it('repeats the same faults for the same seed', () => {
    const run = () => {
      const faults = new FaultInjector({ error5xx: 0.3, drop: 0.2, seed: 7 });
      return Array.from({ length: 20 }, () => faults.next('GET', '/x')?.kind ?? 'ok');
    };
    expect(run()).toEqual(run());
    expect(new Set(run())).toEqual(new Set(['ok', 'error5xx', 'drop']));
    expect(seededRandom(1)()).toBe(seededRandom(1)());
  });

  it('serves queued faults first, only to matching requests', () => {
    const faults = new FaultInjector();
    faults.failNext(2, 'error5xx', { status: 500, match: { method: 'POST' } });
    faults.failNext(1, 'rateLimit429', { phase: 'after' });

    expect(faults.next('GET', '/a')).toEqual({ kind: 'rateLimit429', phase: 'before' });
    expect(faults.next('POST', '/a')).toEqual({ kind: 'error5xx', phase: 'before', status: 500 });
    expect(faults.next('POST', '/a')).toMatchObject({ kind: 'error5xx' });
    expect(faults.next('POST', '/a')).toBeUndefined();
  });
});

describe('startHttpSandbox', () => {
  let server: HttpSandbox;
  let stored = 0;

  beforeAll(async () => {
    const router = new Router()
      .add('POST', '/items', (request) => {
        stored += 1;
        return { status: 201, body: { got: request.body, raw: request.rawBody } };
      })
      .add('GET', '/items/:id', (request) => ({ status: 200, body: { id: request.params.id, query: request.query } }));
    server = await startHttpSandbox({ router });
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    stored = 0;
    server.clearRequests();
    server.clearFaults();
  });

  it('binds to loopback on a free port and answers JSON with params and query', async () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const response = await fetch(`${server.origin}/items/i-1?filter%5Bx%5D=1`);
    expect(await response.json()).toEqual({ id: 'i-1', query: { 'filter[x]': '1' } });
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
  });

  it('keeps the raw body next to the parsed one and logs no bodies', async () => {
    const response = await fetch(`${server.origin}/items`, { method: 'POST', body: '{ "a": 1 }' });
    expect(await response.json()).toEqual({ got: { a: 1 }, raw: '{ "a": 1 }' });
    expect(server.requests()).toEqual([{ method: 'POST', path: '/items', status: 201 }]);
  });

  it('answers an injected 5xx before the handler runs, so nothing is stored', async () => {
    server.failNext(2, 'error5xx');
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${server.origin}/items`, { method: 'POST', body: '{}' })).status);
    expect(statuses).toEqual([503, 503, 201]);
    expect(stored).toBe(1);
  });

  it('runs the handler and then drops the socket in the after phase', async () => {
    server.failNext(1, 'drop', { phase: 'after' });
    await expect(fetch(`${server.origin}/items`, { method: 'POST', body: '{}' })).rejects.toThrow();
    expect(stored).toBe(1);
    expect(server.requests()).toEqual([{ method: 'POST', path: '/items', status: 0, fault: 'drop' }]);
  });

  it('stops promptly while a slow fault is still waiting', async () => {
    const other = await startHttpSandbox({ router: new Router().add('GET', '/', () => ({ status: 200 })) });
    other.failNext(1, 'slow', { ms: 10_000 });
    const pending = fetch(`${other.origin}/`).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await other.stop();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
  });
});
