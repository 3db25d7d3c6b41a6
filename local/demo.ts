import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { runBatchDemo } from './demo-batch';
import { type Body, MerchantClient } from './merchant';
import { EVENT_BUS_NAME, MERCHANT_EVENT_SOURCE, type Runtime } from './runtime';
import { sandboxFetch } from './sandboxes/merchant-fetch';

/** One line of the demo's table. */
interface Outcome {
  scenario: string;
  onboardingId: string;
  provider: string;
  got: string;
  steps: string;
  ms: number;
  ok: boolean;
}

const example = (name: string): Body => JSON.parse(readFileSync(resolve('examples', `${name}.json`), 'utf8'));

type Merchant = MerchantClient;

/** What the merchant does in StraitsX's own sandbox: its `/v1/sandbox` simulation endpoints. */
async function straitsxSandbox(runtime: Runtime, method: string, path: string, body: unknown) {
  const res = await sandboxFetch(`${runtime.straitsx.url}/sandbox${path}`, {
    method,
    headers: { 'content-type': 'application/json', 'X-XFERS-APP-API-KEY': runtime.secrets.straitsx.apiKey },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`StraitsX sandbox ${path}: HTTP ${res.status}`);
}

/** The timeline in a few words: what the workflow did, in order (accepted, started and finish are implied). */
const LABELS: Record<string, string> = {
  'create-profile': 'profile',
  'submit-details': 'details',
  'upload-document': 'doc out',
  'start-screening': 'screening',
  'wait-for-documents': 'await docs',
  document: 'doc in',
  'wait-for-verification': 'await verdict',
  'provider-update': 'webhook',
  'create-virtual-account': 'account',
  'wait-for-account': 'await account',
  'check-profile': 'ask provider',
  'check-account': 'read account',
  review: 'review',
  'migrate-account': 'migrate account',
};
const stepsOf = (view: Body) =>
  ((view.timeline as Array<{ step: string }> | undefined) ?? [])
    .map((t) => LABELS[t.step])
    .filter((label, i, all): label is string => Boolean(label) && label !== all[i - 1])
    .join(' > ');
const accountOf = (view: Body) =>
  view.virtualAccount?.accountNo ? ` (${view.virtualAccount.currency} ${view.virtualAccount.accountNo})` : '';

type Scenario = { name: string; run(merchant: Merchant, runtime: Runtime): Promise<Omit<Outcome, 'scenario' | 'ms'>> };

/** Starts an onboarding and follows it to its end; `drive` plays the provider's part while it waits. */
const onboarding = (
  name: string,
  request: Body,
  expected: string,
  drive?: (merchant: Merchant, runtime: Runtime, id: string) => Promise<void>,
): Scenario => ({
  name,
  async run(merchant, runtime) {
    const accepted = await merchant.call('POST', '/onboardings', request);
    if (accepted.status !== 202)
      return { onboardingId: '-', provider: request.provider, got: `HTTP ${accepted.status}`, steps: '', ok: false };
    const id = accepted.body.onboardingId as string;
    await drive?.(merchant, runtime, id);
    const final = await merchant.settled(id);
    const needsAccount = expected === 'COMPLETED' && request.provider === 'straitsx';
    return {
      onboardingId: id,
      provider: request.provider,
      got: `${final.status}${accountOf(final)}`,
      steps: stepsOf(final),
      ok: final.status === expected && (!needsAccount || Boolean(final.virtualAccount?.accountNo)),
    };
  },
});

const withCustomer = (base: Body, customer: Body, extra: Body = {}) => ({
  ...base,
  ...extra,
  customer: { ...base.customer, ...customer },
});

/** Verifies (or rejects) a CP+ profile in StraitsX's sandbox once the onboarding waits for the verdict. */
const verdict = (status: 'verified' | 'rejected') => async (merchant: Merchant, runtime: Runtime, id: string) => {
  await merchant.uploadDocuments(id);
  const waiting = await merchant.until(id, (v) => v.waitingFor === 'verification');
  const attributes =
    status === 'rejected'
      ? { verificationStatus: status, isRetryable: true, verificationRejectionSummary: 'Document image unreadable' }
      : { verificationStatus: status };
  await straitsxSandbox(runtime, 'PUT', `/kyc/customer_profiles/${waiting.providerIds.profileId}`, { data: { attributes } });
};

function scenarios(runtime: Runtime): Scenario[] {
  const personal = example('straitsx-personal');
  const plus = example('straitsx-plus-personal');
  const straddle = example('straddle-individual');
  return [
    onboarding('StraitsX personal profile + SGD account', personal, 'COMPLETED'),
    onboarding('StraitsX business profile + SGD account', example('straitsx-business'), 'COMPLETED'),
    {
      name: 'repeat of the personal request',
      async run(merchant) {
        const before = runtime.straitsx.profiles().length;
        const { status, body } = await merchant.call('POST', '/onboardings', personal);
        const same = status === 200 && runtime.straitsx.profiles().length === before;
        return {
          onboardingId: body.onboardingId,
          provider: 'straitsx',
          got: `HTTP ${status}${same ? ', same onboarding' : ''}`,
          steps: 'answered from the record',
          ok: same,
        };
      },
    },
    {
      name: 'other customer, same business key',
      async run(merchant) {
        const { status, body } = await merchant.call(
          'POST',
          '/onboardings',
          withCustomer(personal, { customerName: 'Someone Else' }),
        );
        return {
          onboardingId: body.onboardingId ?? '-',
          provider: 'straitsx',
          got: `HTTP ${status}`,
          steps: 'refused, nothing changed',
          ok: status === 409,
        };
      },
    },
    {
      name: 'invalid request',
      async run(merchant) {
        const { status, body } = await merchant.call('POST', '/onboardings', example('straitsx-invalid'));
        const fields = ((body.errors as Array<{ path: string }> | undefined) ?? []).map((e) => e.path.replace('customer.', ''));
        return {
          onboardingId: '-',
          provider: 'straitsx',
          got: `HTTP ${status}, ${fields.length} failing fields`,
          steps: `refused, nothing stored (${fields.join(', ')})`,
          ok: status === 400 && fields.length > 0,
        };
      },
    },
    {
      name: 'requested by a merchant event',
      async run(merchant) {
        const event = example('customer-onboarding-requested');
        await new EventBridgeClient({}).send(
          new PutEventsCommand({
            Entries: [
              {
                EventBusName: EVENT_BUS_NAME,
                Source: MERCHANT_EVENT_SOURCE,
                DetailType: event.DetailType,
                Detail: JSON.stringify(event.Detail),
              },
            ],
          }),
        );
        let id: string | undefined;
        for (const deadline = Date.now() + 20_000; !id && Date.now() < deadline; await new Promise((r) => setTimeout(r, 40))) {
          id = runtime.cloud.events
            .published()
            .find((e) => (e.detail as Body)?.merchantRef === event.Detail.merchantRef && e.source !== MERCHANT_EVENT_SOURCE)
            ?.detail as string | undefined;
          id = id ? (id as unknown as Body).onboardingId : undefined;
        }
        const final = id ? await merchant.settled(id) : ({} as Body);
        return {
          onboardingId: id ?? '-',
          provider: 'straitsx',
          got: `${final.status ?? 'no onboarding'}${accountOf(final)}`,
          steps: stepsOf(final),
          ok: final.status === 'COMPLETED',
        };
      },
    },
    onboarding('StraitsX CP+ verified by callback', plus, 'COMPLETED', verdict('verified')),
    onboarding(
      'StraitsX CP+ rejected by callback',
      withCustomer(plus, { registrationId: 'S7654321Z', email: 'other@example.com' }, { merchantRef: 'user-30002' }),
      'REJECTED',
      verdict('rejected'),
    ),
    onboarding(
      'StraitsX CP+ with a USD account enabled later',
      withCustomer(
        plus,
        { registrationId: 'S2468013Q', email: 'usd@example.com' },
        { merchantRef: 'user-30003', virtualAccount: { currency: 'USD' } },
      ),
      'COMPLETED',
      async (merchant, rt, id) => {
        await verdict('verified')(merchant, rt, id);
        const waiting = await merchant.until(id, (v) => v.waitingFor === 'account');
        await straitsxSandbox(
          rt,
          'PUT',
          `/customer_profile/${waiting.providerIds.profileId}/virtual_bank_accounts/${waiting.virtualAccount.id}`,
          { status: 'enabled' },
        );
      },
    ),
    onboarding('Wallex user through screening', example('wallex-individual'), 'COMPLETED', (merchant, _rt, id) =>
      merchant.uploadDocuments(id),
    ),
    {
      name: 'StraitsX Connect user migration',
      async run(merchant, rt) {
        const request = { ...example('connect-migration'), userApiToken: `tok_${randomBytes(18).toString('base64url')}` } as Body;
        const legacy = rt.straitsx.addConnectUser({ userApiToken: request.userApiToken, merchantRef: request.merchantRef });
        const accepted = await merchant.call('POST', '/migrations/connect', request);
        if (accepted.status !== 202)
          return { onboardingId: '-', provider: 'straitsx', got: `HTTP ${accepted.status}`, steps: '', ok: false };
        const final = await merchant.settled(accepted.body.onboardingId);
        const carried = final.virtualAccount?.accountNo === legacy.accountNo;
        return {
          onboardingId: final.onboardingId,
          provider: 'straitsx',
          got: `${final.status}, ${final.migration?.status ?? '?'}${accountOf(final)}`,
          steps: stepsOf(final),
          ok: final.status === 'COMPLETED' && final.migration?.status === 'MIGRATED' && carried,
        };
      },
    },
    onboarding('Straddle customer verified at once', straddle, 'COMPLETED'),
    onboarding(
      'Straddle customer through review',
      withCustomer(
        straddle,
        { email: 'review@example.com', config: { sandbox_outcome: 'review' } },
        { merchantRef: 'user-40002' },
      ),
      'COMPLETED',
      async (merchant, _rt, id) => {
        await merchant.until(id, (v) => v.waitingFor === 'verification');
        await merchant.call('POST', `/onboardings/${id}/review`, {
          decision: 'verified',
          reason: 'identity confirmed by phone',
          operator: 'demo.operator',
        });
      },
    ),
    onboarding(
      'Straddle customer rejected',
      withCustomer(
        straddle,
        { email: 'rejected@example.com', config: { sandbox_outcome: 'rejected' } },
        { merchantRef: 'user-40003' },
      ),
      'REJECTED',
    ),
  ];
}

/** Runs the sample onboardings against a running embedded stack; true when each ended as expected. */
export async function runDemo(runtime: Runtime, print: (line: string) => void): Promise<boolean> {
  const merchant = new MerchantClient(() => runtime.apiUrl);
  const outcomes: Outcome[] = [];
  for (const scenario of scenarios(runtime)) {
    const started = Date.now();
    try {
      outcomes.push({ scenario: scenario.name, ...(await scenario.run(merchant, runtime)), ms: Date.now() - started });
    } catch (error) {
      outcomes.push({
        scenario: scenario.name,
        onboardingId: '-',
        provider: '-',
        got: `error: ${(error as Error).message}`,
        steps: '',
        ms: Date.now() - started,
        ok: false,
      });
    }
  }
  const headers = ['scenario', 'onboarding id', 'provider', 'final status', 'steps', 'time'];
  const rows = outcomes.map((o) => [
    `${o.ok ? 'ok ' : 'BAD'} ${o.scenario}`,
    o.onboardingId,
    o.provider,
    o.got,
    o.steps,
    `${o.ms} ms`,
  ]);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  print(line(headers));
  print(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) print(line(row));
  const failed = outcomes.filter((o) => !o.ok);
  print('');
  print(
    failed.length === 0
      ? `All ${outcomes.length} samples ended as expected.`
      : `${failed.length} of ${outcomes.length} samples did not end as expected: ${failed.map((o) => o.scenario).join('; ')}`,
  );
  // A small batch migration after the single samples, with its report.
  const batchOk = await runBatchDemo(runtime, print).catch((error: Error) => {
    print(`Connect migration batch: error: ${error.message}`);
    return false;
  });
  if (!batchOk) print('The Connect migration batch did not end as expected.');
  return failed.length === 0 && batchOk;
}
