import { describe, expect, it, vi } from 'vitest';
import { ProviderPaced, ProviderRateLimited } from '../../../functions/shared/errors';
import { admit, admitRequest, asRateHolder, rateGroup } from '../../../functions/store/rate-budget';
import { useLocalDynamo } from '../local-dynamo';

useLocalDynamo('rate-budget-test');

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

  it('lets a lone caller send up to the window’s five requests at once, at 4 a second', async () => {
    const provider = freshProvider();
    const clock = standingClock();
    const t = clock.at;
    // A Wallex onboarding alone: sign-up, details, two documents and the screening within a second.
    const sent = [];
    for (const [i, holder] of ['sign-up', 'details', 'doc-1', 'doc-2', 'screening'].entries()) {
      clock.at = t + i * 200;
      sent.push(await outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder, now: clock.now })));
    }
    expect(sent).toEqual(['admitted', 'admitted', 'admitted', 'admitted', 'admitted']);
    // A sixth within the 1,250 ms window waits until the first leaves it.
    expect(await outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder: 'sixth', now: clock.now }))).toBe(t + 1_250);
  });

  it('books slots first come, first served, at the earliest moment each group fits the window, without waiting for them', async () => {
    const provider = freshProvider();
    const clock = standingClock();
    const t = clock.at;
    // The clock stands still: a budget that waited for the slot inside the call would never return.
    const take = (holder: string, calls: number) => outcome(admit({ provider, ratePerSecond: 4, calls, holder, now: clock.now }));
    expect(await take('a', 2)).toBe('admitted');
    expect(await take('b', 2)).toBe('admitted');
    // A third pair would put six requests into the window: it goes when a's and b's leave it.
    expect(await take('c', 2)).toBe(t + 1_250);
    expect(await take('d', 2)).toBe(t + 1_250);
    expect(await take('e', 2)).toBe(t + 2_500);
    // A single fits the window's fifth request now, ahead of the pairs that could not.
    expect(await take('f', 1)).toBe('admitted');
    expect(await take('g', 1)).toBe(t + 1_250);
    expect(await take('h', 1)).toBe(t + 2_500);
  });

  it('says the slot in the error message, exactly as an ISO-8601 timestamp the workflow can wait for', async () => {
    const provider = freshProvider();
    const clock = standingClock(Date.parse('2026-12-03T10:00:00.000Z'));
    await admit({ provider, ratePerSecond: 4, calls: 5, holder: 'a', now: clock.now });
    const error = await admit({ provider, ratePerSecond: 4, calls: 1, holder: 'b', now: clock.now }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderPaced);
    expect((error as Error).name).toBe('ProviderPaced');
    expect((error as Error).message).toBe('2026-12-03T10:00:01.250Z');
  });

  it('admits a holder that comes back at its slot, not before, and only once', async () => {
    const provider = freshProvider();
    const clock = standingClock();
    const t = clock.at;
    const take = (holder: string) => outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder, now: clock.now }));
    await admit({ provider, ratePerSecond: 4, calls: 5, holder: 'first', now: clock.now });
    const holders = ['h1', 'h2', 'h3', 'h4', 'h5'];
    for (const holder of holders) expect(await take(holder)).toBe(t + 1_250);

    clock.at = t + 1_249;
    expect(await take('h1')).toBe(t + 1_250);
    clock.at = t + 1_250;
    expect(await take('h1')).toBe('admitted');
    // Its reservation is spent: coming back again queues behind the others.
    expect(await take('h1')).toBe(t + 2_500);
    for (const holder of holders.slice(1)) expect(await take(holder)).toBe('admitted');
  });

  it('lets a holder back a little late send on its booking, and books one much later anew when the window is full', async () => {
    const provider = freshProvider();
    const clock = standingClock();
    const t = clock.at;
    const take = (holder: string) => outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder, now: clock.now }));
    await admit({ provider, ratePerSecond: 4, calls: 5, holder: 'first', now: clock.now });
    const holders = Array.from({ length: 10 }, (_, i) => `h${i + 1}`);
    for (const holder of holders) await take(holder);
    // h1..h5 hold t+1250, h6..h10 t+2500. h2 is 150 ms late: within the window's slack, it goes as booked.
    clock.at = t + 1_400;
    expect(await take('h2')).toBe('admitted');
    // h1 sleeps through its slot until t+2600: the bookings at t+2500 fill that window.
    clock.at = t + 2_600;
    const again = await take('h1');
    expect(again).toBe(t + 3_750);
    clock.at = t + 3_750;
    expect(await take('h1')).toBe('admitted');
  });

  it('lets no more than the window’s five requests go when late holders come back together', async () => {
    const provider = freshProvider();
    const clock = standingClock();
    const t = clock.at;
    const holders = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'h7'];
    await admit({ provider, ratePerSecond: 4, calls: 5, holder: 'h0', now: clock.now });
    for (const holder of holders) await outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder, now: clock.now }));

    // Every holder wakes late, all at once: their bookings alone would let all seven go.
    clock.at = t + 5_000;
    const results = [];
    for (const holder of holders)
      results.push(await outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder, now: clock.now })));
    expect(results.slice(0, 5)).toEqual(['admitted', 'admitted', 'admitted', 'admitted', 'admitted']);
    expect(results.slice(5)).toEqual([t + 6_250, t + 6_250]);

    clock.at = t + 6_250;
    expect(await outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder: 'h6', now: clock.now }))).toBe('admitted');
  });

  it('holds a fractional rate to its window: the rate rounded down plus one, over as long as they take at the rate', async () => {
    const provider = freshProvider();
    const clock = standingClock();
    const t = clock.at;
    const take = (holder: string) => outcome(admit({ provider, ratePerSecond: 0.5, calls: 1, holder, now: clock.now }));
    expect(await take('a')).toBe('admitted');
    expect(await take('b')).toBe(t + 2_000);
    expect(await take('c')).toBe(t + 4_000);

    const faster = freshProvider();
    await admit({ provider: faster, ratePerSecond: 4.6, calls: 5, holder: 'a', now: clock.now });
    const slot = await outcome(admit({ provider: faster, ratePerSecond: 4.6, calls: 1, holder: 'b', now: clock.now }));
    // Whole milliseconds, rounded up: five requests at 4.6 a second take 1,087 ms.
    expect(slot).toBe(t + Math.ceil(5_000 / 4.6));
  });

  it('lets a caller without a holder go while the window has room, else answers ProviderRateLimited at once', async () => {
    const provider = freshProvider();
    const clock = standingClock();
    const t = clock.at;
    // At 1 a second the window holds 2 requests in 2 s.
    await admit({ provider, ratePerSecond: 1, calls: 1, holder: 'a', now: clock.now });
    expect(await outcome(admit({ provider, ratePerSecond: 1, calls: 1, now: clock.now }))).toBe('admitted');
    const error = await admit({ provider, ratePerSecond: 1, calls: 1, now: clock.now }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderRateLimited);
    expect(error).toMatchObject({ code: 'RATE_BUDGET', retryable: true, retryAfterSeconds: 2 });
    // Nothing was reserved for the refused call.
    expect(await outcome(admit({ provider, ratePerSecond: 1, calls: 1, holder: 'c', now: clock.now }))).toBe(t + 2_000);
  });

  it('never lets more than the window’s five go when many callers race for the budget, and admits every one in the end', async () => {
    const provider = freshProvider();
    const clock = standingClock();
    const take = (holder: string) => outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder, now: clock.now }));
    const pending = new Map<string, number>();
    const admittedAt: number[] = [];
    const record = (holder: string, result: 'admitted' | number | Error) => {
      if (result === 'admitted') {
        admittedAt.push(clock.at);
        pending.delete(holder);
      } else if (typeof result === 'number') pending.set(holder, result);
      else throw result;
    };
    const holders = Array.from({ length: 16 }, (_, i) => `racer-${i}`);
    // All at once: losers of the conditional write either book a slot or step aside for a moment.
    const first = await Promise.all(holders.map((holder) => take(holder)));
    for (const [i, holder] of holders.entries()) record(holder, first[i]!);
    expect(admittedAt.length).toBeGreaterThanOrEqual(1);
    expect(admittedAt.length).toBeLessThanOrEqual(5);
    // Each comes back at the moment it was given, the earliest first, until all have gone.
    for (let round = 0; pending.size > 0 && round < 100; round++) {
      const [holder, at] = [...pending.entries()].sort((x, y) => x[1] - y[1])[0]!;
      clock.at = Math.max(clock.at, at);
      record(holder, await take(holder));
    }
    expect(pending.size).toBe(0);
    expect(admittedAt).toHaveLength(16);
    for (const at of admittedAt) expect(admittedAt.filter((t) => t > at - 1_250 && t <= at).length).toBeLessThanOrEqual(5);
  });

  it('does not send on an admission that took longer than the window’s slack to come back: it admits the caller again', async () => {
    const provider = freshProvider();
    const t = 1_750_000_000_000;
    // The caller's process stalls for a second between reading the clock for its admission and getting
    // the answer: the moment counted for its request is long past, and sent now it could reach the
    // provider with the next window's five.
    // (The admission reads the clock twice before it writes: on its way in and for the log.)
    let reads = 0;
    const now = () => (++reads <= 2 ? t : t + 1_000);
    await expect(admit({ provider, ratePerSecond: 4, calls: 1, holder: 'stalled', now })).resolves.toBe(t + 1_000);
    // Both admissions stay counted: the window then holds three more, not four.
    const at = () => t + 1_000;
    for (let i = 0; i < 3; i++)
      expect(await outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder: `next-${i}`, now: at }))).toBe('admitted');
    expect(typeof (await outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder: 'sixth', now: at })))).toBe('number');
  });

  it('sends a crowd that keeps losing the race for the log into the queue, each back at its own turn, not all together', async () => {
    const provider = freshProvider();
    const clock = standingClock();
    const t = clock.at;
    const take = (holder: string) => outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder, now: clock.now }));
    // No jitter anywhere: the pauses after lost races are nil, so forty steps at once keep colliding.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0);
    let results: Array<'admitted' | number | Error>;
    try {
      results = await Promise.all(Array.from({ length: 40 }, (_, i) => take(`crowd-${i}`)));
    } finally {
      random.mockRestore();
    }
    for (const result of results) expect(result).not.toBeInstanceOf(Error);
    const backAt = results.filter((r): r is number => typeof r === 'number');
    expect(backAt.length).toBeGreaterThan(20);
    // A booked slot is shared by at most a window's five; a step that stepped aside took a turn in the
    // queue, a request's share of the rate (250 ms) after the one before it. Stepping aside for a fixed
    // moment instead would bring the losers back together, to collide again.
    const together = new Map<number, number>();
    for (const at of backAt) together.set(at, (together.get(at) ?? 0) + 1);
    expect(Math.max(...together.values())).toBeLessThanOrEqual(5);
    expect(Math.min(...backAt)).toBeGreaterThan(t);
  });

  it('books no further than a minute ahead: a later turn queues, and comes back when it is half a minute away', async () => {
    const provider = freshProvider();
    const clock = standingClock();
    const t = clock.at;
    const take = (holder: string) => outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder, now: clock.now }));
    // Five at once, then five every 1,250 ms: the slot at t + 60 s is the last one booked.
    const slots: Array<'admitted' | number | Error> = [];
    for (let i = 0; i < 245; i++) slots.push(await take(`h${i}`));
    expect(slots.at(-1)).toBe(t + 60_000);
    // The next turn would be t + 61,250: not booked, it comes back 15 to 30 s before it.
    const later = await take('late-comer');
    expect(typeof later).toBe('number');
    expect(later as number).toBeGreaterThanOrEqual(t + 31_250);
    expect(later as number).toBeLessThan(t + 46_250);
    // Nothing was booked for it, but it stands in the queue: the ones after it come back later, each a
    // request's share of the rate (250 ms) behind the one before, not all together.
    const queued: number[] = [];
    for (let i = 0; i < 40; i++) queued.push((await take(`queued-${i}`)) as number);
    for (const [i, back] of queued.entries()) expect(back, `queued-${i}`).toBeGreaterThanOrEqual(t + 31_250 + (i + 1) * 250);
    expect(Math.max(...queued) - Math.min(...queued)).toBeGreaterThan(15_000);
    // A step asking again before its turn (a retry, an invocation that timed out) keeps its place: the
    // queue does not grow. Drawn at no jitter, the next newcomer comes back exactly 30 s before its turn,
    // behind the late-comer and the forty.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0);
    try {
      for (let i = 0; i < 10; i++) await take(`queued-${i}`);
      expect(await take('newcomer')).toBe(t + 61_250 + 41 * 250 - 30_000);
    } finally {
      random.mockRestore();
    }
    // Back then, it books within the horizon.
    clock.at = later as number;
    expect(await take('late-comer')).toBe(t + 61_250);
  });

  it('sends a whole group on the slot it booked when the step comes back for it', async () => {
    const provider = freshProvider();
    // A real clock, as the transports use.
    await admit({ provider, ratePerSecond: 4, calls: 5 });
    const sent: string[] = [];
    const step = () =>
      asRateHolder('exec#create-profile', () =>
        rateGroup(2, async () => {
          for (const name of ['find', 'create']) {
            await admitRequest(provider, 4);
            sent.push(name);
          }
        }),
      );
    const paced = await step().catch((e: unknown) => e);
    expect(paced).toBeInstanceOf(ProviderPaced);
    expect(sent).toEqual([]);
    // Others fill the rest of that moment's window.
    const slot = (paced as ProviderPaced).slot.getTime();
    for (let i = 0; i < 3; i++) {
      const other = await outcome(admit({ provider, ratePerSecond: 4, calls: 1, holder: `other-${i}` }));
      expect(other).toBe(slot);
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, slot - Date.now())));
    // Back at its slot: the look-up and the create both go, the create without being paced again.
    await step();
    expect(sent).toEqual(['find', 'create']);
  });

  it('admits an operation’s declared group on its first request and its extra requests one by one', async () => {
    const provider = freshProvider();
    // A real clock: the transports' path has no clock parameter. Rate 1: a group of two fills the window.
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
