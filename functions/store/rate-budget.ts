import { AsyncLocalStorage } from 'node:async_hooks';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoClient } from '../shared/aws';
import { requireEnv } from '../shared/env';
import { ProviderPaced, ProviderRateLimited, ProviderUnavailable } from '../shared/errors';

/**
 * A provider's shared request budget, kept in the table so every function and every execution share it,
 * and spent without ever sleeping in a Lambda. A caller that cannot go now either gets a reserved slot
 * (a workflow step: it throws ProviderPaced with the slot, the state machine waits until then and calls
 * the step again) or a retryable ProviderRateLimited with a retry-after (an API or webhook handler).
 *
 * The budget item holds a GCRA schedule (`tat`, the theoretical time the next group may start: groups
 * are spaced `calls / rate` apart) and a log (`fired`) of the admissions of the last window and of the
 * slots booked ahead. The log is the guard: at most `floor(rate) + 1` calls in any window of the
 * provider's second plus ARRIVAL_SKEW_MS. A reserved slot is booked in the log when it is given out, so
 * steps that wake together never crowd one free moment; a step woken later than the allowance moves its
 * booking to when it really sends. Every change is one conditional write on `version`; a lost race
 * re-reads and tries again at once.
 */

/** Width of the provider's own window: "N requests per second" counts any 1,000 ms. */
const WINDOW_MS = 1_000;
/**
 * How long an admission keeps counting beyond the provider's second: a request reaches the provider a
 * little after its slot (the wake-up, the write, the network), so its second there ends later too. At a
 * budget of 4/s the guard (5 in 1.1 s) still leaves the schedule room.
 */
const ARRIVAL_SKEW_MS = 100;
/** A reservation older than this is forgotten: its execution gave up or was stopped. */
const STALE_MS = 10 * 60_000;
/** Conditional writes lost to other callers before the attempt gives up with a retryable error. */
const MAX_RACES = 25;
/** Budget items and reservations expire (the table's TTL) well after anyone could need them. */
const TTL_SECONDS = 3_600;

/** The schedule as stored. */
interface BudgetItem {
  tat: number;
  fired: number[];
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
  /** Requests the caller is about to send as one group (counted each in the guard). */
  calls: number;
  /** The workflow step invocation that will come back for a reserved slot; none for API and webhook callers. */
  holder?: string;
  /**
   * A request beyond its operation's group, after the group went out: it goes whenever the guard has
   * room (the schedule already counted the group), and if it cannot, the slot it reserves is for the
   * whole operation (`rerun` requests), because the step runs the operation again from its start.
   */
  rerun?: number;
  /** Epoch milliseconds; the clock is a parameter so tests can stand time still. */
  now?: () => number;
}

/** Most admissions the guard lets into any one window: one more than the budget rate, below the documented limit. */
export const guardLimit = (ratePerSecond: number): number => Math.floor(ratePerSecond) + 1;
/**
 * Most of them that workflow steps may book: one fewer, so an API or webhook handler (which cannot wait
 * in a workflow, and whose provider redelivers only a few times) finds room even while steps keep the
 * budget busy.
 */
const scheduledLimit = (ratePerSecond: number): number => Math.max(1, guardLimit(ratePerSecond) - 1);

const tableName = () => requireEnv('TABLE_NAME');
const budgetKey = (provider: string) => ({ pk: `RATE#${provider}`, sk: 'BUDGET' });
const reservationKey = (holder: string) => ({ pk: `PACE#${holder}`, sk: 'SLOT' });

/** The guard's window: the provider's second plus the allowance for a request's way to it. */
const GUARD_MS = WINDOW_MS + ARRIVAL_SKEW_MS;

/** Whether `calls` more admissions at `at` keep every window of the log at or under `limit`. */
function fits(log: number[], at: number, calls: number, limit: number): boolean {
  const all = [...log, ...Array<number>(calls).fill(at)];
  // Only windows that hold `at` can change: those ending at `at` or at a later admission within reach.
  const ends = all.filter((end) => end >= at && end < at + GUARD_MS);
  // A group larger than the limit may still go alone.
  const cap = Math.max(limit, calls);
  return ends.every((end) => all.filter((t) => t > end - GUARD_MS && t <= end).length <= cap);
}

/** The earliest time from `from` at which `calls` admissions fit (when one in the log leaves its window). */
function earliestFit(log: number[], from: number, calls: number, limit: number): number {
  const start = Math.ceil(from);
  const candidates = [start, ...log.map((t) => t + GUARD_MS).filter((t) => t > start)].sort((a, b) => a - b);
  return candidates.find((at) => fits(log, at, calls, limit)) ?? Math.max(start, ...log) + GUARD_MS;
}

