import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PutEventsCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EVENT_BUS_NAME, MERCHANT_EVENT_SOURCE, type Runtime } from './runtime';

interface Outcome {
  scenario: string;
  onboardingId: string;
  provider: string;
  expected: string;
  got: string;
  steps: string;
  ms: number;
  ok: boolean;
}

const example = (name: string) => JSON.parse(readFileSync(resolve('examples', `${name}.json`), 'utf8'));
const SETTLED = new Set(['COMPLETED', 'REJECTED', 'NEEDS_ATTENTION', 'FAILED']);

async function call(runtime: Runtime, method: string, path: string, body?: unknown) {
  const res = await fetch(`${runtime.apiUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Polls GET /onboardings/{id} until the onboarding settles. */
export async function waitForSettled(runtime: Runtime, onboardingId: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { status, body } = await call(runtime, 'GET', `/onboardings/${onboardingId}`);
    if (status === 200 && SETTLED.has(body.status as string)) return body;
    if (Date.now() > deadline) return body;
    await new Promise((r) => setTimeout(r, 50));
  }
}

const stepsOf = (body: Record<string, unknown>) =>
  ((body.timeline as Array<{ step: string }> | undefined) ?? []).map((t) => t.step).join(' > ');

async function onboard(runtime: Runtime, scenario: string, request: unknown, expected: string): Promise<Outcome> {
  const started = Date.now();
  const { status, body } = await call(runtime, 'POST', '/onboardings', request);
  const provider = (request as { provider?: string }).provider ?? '?';
  if (status !== 202) {
    return { scenario, onboardingId: String(body.onboardingId ?? '-'), provider, expected, got: `HTTP ${status}`, steps: '', ms: Date.now() - started, ok: false };
  }
  const final = await waitForSettled(runtime, body.onboardingId as string);
  const account = (final.virtualAccount as { accountNo?: string } | undefined)?.accountNo;
  const ok = final.status === expected && (expected !== 'COMPLETED' || Boolean(account));
  return {
    scenario,
    onboardingId: body.onboardingId as string,
    provider,
    expected,
    got: `${final.status}${account ? ` (account ${account})` : ''}`,
    steps: stepsOf(final),
    ms: Date.now() - started,
    ok,
  };
}

/** Runs the sample onboardings against a running embedded stack; true when each ended as expected. */
export async function runDemo(runtime: Runtime, print: (line: string) => void): Promise<boolean> {
  const outcomes: Outcome[] = [];
  const personal = example('straitsx-personal');

  outcomes.push(await onboard(runtime, 'personal profile + SGD account', personal, 'COMPLETED'));
  outcomes.push(await onboard(runtime, 'business profile + SGD account', example('straitsx-business'), 'COMPLETED'));

  {
    const started = Date.now();
    const before = runtime.straitsx.profiles().length;
    const { status, body } = await call(runtime, 'POST', '/onboardings', personal);
    const same = body.onboardingId === outcomes[0]!.onboardingId && runtime.straitsx.profiles().length === before;
    outcomes.push({ scenario: 'repeat of the personal request', onboardingId: String(body.onboardingId), provider: 'straitsx', expected: 'HTTP 200, same onboarding', got: `HTTP ${status}${same ? ', same onboarding' : ''}`, steps: 'answered from the record', ms: Date.now() - started, ok: status === 200 && same });
  }
  {
    const started = Date.now();
    const changed = { ...personal, customer: { ...personal.customer, customerName: 'Someone Else' } };
    const { status } = await call(runtime, 'POST', '/onboardings', changed);
    outcomes.push({ scenario: 'other customer, same business key', onboardingId: outcomes[0]!.onboardingId, provider: 'straitsx', expected: 'HTTP 409', got: `HTTP ${status}`, steps: 'refused, nothing changed', ms: Date.now() - started, ok: status === 409 });
  }
  {
    const started = Date.now();
    const { status, body } = await call(runtime, 'POST', '/onboardings', example('straitsx-invalid'));
    const errors = (body.errors as Array<{ path: string }> | undefined) ?? [];
    outcomes.push({ scenario: 'invalid request', onboardingId: '-', provider: 'straitsx', expected: 'HTTP 400', got: `HTTP ${status}, ${errors.length} failing fields`, steps: `refused, nothing stored (${errors.map((e) => e.path.replace('customer.', '')).join(', ')})`, ms: Date.now() - started, ok: status === 400 && errors.length > 0 });
  }
  {
    const started = Date.now();
    const event = example('customer-onboarding-requested');
    await new EventBridgeClient({}).send(
      new PutEventsCommand({ Entries: [{ EventBusName: EVENT_BUS_NAME, Source: MERCHANT_EVENT_SOURCE, DetailType: event.DetailType, Detail: JSON.stringify(event.Detail) }] }),
    );
    let onboardingId = '-';
    let final: Record<string, unknown> = {};
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
      const completed = runtime.cloud.events.published().find((e: { detailType?: string; 'detail-type'?: string; detail: unknown }) => {
        const detail = (typeof e.detail === 'string' ? JSON.parse(e.detail) : e.detail) as { merchantRef?: string };
        return detail?.merchantRef === event.Detail.merchantRef && (e.detailType ?? e['detail-type']) !== 'Customer Onboarding Requested';
      });
      if (completed) {
        const detail = (typeof completed.detail === 'string' ? JSON.parse(completed.detail) : completed.detail) as { onboardingId: string };
        onboardingId = detail.onboardingId;
        final = await waitForSettled(runtime, onboardingId);
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    outcomes.push({ scenario: 'requested by a merchant event', onboardingId, provider: 'straitsx', expected: 'COMPLETED', got: String(final.status ?? 'no onboarding'), steps: stepsOf(final), ms: Date.now() - started, ok: final.status === 'COMPLETED' });
  }

  const headers = ['scenario', 'onboarding id', 'provider', 'final status', 'steps', 'time'];
  const rows = outcomes.map((o) => [`${o.ok ? 'ok ' : 'BAD'} ${o.scenario}`, o.onboardingId, o.provider, o.got, o.steps, `${o.ms} ms`]);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  print(line(headers));
  print(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) print(line(row));
  const failed = outcomes.filter((o) => !o.ok);
  print('');
  print(failed.length === 0 ? `All ${outcomes.length} samples ended as expected.` : `${failed.length} of ${outcomes.length} samples did not end as expected: ${failed.map((o) => `${o.scenario} (expected ${o.expected})`).join('; ')}`);
  return failed.length === 0;
}
