import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Body, MerchantClient } from '../local/merchant';
import type { Runtime } from '../local/runtime';

/**
 * The onboarding paths the cost bench measures, each started through the API and driven to a
 * successful end with the sandboxes' own controls (a verdict, an enabled account), without faults.
 */
const example = (name: string): Body => JSON.parse(readFileSync(resolve('examples', `${name}.json`), 'utf8'));

/** One onboarding path, started and driven to a successful end through the API and the sandboxes. */
export interface Path {
  name: string;
  /** Runs the n-th onboarding of the path; resolves with its final view once it settled. */
  run(runtime: Runtime, merchant: MerchantClient, n: number): Promise<Body>;
}

/** Starts an onboarding; `drive` plays the provider's and the merchant's parts while it waits. */
async function onboard(
  merchant: MerchantClient,
  request: Body,
  drive?: (id: string) => Promise<void>,
  path = '/onboardings',
): Promise<Body> {
  const accepted = await merchant.call('POST', path, request);
  if (accepted.status !== 202) throw new Error(`${path} answered ${accepted.status}: ${JSON.stringify(accepted.body)}`);
  const id = accepted.body.onboardingId as string;
  await drive?.(id);
  return merchant.settled(id, 120_000);
}

/** A registration id no other run of this stack uses, in the NRIC shape StraitsX checks. */
const registrationId = (prefix: string, n: number) => `S${prefix}${String(n).padStart(6, '0')}Z`;

const runId = Date.now().toString(36);

export const PATHS: Path[] = [
  {
    name: 'StraitsX basic + SGD account',
    run: (_runtime, merchant, n) => {
      const base = example('straitsx-personal');
      return onboard(merchant, {
        ...base,
        merchantRef: `cost-sgd-${runId}-${n}`,
        customer: { ...base.customer, registrationId: registrationId('1', n), email: `sgd.${runId}.${n}@example.com` },
      });
    },
  },
  {
    name: 'StraitsX USD + bank account',
    run: (runtime, merchant, n) => {
      const base = example('straitsx-personal');
      return onboard(
        merchant,
        {
          ...base,
          merchantRef: `cost-usd-${runId}-${n}`,
          customer: { ...base.customer, registrationId: registrationId('2', n), email: `usd.${runId}.${n}@example.com` },
          bankAccount: { account_no: '0123456789', account_holder_name: base.customer.customerName, bank: 'DBS' },
          virtualAccount: { currency: 'USD' },
        },
        async (id) => {
          await merchant.uploadDocuments(id);
          const waiting = await merchant.until(id, (v) => v.waitingFor === 'account');
          runtime.straitsx.setVirtualAccountStatus(waiting.virtualAccount.id, 'enabled');
        },
      );
    },
  },
  {
    name: 'StraitsX CP+ with documents',
    run: (runtime, merchant, n) => {
      const base = example('straitsx-plus-personal');
      return onboard(
        merchant,
        {
          ...base,
          merchantRef: `cost-plus-${runId}-${n}`,
          customer: { ...base.customer, registrationId: registrationId('3', n), email: `plus.${runId}.${n}@example.com` },
        },
        async (id) => {
          await merchant.uploadDocuments(id);
          const waiting = await merchant.until(id, (v) => v.waitingFor === 'verification');
          runtime.straitsx.setProfileStatus(waiting.providerIds.profileId, 'verified');
        },
      );
    },
  },
  {
    name: 'Wallex, 2 documents',
    run: (_runtime, merchant, n) => {
      const base = example('wallex-individual');
      return onboard(
        merchant,
        {
          ...base,
          merchantRef: `cost-wx-${runId}-${n}`,
          customer: {
            ...base.customer,
            email: `wx.${runId}.${n}@example.com`,
            identificationNumber: `E${String(n).padStart(7, '0')}X`,
            documents: ['passport', 'utility_bill'],
          },
        },
        (id) => merchant.uploadDocuments(id),
      );
    },
  },
  {
    name: 'Straddle',
    run: (_runtime, merchant, n) => {
      const base = example('straddle-individual');
      return onboard(merchant, {
        ...base,
        merchantRef: `cost-st-${runId}-${n}`,
        customer: { ...base.customer, email: `ada.${runId}.${n}@example.com` },
      });
    },
  },
  {
    name: 'Connect migration, 1 user',
    run: (runtime, merchant, n) => {
      const base = example('connect-migration');
      const userApiToken = `tok_cost_${runId}_${n}`;
      const merchantRef = `cost-connect-${runId}-${n}`;
      runtime.straitsx.addConnectUser({ userApiToken, merchantRef });
      return onboard(
        merchant,
        {
          ...base,
          merchantRef,
          userApiToken,
          customer: { ...base.customer, registrationId: registrationId('4', n) },
        },
        undefined,
        '/migrations/connect',
      );
    },
  },
];