/** The log without `calls` admissions booked at `at` (a step's own booking, about to move). */
function withoutBooking(log: number[], at: number, calls: number): number[] {
  const rest = [...log];
  for (let i = 0; i < calls; i++) {
    const index = rest.indexOf(at);
    if (index < 0) break;
    rest.splice(index, 1);
  }
  return rest;
}

async function readBudget(provider: string): Promise<BudgetItem | undefined> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: tableName(), Key: budgetKey(provider), ConsistentRead: true }),
  );
  return Item as BudgetItem | undefined;
}

async function readReservation(holder: string): Promise<Reservation | undefined> {
  const { Item } = await dynamoClient().send(
    new GetCommand({ TableName: tableName(), Key: reservationKey(holder), ConsistentRead: true }),
  );
  return Item as Reservation | undefined;
}

/** Writes the schedule if nobody changed it since `previous` was read; false when another caller did. */
async function writeBudget(provider: string, previous: BudgetItem | undefined, next: Omit<BudgetItem, 'version'>, now: number) {
  try {
    await dynamoClient().send(
      new PutCommand({
        TableName: tableName(),
        Item: {
          ...budgetKey(provider),
          tat: next.tat,
          fired: next.fired,
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
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/**
 * Admits a group of `calls` requests to the provider, or says when it may go: resolves (with the admission
 * time, see `stampSend`) when the requests may be sent now; otherwise throws ProviderPaced (with a holder: a slot is reserved for it) or
 * ProviderRateLimited (without). Never waits.
 */
export async function admit(request: AdmitRequest): Promise<number> {
  return (await admitGroup(request)).at;
}

/** `admit`, also saying how many requests went in: a step back for its slot may have booked more than it asks now. */
async function admitGroup(request: AdmitRequest): Promise<{ at: number; calls: number }> {
  const { provider, ratePerSecond, holder } = request;
  const calls = Math.max(1, Math.floor(request.calls));
  const rerun = request.rerun === undefined ? undefined : Math.max(calls, Math.floor(request.rerun));
  const clock = request.now ?? Date.now;
  const limit = holder === undefined ? guardLimit(ratePerSecond) : scheduledLimit(ratePerSecond);
  const spacing = (n: number) => (n * 1000) / ratePerSecond;

  for (let race = 0; race < MAX_RACES; race++) {
    const now = clock();
    const [stored, reservation] = await Promise.all([
      readBudget(provider),
      holder === undefined ? undefined : readReservation(holder),
    ]);
    const tat = stored?.tat ?? 0;
    // The log: admissions of the last window and slots booked ahead (each counted per call).
    const log = (stored?.fired ?? []).filter((at) => at > now - GUARD_MS);
    const owned =
      reservation !== undefined && reservation.provider === provider && reservation.slot > now - STALE_MS
        ? reservation
        : undefined;

    /** Books `group` calls of this holder at its slot or the earliest time the guard allows after it. */
    const reserve = async (rest: number[], from: number, group: number, nextTat: number) => {
      const slot = earliestFit(rest, from, group, limit);
      if (!(await writeBudget(provider, stored, { tat: nextTat, fired: [...rest, ...Array<number>(group).fill(slot)] }, now)))
        return undefined;
      await dynamoClient().send(
        new PutCommand({
          TableName: tableName(),
          Item: { ...reservationKey(holder!), slot, calls: group, provider, expiresAt: Math.floor(slot / 1000) + TTL_SECONDS },
        }),
      );
      return new ProviderPaced(provider, slot);
    };

    // A step back for its reserved slot: its calls are booked there. The guard's window is the provider's
    // second plus ARRIVAL_SKEW_MS, so a step woken up to that late still sends within the limit; woken
    // later, its booking moves to now if the guard allows, else to the next free time.
    if (owned && holder !== undefined) {
      if (owned.slot > now) throw new ProviderPaced(provider, owned.slot);
      // The step may now send more than it reserved for (an error path on the first try): count them all.
      const group = Math.max(owned.calls, calls);
      const extra = group - owned.calls;
      const next = extra > 0 ? Math.max(tat, now) + spacing(extra) : tat;
      // Its booking still in the log (not dropped with the window it fell in): counted there already.
      const onTime = now - owned.slot <= ARRIVAL_SKEW_MS && log.includes(owned.slot);
      const rest = onTime ? log : withoutBooking(log, owned.slot, owned.calls);
      const moved = onTime ? extra : group;
      // On time with nothing beyond its booking, the step's calls are already counted at its slot: it goes.
      // (Checking the window again would refuse it whenever a webhook has since taken the window's last call,
      // and send it to the back of the queue for a slot it already holds.)
      if (moved === 0 || fits(rest, now, moved, limit)) {
        const admitted = [...rest, ...Array<number>(moved).fill(now)];
        if (!(await writeBudget(provider, stored, { tat: next, fired: admitted }, now))) continue;
        await dynamoClient().send(new DeleteCommand({ TableName: tableName(), Key: reservationKey(holder) }));
        return { at: onTime && log.includes(owned.slot) ? owned.slot : now, calls: group };
      }
      const paced = await reserve(withoutBooking(log, owned.slot, owned.calls), now, group, next);
      if (!paced) continue;
      throw paced;
    }

    // A caller with nobody to come back for a slot (an API or webhook handler) cannot wait in a workflow,
    // and a provider redelivers a webhook only a few times: it goes ahead of the schedule whenever the
    // guard's window has room, counting the slots steps booked in it (steps book at most one call fewer
    // than the guard allows, which keeps that one for these callers). The schedule still counts its calls.
    const free =
      holder === undefined ? fits(log, now, calls, limit) : (tat <= now || rerun !== undefined) && fits(log, now, calls, limit);
    if (free) {
      const admitted = [...log, ...Array<number>(calls).fill(now)];
      if (!(await writeBudget(provider, stored, { tat: Math.max(tat, now) + spacing(calls), fired: admitted }, now))) continue;
      // A leftover reservation of this holder (its group went when the budget was free) must not admit a later call.
      if (reservation !== undefined && holder !== undefined)
        await dynamoClient().send(new DeleteCommand({ TableName: tableName(), Key: reservationKey(holder) }));
      return { at: now, calls };
    }

    if (holder === undefined) {
      const at = earliestFit(log, now, calls, limit);
      throw new ProviderRateLimited({
        provider,
        code: 'RATE_BUDGET',
        retryAfterSeconds: Math.max(1, Math.ceil((at - now) / 1000)),
      });
    }
    // Slots follow the schedule (`calls / rate` apart), later only where the guard's window is full. A
    // request cut off in the middle of its operation books the whole operation: booking only itself, the
    // step would come back, spend the slot on the operation's first requests and be cut off again.
    const from = Math.max(tat, now);
    const booked = rerun ?? calls;
    const paced = await reserve(log, from, booked, Math.max(earliestFit(log, from, booked, limit), from) + spacing(booked));
    if (!paced) continue;
    throw paced;
  }
  // So many callers at once that none of these writes won: the step's retry comes back shortly.
  throw new ProviderUnavailable({ provider, code: 'RATE_BUDGET_CONTENDED' });
}

/**
 * Moves one of a group's admissions (stamped `admittedAt`) to now, as the group's next request goes out:
 * the later requests of a group reach the provider after the first one's round trip, and the guard must
 * count them in the second they really fall in. Best effort: a lost race is tried again at once, and a
 * stamp already out of the log needs no move.
 */
export async function stampSend(provider: string, admittedAt: number, now: () => number = Date.now): Promise<void> {
  for (let race = 0; race < MAX_RACES; race++) {
    const at = now();
    const stored = await readBudget(provider);
    if (!stored || !stored.fired.includes(admittedAt) || at <= admittedAt) return;
    const fired = stored.fired.filter((t) => t > at - GUARD_MS || t === admittedAt);
    fired[fired.indexOf(admittedAt)] = at;
    if (await writeBudget(provider, stored, { tat: stored.tat, fired }, at)) return;
  }
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
    group.admittedAt = await admitHolderless(provider, ratePerSecond, group.calls);
    group.remaining = group.calls - 1;
    return;
  }
  if (group?.admittedAt !== undefined && group.remaining > 0) {
    group.remaining -= 1;
    await stampSend(provider, group.admittedAt);
    return;
  }
  await admitHolderless(provider, ratePerSecond, 1);
}

/** How long a caller without a workflow (a webhook, the API) may wait in its own invocation for the guard. */
const HOLDERLESS_WAIT_MS = 1_200;
const HOLDERLESS_POLL_MS = 150;

/**
 * A webhook cannot wait in a workflow, and a provider redelivers only a few times, quickly (Wallex: three
 * retries, schedule undocumented): refused at once, its delivery would be lost while the guard frees a
 * moment later. So it waits, at most one guard window, and then answers ProviderRateLimited. Steps never
 * wait here: they wait in the workflow.
 */
async function admitHolderless(provider: string, ratePerSecond: number, calls: number): Promise<number> {
  const deadline = Date.now() + HOLDERLESS_WAIT_MS;
  for (;;) {
    try {
      return await admit({ provider, ratePerSecond, calls });
    } catch (error) {
      if (!(error instanceof ProviderRateLimited) || Date.now() + HOLDERLESS_POLL_MS > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, HOLDERLESS_POLL_MS));
    }
  }
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
  if (step.sent < step.admitted) {
    step.sent += 1;
    await stampSend(provider, step.admittedAt);
    return;
  }
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
