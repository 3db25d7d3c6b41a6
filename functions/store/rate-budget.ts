import { AsyncLocalStorage } from 'node:async_hooks';
import { conditionFailed, deleteItem, getItem, putItem, updateItem } from '../shared/dynamo';
import { requireEnv } from '../shared/env';
import { ProviderPaced, ProviderRateLimited, ProviderUnavailable } from '../shared/errors';

/**
 * A provider's shared request budget, kept in the table so every function and every execution share it,
 * and spent without ever sleeping in a Lambda. A caller that cannot go now either gets a reserved slot
 * (a workflow step: it throws ProviderPaced with the slot, the state machine waits until then and calls
 * the step again) or a retryable ProviderRateLimited with a retry-after (an API or webhook handler).
 *
 * The budget is a sliding window: at most `windowLimit` requests in any `windowMs`, which averages
 * exactly the budget rate (4 a second: 5 requests in any 1,250 ms). Below the provider's own limit (5 in
 * any 1,000 ms) this leaves `lateness` for a request to reach the provider after its moment. The budget
 * item holds the log of that window: the admissions of the last window and every slot booked ahead,
 * sorted. A caller goes now when its requests fit the log (a lone onboarding is never held back, and a
 * newcomer may take a moment a late step left free); otherwise it books the earliest moment they fit,
 * which is first come, first served. Every change is one conditional write on `version`; a lost race
 * re-reads and tries again at once.
 */

/** The provider's own window: "N requests per second" counts any 1,000 ms. */
const PROVIDER_WINDOW_MS = 1_000;
/** The part of the window's excess over the provider's second kept for a request's way to the provider. */
const ARRIVAL_SKEW_MS = 50;
/**
 * How far ahead slots are booked. A step whose turn is further away is told to come back later, without a
 * booking: a burst of 1,000 onboardings would otherwise keep 3,000 future slots in the one item.
 */
const HORIZON_MS = 60_000;
/** A reservation older than this is forgotten: its execution gave up or was stopped. */
const STALE_MS = 10 * 60_000;
/** Conditional writes an API or webhook caller may lose to others before it answers a retryable error. */
const MAX_RACES = 12;
/**
 * Conditional writes a workflow step may lose before it steps aside: it ends its invocation as if paced,
 * queued (see `queueBeyondHorizon`) and coming back at its turn, at least a moment later, instead of
 * spending Lambda time on more rounds while many steps start at once (the first moments of a burst).
 */
const STEP_RACES = 4;
const STEP_ASIDE_MS = { min: 250, spread: 750 };

/**
 * After a lost conditional write, a short random pause (full jitter, growing to 100 ms) before reading
 * again: callers woken for the same moment would otherwise keep colliding, each retry costing every one
 * of them a read and a write. This waits for the item, never for a rate token.
 */
const afterLostRace = (race: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(100, 5 * 2 ** race)));
/** Budget items and reservations expire (the table's TTL) well after anyone could need them. */
const TTL_SECONDS = 3_600;

/** The schedule as stored: admissions of the last window and slots booked ahead, sorted, one entry a request. */
interface BudgetItem {
  log: number[];
  version: number;
}

/** A slot reserved for one workflow step invocation (`PACE#<holder>`). */
interface Reservation {
  slot: number;
  calls: number;
  provider: string;
}

/** What `admit` needs to know. */
export interface AdmitRequest {
  provider: string;
  ratePerSecond: number;
  /** Requests the caller is about to send as one group (each counted in the window). */
  calls: number;
  /** The workflow step invocation that will come back for a reserved slot; none for API and webhook callers. */
  holder?: string;
  /**
   * A request beyond its operation's group, after the group went out: if it cannot go now, the slot it
   * reserves is for the whole operation (`rerun` requests), because the step runs the operation again
   * from its start.
   */
  rerun?: number;
  /** Epoch milliseconds; the clock is a parameter so tests can stand time still. */
  now?: () => number;
}

/** Most requests in any window: the budget rate rounded down, plus one (4 a second: 5). */
export const windowLimit = (ratePerSecond: number): number => Math.floor(ratePerSecond) + 1;
/** The window: as long as `windowLimit` requests take at the budget rate (4 a second: 1,250 ms). */
export const windowMs = (ratePerSecond: number): number => Math.ceil((windowLimit(ratePerSecond) * 1000) / ratePerSecond);
/**
 * How late after its slot a step may still send on its booking: while every request reaches the provider
 * within the window's excess over the provider's second of its moment in the log, no 1,000 ms there holds
 * more than `windowLimit` of them.
 */
