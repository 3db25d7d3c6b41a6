import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetAwsClients } from '../../../functions/shared/aws';
import { ProviderPaced, ProviderRateLimited } from '../../../functions/shared/errors';
import { admit, admitRequest, asRateHolder, rateGroup } from '../../../functions/store/rate-budget';
import { type LocalDynamo, startLocalDynamo } from '../../../local/cloud/dynamodb';

const ENV = ['TABLE_NAME', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const;
const saved = Object.fromEntries(ENV.map((name) => [name, process.env[name]]));
let dynamo: LocalDynamo;

beforeAll(async () => {
  dynamo = await startLocalDynamo({ tableName: 'rate-budget-test' });
  Object.assign(process.env, {
    TABLE_NAME: 'rate-budget-test',
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
  });
  resetAwsClients();
});

afterAll(async () => {
  await dynamo.stop();
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetAwsClients();
});

/** Each test has its own provider name, so its budget starts empty. */
let seq = 0;
const freshProvider = () => `test-${++seq}`;

/** Time that moves only when a test moves it: a budget that slept for a slot would never return. */
const standingClock = (start = 1_750_000_000_000) => {
  const clock = { at: start, now: () => clock.at };
  return clock;
};

/** What admit did: 'admitted', or the slot it reserved (ms), or the error it threw. */
async function outcome(promise: Promise<unknown>): Promise<'admitted' | number | Error> {
  try {
    await promise;
    return 'admitted';
  } catch (error) {
    if (error instanceof ProviderPaced) return error.slot.getTime();
    return error as Error;
  }
}

describe('provider rate budget', () => {
  it('admits a group at once while the budget is free', async () => {
    const provider = freshProvider();
    const clock = standingClock();
    // It resolves with the admission time: the requests go now.
    await expect(admit({ provider, ratePerSecond: 4, calls: 2, holder: 'exec-1#create-profile', now: clock.now })).resolves.toBe(
      clock.at,
    );
  });

  it('reserves slots first come, first served, spaced by each group’s calls at the budget rate, without waiting for them', async () => {
    const provider = freshProvider();
    const clock = standingClock();
    const t = clock.at;
    await admit({ provider, ratePerSecond: 4, calls: 2, holder: 'a', now: clock.now });
    // The clock stands still: a budget that waited for the slot inside the call would never return.
    const slots = [];
    for (const holder of ['b', 'c', 'd'])
      slots.push(await outcome(admit({ provider, ratePerSecond: 4, calls: 2, holder, now: clock.now })));
    // Pairs every 500 ms, except where a pair would put more than the steps' four calls into the guard's 1.1 s.
    expect(slots).toEqual([t + 500, t + 1100, t + 1600]);
    const single = await outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder: 'e', now: clock.now }));
    expect(single).toBe(t + 2200);
  });

  it('says the slot in the error message, exactly as an ISO-8601 timestamp the workflow can wait for', async () => {
    const provider = freshProvider();
    const clock = standingClock(Date.parse('2026-12-03T10:00:00.000Z'));
    await admit({ provider, ratePerSecond: 4, calls: 1, holder: 'a', now: clock.now });
    const error = await admit({ provider, ratePerSecond: 4, calls: 1, holder: 'b', now: clock.now }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderPaced);
    expect((error as Error).name).toBe('ProviderPaced');
    expect((error as Error).message).toBe('2026-12-03T10:00:00.250Z');
  });

  it('admits a holder that comes back at its slot, not before, and only once', async () => {
    const provider = freshProvider();
    const clock = standingClock();
    const t = clock.at;
    const take = (holder: string) => outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder, now: clock.now }));
    await take('first');
    expect(await take('second')).toBe(t + 250);
    expect(await take('third')).toBe(t + 500);

    clock.at = t + 249;
    expect(await take('second')).toBe(t + 250);
    clock.at = t + 250;
    expect(await take('second')).toBe('admitted');
    // Its reservation is spent: coming back again queues behind the others.
    expect(await take('second')).toBe(t + 750);
    expect(await take('late-comer')).toBe(t + 1100);
    clock.at = t + 500;
    expect(await take('third')).toBe('admitted');
  });

  it('books a late holder anew when the second it would send in is already full', async () => {
    const provider = freshProvider();
    const clock = standingClock();
    const t = clock.at;
    const take = (holder: string) => outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder, now: clock.now }));
    await take('h0');
    for (const holder of ['h1', 'h2', 'h3', 'h4', 'h5', 'h6']) await take(holder);
    // h1 (slot t+250) sleeps through its slot until t+1300: the bookings of h2..h6 fill that second.
    clock.at = t + 1300;
    const again = await outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder: 'h1', now: clock.now }));
    expect(typeof again).toBe('number');
    expect(again as number).toBeGreaterThan(t + 1300);
    clock.at = again as number;
    expect(await take('h1')).toBe('admitted');
  });

  it('lets no more than rate + 1 requests, four of them steps, into any second (and its allowance) when late holders come back together', async () => {
    const provider = freshProvider();
    const clock = standingClock();
    const t = clock.at;
    const holders = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7'];
    await admit({ provider, ratePerSecond: 4, calls: 1, holder: 'h0', now: clock.now });
    for (const holder of holders) await outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder, now: clock.now }));

    // Every holder wakes late, all at once: the schedule alone would let all seven go.
    clock.at = t + 5_000;
    const results = [];
    for (const holder of holders)
      results.push(await outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder, now: clock.now })));
    // Steps get four of the guard's five (the fifth is kept for API and webhook callers).
    expect(results.filter((r) => r === 'admitted')).toHaveLength(4);
    // The window frees a second (plus the allowance for the requests' way to the provider) after them.
    expect(results.slice(4)).toEqual([t + 6_100, t + 6_100, t + 6_100]);

    clock.at = t + 6_100;
    expect(await outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder: 'h6', now: clock.now }))).toBe('admitted');
  });

  it('spaces groups at a fractional rate, and its guard rounds the rate down before adding one', async () => {
    const provider = freshProvider();
    const clock = standingClock();
    const t = clock.at;
    const take = (holder: string) => outcome(admit({ provider, ratePerSecond: 0.5, calls: 1, holder, now: clock.now }));
    expect(await take('a')).toBe('admitted');
    expect(await take('b')).toBe(t + 2_000);
    expect(await take('c')).toBe(t + 4_000);

    const faster = freshProvider();
    await admit({ provider: faster, ratePerSecond: 4.6, calls: 1, holder: 'a', now: clock.now });
    const slot = await outcome(admit({ provider: faster, ratePerSecond: 4.6, calls: 1, holder: 'b', now: clock.now }));
    // Slots are whole milliseconds, rounded up so that a step woken at its slot is never early.
    expect(slot).toBe(Math.ceil(t + 1000 / 4.6));
  });

  it('lets a caller without a holder ahead of the schedule while the second has room, else answers ProviderRateLimited', async () => {
    const provider = freshProvider();
    const clock = standingClock();
    const t = clock.at;
    await admit({ provider, ratePerSecond: 1, calls: 1, holder: 'a', now: clock.now });
    expect(await outcome(admit({ provider, ratePerSecond: 1, calls: 1, holder: 'b', now: clock.now }))).toBe(t + 1_100);
    // A webhook handler cannot wait in a workflow: the guard (2 at 1/s) has room for one more now.
    expect(await outcome(admit({ provider, ratePerSecond: 1, calls: 1, now: clock.now }))).toBe('admitted');
    const error = await admit({ provider, ratePerSecond: 1, calls: 1, now: clock.now }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRateLimited);
    expect(error).toMatchObject({ code: 'RATE_BUDGET', retryable: true });
    expect((error as ProviderRateLimited).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // Nothing was reserved for the refused call; the admitted one pushed the schedule back by its share.
    expect(await outcome(admit({ provider, ratePerSecond: 1, calls: 1, holder: 'c', now: clock.now }))).toBe(t + 3_100);
  });

  it('never spends a slot twice when many callers race for the budget', async () => {
    const provider = freshProvider();
    const clock = standingClock();
    const t = clock.at;
    const holders = Array.from({ length: 16 }, (_, i) => `racer-${i}`);
    const results = await Promise.all(
      holders.map((holder) => outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder, now: clock.now }))),
    );
    expect(results.filter((r) => r === 'admitted')).toHaveLength(1);
    const slots = results.filter((r): r is number => typeof r === 'number').sort((a, b) => a - b);
    expect(new Set(slots).size).toBe(15);
    for (let i = 1; i < slots.length; i++) expect(slots[i]! - slots[i - 1]!).toBeGreaterThanOrEqual(250);

    // All come back together long after their slots: the guard still admits at most four steps in the second.
    clock.at = t + 60_000;
    const back = await Promise.all(
      holders.map((holder) => outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder, now: clock.now }))),
    );
    expect(back.filter((r) => r === 'admitted').length).toBe(4);
  });

  it('admits an operation’s declared group on its first request and its extra requests one by one', async () => {
    const provider = freshProvider();
    // A real clock: the transports' path has no clock parameter. Rate 1: one group, then every call waits.
    const sent: string[] = [];
    const request = async (name: string) => {
      await admitRequest(provider, 1);
      sent.push(name);
    };
    // The group of two goes at once; a third request (an error path) needs a slot of its own, which is later.
    const extra = await asRateHolder('exec#create-profile', () =>
      rateGroup(2, async () => {
        await request('find');
        await request('create');
        await request('find-again');
      }),
    ).catch((e: unknown) => e);
    expect(extra).toBeInstanceOf(ProviderPaced);
    expect(sent).toEqual(['find', 'create']);
  });
});