export const lateness = (ratePerSecond: number): number =>
  Math.max(0, windowMs(ratePerSecond) - PROVIDER_WINDOW_MS - ARRIVAL_SKEW_MS);

const tableName = () => requireEnv('TABLE_NAME');
const budgetKey = (provider: string) => ({ pk: `RATE#${provider}`, sk: 'BUDGET' });
const reservationKey = (holder: string) => ({ pk: `PACE#${holder}`, sk: 'SLOT' });
const queueKey = (provider: string) => ({ pk: `RATE#${provider}`, sk: 'QUEUE' });
const placeKey = (holder: string) => ({ pk: `PACE#${holder}`, sk: 'QUEUED' });

/** The first index of the sorted `log` whose entry is at least `value`. */
function lowerBound(log: readonly number[], value: number): number {
  let lo = 0;
  let hi = log.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (log[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The sorted `log` with `calls` entries at `at`. */
function withEntries(log: readonly number[], at: number, calls: number): number[] {
  const index = lowerBound(log, at);
  return [...log.slice(0, index), ...Array<number>(calls).fill(at), ...log.slice(index)];
}

/** The sorted `log` without up to `calls` entries at `at` (a step's own booking, about to move). */
function withoutEntries(log: readonly number[], at: number, calls: number): number[] {
  const index = lowerBound(log, at);
  let end = index;
  while (end < log.length && end - index < calls && log[end] === at) end++;
  return [...log.slice(0, index), ...log.slice(end)];
}

/** A budget's window, for the pure functions below. */
interface Window {
  limit: number;
  ms: number;
}

/** Whether `calls` more entries at `at` keep every window of the log at or under its limit. */
function fits(log: readonly number[], at: number, calls: number, window: Window): boolean {
  // Only the entries that share a window with `at` matter, and only windows holding `at` can change.
  const near = withEntries(log.slice(lowerBound(log, at - window.ms + 1), lowerBound(log, at + window.ms)), at, calls);
  // A group larger than the limit may still go alone.
  const cap = Math.max(window.limit, calls);
  let first = 0;
  for (let last = 0; last < near.length; last++) {
    while (near[first]! <= near[last]! - window.ms) first++;
    // The window ending at this entry, if it holds `at`.
    if (near[last]! >= at && last - first + 1 > cap) return false;
  }
  return true;
}

/** The earliest time from `from` at which `calls` entries fit: `from`, or when an entry leaves its window. */
function earliestFit(log: readonly number[], from: number, calls: number, window: Window): number {
  const start = Math.ceil(from);
  if (fits(log, start, calls, window)) return start;
  for (let i = lowerBound(log, start - window.ms + 1); i < log.length; i++) {
    const at = log[i]! + window.ms;
    if (at > start && fits(log, at, calls, window)) return at;
  }
  return Math.max(start, (log.at(-1) ?? start) + window.ms);
}

async function readBudget(provider: string): Promise<BudgetItem | undefined> {
  const { Item } = await getItem({ TableName: tableName(), Key: budgetKey(provider), ConsistentRead: true });
  return Item as BudgetItem | undefined;
}

async function readReservation(holder: string): Promise<Reservation | undefined> {
  const { Item } = await getItem({ TableName: tableName(), Key: reservationKey(holder), ConsistentRead: true });
  return Item as Reservation | undefined;
}

/** Writes the log if nobody changed it since `previous` was read; false when another caller did. */
async function writeBudget(provider: string, previous: BudgetItem | undefined, log: number[], now: number) {
  try {
    await putItem({
      TableName: tableName(),
      Item: {
        ...budgetKey(provider),
        log,
        version: (previous?.version ?? 0) + 1,
        expiresAt: Math.floor(now / 1000) + TTL_SECONDS,
      },
      ...(previous
        ? {
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':version': previous.version },
          }
        : { ConditionExpression: 'attribute_not_exists(pk)' }),
    });
    return true;
  } catch (error) {
    if (conditionFailed(error)) return false;
    throw error;
  }
}

/**
 * When a queued step comes back: 15 to 30 s before a turn further away than that (then it can book within
 * the horizon), else at the turn itself, and never within a moment of now.
 */
function comeBackFor(turn: number, now: number): number {
  if (turn - now > HORIZON_MS / 2) return turn - HORIZON_MS / 2 + Math.floor(Math.random() * (HORIZON_MS / 4));
  return Math.max(turn, now + STEP_ASIDE_MS.min + Math.floor(Math.random() * STEP_ASIDE_MS.spread));
}

/**
 * Where a step whose turn is beyond the horizon (or that lost too many races to book) stands in the
 * queue: the moment its requests would go if everyone queued before it went at the budget rate. The
 * queue is one number, its tail (in
 * its own item, so it never races the log's writes): each step queued moves it on by its requests' share
 * of the rate. Without it every step beyond the horizon would be told the same moment and come back
 * together every half minute, each time a Lambda invocation, a read and three state transitions, a
 * thousand of them for a burst of a thousand; with it each comes back about once, near its turn.
 */
async function queueBeyondHorizon(
  provider: string,
  holder: string,
  from: number,
  calls: number,
  ratePerSecond: number,
  now: number,
): Promise<number> {
  // A step queued before keeps its place until its turn has come: a retry, a timed-out invocation or a
  // return before its turn does not queue it again (each would move the tail on for nothing).
  const { Item: place } = await getItem({ TableName: tableName(), Key: placeKey(holder), ConsistentRead: true });
  if (place?.provider === provider && (place.turn as number) > now) return place.turn as number;
  const turn = await takePlace(provider, from, calls, ratePerSecond, now);
  await putItem({
    TableName: tableName(),
    Item: { ...placeKey(holder), turn, provider, expiresAt: Math.floor(turn / 1000) + TTL_SECONDS },
  });
  return turn;
}

/** Moves the queue's tail on by a step's share and returns the step's turn. */
async function takePlace(provider: string, from: number, calls: number, ratePerSecond: number, now: number) {
  const share = Math.ceil((calls * 1000) / ratePerSecond);
  const expiresAt = Math.floor(now / 1000) + TTL_SECONDS;
  for (let race = 0; race < STEP_RACES; race++) {
    try {
      // The queue runs past the log: this step goes at its tail.
      const { Attributes } = await updateItem({
        TableName: tableName(),
        Key: queueKey(provider),
        UpdateExpression: 'ADD #tail :share SET expiresAt = :expiresAt',
        ConditionExpression: '#tail >= :from',
        ExpressionAttributeNames: { '#tail': 'tail' },
        ExpressionAttributeValues: { ':share': share, ':from': from, ':expiresAt': expiresAt },
        ReturnValues: 'UPDATED_NEW',
      });
      return (Attributes?.tail as number) - share;
    } catch (error) {
      if (!conditionFailed(error)) throw error;
    }
    try {
      // No queue, or one the log has caught up with: it starts where the log ends.
      await putItem({
        TableName: tableName(),
        Item: { ...queueKey(provider), tail: from + share, expiresAt },
        ConditionExpression: 'attribute_not_exists(#tail) OR #tail < :from',
        ExpressionAttributeNames: { '#tail': 'tail' },
        ExpressionAttributeValues: { ':from': from },
      });
      return from;
    } catch (error) {
      if (!conditionFailed(error)) throw error;
    }
  }
  return from;
}

/**
 * Admits a group of `calls` requests to the provider, or says when it may go: resolves (with the admission
 * time, the moment its requests are counted at) when the requests may be sent now; otherwise throws ProviderPaced (with a holder:
 * a slot is reserved for it) or ProviderRateLimited (without). Never waits.
 */
export async function admit(request: AdmitRequest): Promise<number> {
  return (await admitGroup(request)).at;
}

/**
 * Times an admission may come back stale before the caller is told to try again later (each is a stall of
 * the caller's process longer than the window's slack, which is rare).
 */
const STALE_ADMISSIONS = 3;
/**
 * The least time an admission may take before it counts as stale, whatever the rate: a budget near the
 * provider's own rate has next to no slack (45 a second: none), and the budget's own read and write
 * would otherwise make every admission stale.
 */
const STALL_FLOOR_MS = 100;

/**
 * `admit`, also saying how many requests went in: a step back for its slot may have booked more than it
 * asks now. An admission is only good while its requests can still reach the provider within the
 * window's slack of the moment counted for them: one that took longer than `lateness` (at least
 * `STALL_FLOOR_MS`) to come back, through the budget's own reads and writes or a stalled process, is not
 * used, and the caller is admitted again. Its entries stay in the log, which only counts more than was sent.
 */
async function admitGroup(request: AdmitRequest): Promise<{ at: number; calls: number }> {
  const clock = request.now ?? Date.now;
  for (let attempt = 0; attempt < STALE_ADMISSIONS; attempt++) {
    const admitted = await admitOnce(request);
    if (clock() - admitted.at <= Math.max(STALL_FLOOR_MS, lateness(request.ratePerSecond))) return admitted;
  }
  throw new ProviderUnavailable({ provider: request.provider, code: 'RATE_BUDGET_STALLED' });
}

async function admitOnce(request: AdmitRequest): Promise<{ at: number; calls: number }> {
  const { provider, ratePerSecond, holder } = request;
  const calls = Math.max(1, Math.floor(request.calls));
  const rerun = request.rerun === undefined ? undefined : Math.max(calls, Math.floor(request.rerun));
  const clock = request.now ?? Date.now;
  const window: Window = { limit: windowLimit(ratePerSecond), ms: windowMs(ratePerSecond) };

  // Only this holder writes its reservation: read once, not again after every lost race. One for another
  // provider, or left by an execution that gave up, is not this caller's.
  const reservation = holder === undefined ? undefined : await readReservation(holder);
  const owned = reservation?.provider === provider && reservation.slot > clock() - STALE_MS ? reservation : undefined;
  const dropReservation = () => deleteItem({ TableName: tableName(), Key: reservationKey(holder!) });
  // Back on time for its slot with nothing beyond its booking: its requests are counted in the log since it
  // booked, and nothing else removes them within the window, so it goes without touching the shared item.
  const backAt = clock();
  if (owned && owned.calls >= calls && owned.slot <= backAt && backAt - owned.slot <= lateness(ratePerSecond)) {
    await dropReservation();
    return { at: owned.slot, calls: owned.calls };
  }
  let lastLog: number[] | undefined;
  for (let race = 0; race < MAX_RACES; race++) {
    if (holder !== undefined && race >= STEP_RACES) {
      const now = clock();
      // A holder already booked keeps its slot: it comes back for it.
      if (owned && owned.slot > now) throw new ProviderPaced(provider, owned.slot);
      // So many steps are after the log at once that this one keeps losing: it steps aside into the queue,
      // which takes it without a race, and comes back at its turn there, at least a moment from now. A
      // random moment instead would bring a crowd back together to collide again.
      const group = rerun ?? calls;
      const from = lastLog ? earliestFit(lastLog, now, group, window) : now;
      const turn = await queueBeyondHorizon(provider, holder, from, group, ratePerSecond, now);
      throw new ProviderPaced(provider, comeBackFor(turn, now));
    }
    if (race > 0) await afterLostRace(race);
    const now = clock();
    const stored = await readBudget(provider);
    const log = (stored?.log ?? []).slice(lowerBound(stored?.log ?? [], now - window.ms + 1));
    lastLog = log;

    /**
     * Admits `group` requests, `entries` of them written into `rest` now (the others are booked already);
     * the holder's reservation is spent.
     */
    const go = async (rest: number[], entries: number, at: number, group = entries) => {
      if (!(await writeBudget(provider, stored, withEntries(rest, now, entries), now))) return undefined;
      if (reservation !== undefined && holder !== undefined) await dropReservation();
      return { at, calls: group };
    };
    /** Books `group` calls of this holder at the earliest moment they fit from now. */
    const book = async (rest: number[], group: number) => {
      const slot = earliestFit(rest, now, group, window);
      // Beyond the horizon nothing is booked: the step comes back when its turn is half a horizon away,
      // so the log (read and written whole by every caller) stays a minute long however large the burst.
      if (slot - now > HORIZON_MS) {
        const turn = await queueBeyondHorizon(provider, holder!, slot, group, ratePerSecond, now);
        return new ProviderPaced(provider, comeBackFor(turn, now));
      }
      if (!(await writeBudget(provider, stored, withEntries(rest, slot, group), now))) return undefined;
      await putItem({
        TableName: tableName(),
        Item: { ...reservationKey(holder!), slot, calls: group, provider, expiresAt: Math.floor(slot / 1000) + TTL_SECONDS },
      });
      return new ProviderPaced(provider, slot);
    };

    if (owned && holder !== undefined) {
      // Back before its slot (a retry, a redrive): it waits again for the same slot.
      if (owned.slot > now) throw new ProviderPaced(provider, owned.slot);
      // The step may now send more than it reserved for (an error path on the first try): count them all.
      const group = Math.max(owned.calls, calls);
      const extra = group - owned.calls;
      const rest = withoutEntries(log, owned.slot, owned.calls);
      // Back within `lateness` of its slot, its booking still counts its requests: it goes on it, and any
      // extra request goes if the window has room for it now.
      const onTime = now - owned.slot <= lateness(ratePerSecond) && rest.length < log.length;
      if (onTime && (extra === 0 || fits(log, now, extra, window))) {
        const admitted = await go(log, extra, owned.slot, group);
        if (!admitted) continue;
        return admitted;
      }
      // Later than that, its booking moves to now if the window has room, else to the earliest moment.
      if (fits(rest, now, group, window)) {
        const admitted = await go(rest, group, now);
        if (!admitted) continue;
        return admitted;
      }
      const paced = await book(rest, group);
      if (!paced) continue;
      throw paced;
    }

    if (fits(log, now, calls, window)) {
      const admitted = await go(log, calls, now);
      if (!admitted) continue;
      return admitted;
    }
    if (holder === undefined) {
      throw new ProviderRateLimited({
        provider,
        code: 'RATE_BUDGET',
        retryAfterSeconds: Math.max(1, Math.ceil((earliestFit(log, now, calls, window) - now) / 1000)),
      });
    }
    // A request cut off in the middle of its operation books the whole operation: booking only itself,
    // the step would come back, spend the slot on the operation's first requests and be cut off again.
    const paced = await book(log, rerun ?? calls);
    if (!paced) continue;
    throw paced;
  }
  // So many callers at once that none of these writes won: the step's retry comes back shortly.
  throw new ProviderUnavailable({ provider, code: 'RATE_BUDGET_CONTENDED' });
}

/** What one workflow step invocation has sent to a provider, and how many of its requests the budget admitted. */
interface StepSpend {
  sent: number;
  admitted: number;
  admittedAt: number;
}

/** Who is asking and how many requests the current operation sends, carried along the async call chain. */
interface PacingContext {
  holder?: string;
  /** Per provider, for a holder: shared by every operation of the invocation, so nested groups count together. */
  spent?: Map<string, StepSpend>;
  group?: { calls: number; admittedAt?: number; remaining: number; sent: number };
}

const pacing = new AsyncLocalStorage<PacingContext>();

/**
 * Runs `work` as a workflow step invocation that can come back for a reserved slot. The step handlers
 * name it (execution, step, Map item), so adapters and transports need no workflow knowledge.
 */
export function asRateHolder<T>(holder: string, work: () => Promise<T>): Promise<T> {
  return pacing.run({ ...pacing.getStore(), holder, spent: new Map() }, work);
}

/**
 * Runs one adapter operation that sends `calls` requests on its normal path: its first request admits
 * them as a group, so the operation is paced once and then runs without stopping. Requests beyond the
 * group (error paths) are admitted one by one.
 */
export function rateGroup<T>(calls: number, work: () => Promise<T>): Promise<T> {
  return pacing.run({ ...pacing.getStore(), group: { calls, remaining: 0, sent: 0 } }, work);
}

/** Called by a provider transport before each request it sends. */
export async function admitRequest(provider: string, ratePerSecond: number): Promise<void> {
  const context = pacing.getStore();
  const group = context?.group;
  if (context?.holder !== undefined && context.spent) {
    await admitStepRequest(provider, ratePerSecond, context.holder, context.spent, group);
    return;
  }
  if (group && group.admittedAt === undefined) {
    group.admittedAt = await admit({ provider, ratePerSecond, calls: group.calls });
    group.remaining = group.calls - 1;
    return;
  }
  // A group's later request goes on the group's admission while within the window's slack of it.
  if (group?.admittedAt !== undefined && group.remaining > 0 && Date.now() - group.admittedAt <= lateness(ratePerSecond)) {
    group.remaining -= 1;
    return;
  }
  await admit({ provider, ratePerSecond, calls: 1 });
}

/**
 * A workflow step's request. A step that must wait ends its invocation, and the next invocation runs the
 * step from its start, sending again every request the cut-off one sent before: so the slot it reserves
 * is for all of them and for the rest of the current group, and when the step is back, its first request
 * admits them all. Otherwise a step sending more requests than one group (an error path, a longer
 * listing, two operations) would spend each slot on its first requests and be cut off again, for ever.
 */
async function admitStepRequest(
  provider: string,
  ratePerSecond: number,
  holder: string,
  spent: Map<string, StepSpend>,
  group: PacingContext['group'],
): Promise<void> {
  const step = spent.get(provider) ?? { sent: 0, admitted: 0, admittedAt: 0 };
  spent.set(provider, step);
  if (group) group.sent += 1;
  // The rest of an admitted group goes on its admission while within the window's slack of it (the
  // provider's round trips in between): its requests were counted then. Later than that, it is admitted anew.
  if (step.sent < step.admitted && Date.now() - step.admittedAt <= lateness(ratePerSecond)) {
    step.sent += 1;
    return;
  }
  step.admitted = step.sent;
  // This request and the rest of its group.
  const wanted = group ? Math.max(1, group.calls - (group.sent - 1)) : 1;
  const admitted = await admitGroup({
    provider,
    ratePerSecond,
    calls: wanted,
    holder,
    rerun: step.sent > 0 ? step.sent + wanted : undefined,
  });
  step.admittedAt = admitted.at;
  step.admitted = step.sent + admitted.calls;
  step.sent += 1;
}
