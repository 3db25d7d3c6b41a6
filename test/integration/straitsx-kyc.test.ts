import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Runtime, startRuntime } from '../../local/runtime';
import { personalPlus } from '../unit/straitsx/plus-fixtures';
import {
  api,
  apiRetryingBudget,
  eventsAbout,
  executionsOf,
  historyOf,
  sandboxFetch,
  settled,
  tableItems,
  until,
  view,
  waitingFor,
} from './harness';

let runtime: Runtime;

beforeAll(async () => {
  runtime = await startRuntime({ retryScale: 0.001, logFile: false, providerTimeoutMs: 3_000, callbackRetryMs: 20 });
});
afterAll(async () => {
  await runtime?.stop();
});
beforeEach(() => {
  runtime.straitsx.clearFaults();
  process.env.VERIFICATION_TIMEOUT_SECONDS = '600';
  process.env.ACCOUNT_TIMEOUT_SECONDS = '600';
});

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);
const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(64, 2)]);
let counter = 0;

/** A CP+ request whose registration id no other test uses. */
function plusRequest(virtualAccount?: Record<string, string>) {
  counter += 1;
  return {
    provider: 'straitsx',
    profileType: 'CP+',
    merchantRef: `kyc-${process.pid}-${counter}`,
    customer: personalPlus({
      registrationId: `S${String(process.pid).slice(-3)}${String(counter).padStart(4, '0')}K`,
      email: `kyc${counter}@example.net`,
    }),
    ...(virtualAccount ? { virtualAccount } : {}),
  };
}

async function upload(onboardingId: string, slot: string, bytes: Buffer, contentType = 'image/png') {
  const grant = await api(runtime, 'POST', `/onboardings/${onboardingId}/documents`, { slot, contentType, size: bytes.length });
  expect(grant.status).toBe(201);
  const put = await fetch(grant.body.uploadUrl, { method: 'PUT', headers: grant.body.headers, body: bytes });
  expect(put.status).toBe(200);
}

const profileOf = (onboarding: Record<string, any>) =>
  runtime.straitsx.profiles().find((p) => p.id === onboarding.providerIds.profileId)!;

/** Starts a CP+ onboarding and uploads every required document; resolves once StraitsX has the profile. */
async function startWithDocuments(virtualAccount?: Record<string, string>) {
  const accepted = await api(runtime, 'POST', '/onboardings', plusRequest(virtualAccount));
  expect(accepted.status).toBe(202);
  const id = accepted.body.onboardingId as string;
  await waitingFor(runtime, id, 'documents');
  const slots = (await view(runtime, id)).documents.map((d: { slot: string }) => d.slot);
  for (const slot of slots)
    await upload(
      id,
      slot,
      slot.endsWith('proofOfAddress') ? PDF : PNG,
      slot.endsWith('proofOfAddress') ? 'application/pdf' : 'image/png',
    );
  await waitingFor(runtime, id, 'verification');
  return id;
}

describe('full-KYC (CP+) onboarding with StraitsX', () => {
  it('waits for documents, sends them as links, and completes when the verification callback arrives', async () => {
    const accepted = await api(runtime, 'POST', '/onboardings', plusRequest());
    const id = accepted.body.onboardingId as string;
    await waitingFor(runtime, id, 'documents');
    const before = await view(runtime, id);
    expect(before.status).toBe('AWAITING_DOCUMENTS');
    expect(
      before.documents
        .map((d: { slot: string; status: string; required: boolean }) => `${d.slot}:${d.required}:${d.status}`)
        .sort(),
    ).toEqual([
      'identityDocuments.idBack:true:missing',
      'identityDocuments.idFront:true:missing',
      'identityDocuments.livenessSnapshot:true:missing',
      'identityDocuments.proofOfAddress:true:missing',
      'identityDocuments.selfie:false:missing',
    ]);

    // A file that is not what it claims is refused on arrival and does not count.
    await upload(id, 'identityDocuments.idFront', Buffer.from('plain text, not an image'));
    const refused = await until(async () =>
      (await view(runtime, id)).documents.find(
        (d: { slot: string; status: string }) => d.slot === 'identityDocuments.idFront' && d.status === 'rejected',
      ),
    );
    expect(refused.reason).toMatch(/not PNG, JPEG or PDF/);
    expect(
      (
        await api(runtime, 'POST', `/onboardings/${id}/documents`, {
          slot: 'identityDocuments.passport',
          contentType: 'image/gif',
          size: 20_000_000,
        })
      ).body.errors
        .map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(['contentType', 'size']);

    for (const slot of ['identityDocuments.idFront', 'identityDocuments.idBack', 'identityDocuments.livenessSnapshot'])
      await upload(id, slot, PNG);
    await upload(id, 'identityDocuments.proofOfAddress', PDF, 'application/pdf');
    await waitingFor(runtime, id, 'verification');
    const pending = await view(runtime, id);
    expect(pending).toMatchObject({ status: 'AWAITING_PROVIDER', profileStatus: 'pending' });
    expect(
      String(profileOf(pending).attributes.identityDocuments && JSON.stringify(profileOf(pending).attributes.identityDocuments)),
    ).toContain('http://127.0.0.1');

    expect(runtime.straitsx.setProfileStatus(pending.providerIds.profileId, 'verified')).toBe(true);
    const done = await settled(runtime, id);
    expect(done).toMatchObject({
      status: 'COMPLETED',
      profileStatus: 'verified',
      virtualAccount: { currency: 'SGD', status: 'enabled' },
    });
    expect(done.timeline.map((t: { step: string }) => t.step)).toContain('provider-update');
    expect(eventsAbout(runtime, id).map((e) => e['detail-type'])).toEqual(['Onboarding Completed']);
  });

  it('ends REJECTED with the retryability and summary StraitsX gave', async () => {
    const id = await startWithDocuments();
    const onboarding = await view(runtime, id);
    const res = await sandboxFetch(`${runtime.straitsx.url}/sandbox/kyc/customer_profiles/${onboarding.providerIds.profileId}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'X-XFERS-APP-API-KEY': runtime.secrets.straitsx.apiKey },
      body: JSON.stringify({
        data: {
          attributes: {
            verificationStatus: 'rejected',
            isRetryable: false,
            verificationRejectionSummary: 'Sanctions screening hit',
          },
        },
      }),
    });
    expect(res.status).toBe(200);
    const done = await settled(runtime, id);
    // The summary is free text about the person: the record keeps a code and the retryability only.
    expect(done).toMatchObject({
      status: 'REJECTED',
      outcome: { retryable: false, reason: 'rejected by StraitsX verification' },
    });
    expect(JSON.stringify(await tableItems())).not.toContain('Sanctions screening hit');
    expect(done.virtualAccount).toBeUndefined();
    const [event] = eventsAbout(runtime, id);
    expect(event).toMatchObject({ 'detail-type': 'Onboarding Rejected', detail: { status: 'REJECTED', retryable: false } });
  });

  it('enables a USD account later, when StraitsX says so', async () => {
    const id = await startWithDocuments({ currency: 'USD' });
    runtime.straitsx.setProfileStatus((await view(runtime, id)).providerIds.profileId, 'verified');
    await waitingFor(runtime, id, 'account');
    const pending = await view(runtime, id);
    expect(pending.virtualAccount).toMatchObject({ currency: 'USD', status: 'pending' });
    expect(pending.virtualAccount.accountNo).toBeUndefined();

    runtime.straitsx.setVirtualAccountStatus(pending.virtualAccount.id, 'enabled');
    const done = await settled(runtime, id);
    expect(done).toMatchObject({ status: 'COMPLETED', virtualAccount: { currency: 'USD', status: 'enabled' } });
    expect(done.virtualAccount.accountNo).toEqual(expect.any(String));
  });

  it('puts the onboarding in NEEDS_INFORMATION while StraitsX asks for information, and tells the merchant', async () => {
    const id = await startWithDocuments();
    const profileId = (await view(runtime, id)).providerIds.profileId;
    const headers = { 'content-type': 'application/json', 'X-XFERS-APP-API-KEY': runtime.secrets.straitsx.apiKey };
    const rfi = await sandboxFetch(`${runtime.straitsx.url}/sandbox/customer_profile/${profileId}/rfi-requests`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        data: { attributes: { questions: [{ text: 'Source of funds?', type: 'TEXT', required: true }], expiryDays: 7 } },
      }),
    }).then((r) => r.json() as Promise<{ data: { id: string } }>);
    await until(async () => ((await view(runtime, id)).status === 'NEEDS_INFORMATION' ? true : undefined));
    await until(() => eventsAbout(runtime, id).find((e) => e['detail-type'] === 'Onboarding Needs Information'));

    await sandboxFetch(`${runtime.straitsx.url}/sandbox/customer_profile/${profileId}/rfi-requests/${rfi.data.id}/transition`, {
      method: 'PUT',
      headers,
      body: JSON.stringify({ data: { attributes: { status: 'completed' } } }),
    });
    await until(async () => ((await view(runtime, id)).status === 'AWAITING_PROVIDER' ? true : undefined));
    runtime.straitsx.setProfileStatus(profileId, 'verified');
    expect((await settled(runtime, id)).status).toBe('COMPLETED');
  });

  it('shows a request for information on a FAILED onboarding without moving it out of FAILED', async () => {
    const id = await startWithDocuments();
    const profileId = (await view(runtime, id)).providerIds.profileId;
    const [execution] = await runtime.cloud.sfn
      .listExecutions({ stateMachineArn: runtime.stateMachineArn })
      .executions.filter((e) => e.name === id);
    await runtime.cloud.sfn.stopExecution({ executionArn: execution!.executionArn });
    await until(async () => ((await view(runtime, id)).status === 'FAILED' ? true : undefined));

    await sandboxFetch(`${runtime.straitsx.url}/sandbox/customer_profile/${profileId}/rfi-requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-XFERS-APP-API-KEY': runtime.secrets.straitsx.apiKey },
      body: JSON.stringify({
        data: { attributes: { questions: [{ text: 'Source of funds?', type: 'TEXT', required: true }], expiryDays: 7 } },
      }),
    });
    const shown = await until(async () => {
      const current = await view(runtime, id);
      return Object.keys(current.informationRequests ?? {}).length > 0 ? current : undefined;
    });
    expect(shown.status).toBe('FAILED');
  });

  it('asks StraitsX itself when the callback never comes, and gives up when the profile is still pending', async () => {
    process.env.VERIFICATION_TIMEOUT_SECONDS = '1';
    const lost = await startWithDocuments();
    // The verdict is reached at StraitsX, but its callback goes nowhere.
    await routeCallback('cpVerificationStatusUpdated', 'http://127.0.0.1:9/unreachable');
    runtime.straitsx.setProfileStatus((await view(runtime, lost)).providerIds.profileId, 'verified');
    const quiet = await startWithDocuments();
    const [recovered, undecided] = await Promise.all([settled(runtime, lost), settled(runtime, quiet)]);
    await routeCallback('cpVerificationStatusUpdated', `${runtime.apiUrl}/webhooks/straitsx/cpVerificationStatusUpdated`);
    expect(recovered.status).toBe('COMPLETED');
    expect(recovered.timeline.map((t: { step: string }) => t.step)).toContain('check-profile');
    expect(undecided).toMatchObject({
      status: 'NEEDS_ATTENTION',
      profileStatus: 'pending',
      outcome: { reason: 'timed out waiting for the provider' },
    });
  });
});

describe('StraitsX verified before its API shows it (STXE-4000 "Customer Profile Is Not Verified")', () => {
  const failuresOf = async (id: string) => {
    const errors: string[] = [];
    for (const execution of await executionsOf(runtime, id)) {
      for (const event of await historyOf(execution.executionArn!)) {
        const error = event.lambdaFunctionFailedEventDetails?.error ?? event.taskFailedEventDetails?.error;
        if (error) errors.push(error);
      }
    }
    return errors;
  };

  it('never ends REJECTED or tells the merchant so: the account step answers ProviderNotReady', async () => {
    runtime.straitsx.setVerificationLag(1_500);
    try {
      const id = await startWithDocuments();
      runtime.straitsx.setProfileStatus((await view(runtime, id)).providerIds.profileId, 'verified');
      await until(async () => (await failuresOf(id)).includes('ProviderNotReady'));
      const after = await settled(runtime, id);
      expect(after.status).not.toBe('REJECTED');
      expect(eventsAbout(runtime, id).map((e) => e['detail-type'])).not.toContain('Onboarding Rejected');
    } finally {
      runtime.straitsx.setVerificationLag(0);
    }
  });

  it('waits it out and completes with one account', async () => {
    runtime.straitsx.setVerificationLag(300);
    try {
      const id = await startWithDocuments();
      const { profileId } = (await view(runtime, id)).providerIds;
      runtime.straitsx.setProfileStatus(profileId, 'verified');
      const done = await settled(runtime, id);
      expect(done).toMatchObject({ status: 'COMPLETED', virtualAccount: { currency: 'SGD', status: 'enabled' } });
      expect(runtime.straitsx.virtualAccounts().filter((a) => a.customerProfileId === profileId)).toHaveLength(1);
      expect(eventsAbout(runtime, id).map((e) => e['detail-type'])).toEqual(['Onboarding Completed']);
    } finally {
      runtime.straitsx.setVerificationLag(0);
    }
  });
});

/** Points one StraitsX callback at a URL, as the merchant does in the dashboard (PATCH /webhooks). */
async function routeCallback(event: string, url: string) {
  const res = await sandboxFetch(`${runtime.straitsx.url}/webhooks`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/json', 'X-XFERS-APP-API-KEY': runtime.secrets.straitsx.apiKey },
    body: JSON.stringify({ data: { attributes: { [event]: url } } }),
  });
  expect(res.status).toBe(200);
}

describe('StraitsX webhooks', () => {
  const sign = (body: string) => createHmac('sha256', runtime.secrets.straitsx.callbackSigningKey).update(body).digest('hex');
  const post = (event: string, body: string, signature?: string) =>
    fetch(`${runtime.apiUrl}/webhooks/straitsx/${event}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(signature ? { 'Xfers-Signature': signature } : {}) },
      body,
    });

  it('refuses a forged or unsigned callback and changes nothing', async () => {
    const id = await startWithDocuments();
    const onboarding = await view(runtime, id);
    // StraitsX verifies the profile, but its own callback is lost: the test delivers it by hand below.
    await routeCallback('cpVerificationStatusUpdated', 'http://127.0.0.1:9/unreachable');
    runtime.straitsx.setProfileStatus(onboarding.providerIds.profileId, 'verified');
    const body = JSON.stringify({
      data: { id: onboarding.providerIds.profileId, type: 'customer_profile', attributes: { verificationStatus: 'verified' } },
    });
    const items = JSON.stringify(await tableItems());
    expect((await post('cpVerificationStatusUpdated', body)).status).toBe(401);
    expect((await post('cpVerificationStatusUpdated', body, sign(`${body} `))).status).toBe(401);
    expect((await post('cpVerificationStatusUpdated', body, 'zz'.repeat(32))).status).toBe(401);
    expect(JSON.stringify(await tableItems())).toBe(items);
    expect((await view(runtime, id)).status).toBe('AWAITING_PROVIDER');

    // The same callback, signed: applied once; a second delivery changes nothing more.
    const first = await post('cpVerificationStatusUpdated', body, sign(body));
    expect(await first.json()).toMatchObject({ received: true, duplicate: false });
    const second = await post('cpVerificationStatusUpdated', body, sign(body));
    expect(await second.json()).toMatchObject({ received: true, duplicate: true, result: 'unchanged' });
    await routeCallback('cpVerificationStatusUpdated', `${runtime.apiUrl}/webhooks/straitsx/cpVerificationStatusUpdated`);
    expect((await settled(runtime, id)).status).toBe('COMPLETED');
  });

  it('tells the merchant when a payment to the customer is held for compliance or a name mismatch', async () => {
    const id = await startWithDocuments();
    runtime.straitsx.setProfileStatus((await view(runtime, id)).providerIds.profileId, 'verified');
    const done = await settled(runtime, id);
    const res = await sandboxFetch(
      `${runtime.straitsx.url}/sandbox/customer_profile/${done.providerIds.profileId}/bank_transfer_simulations`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'X-XFERS-APP-API-KEY': runtime.secrets.straitsx.apiKey },
        body: JSON.stringify({
          destination_bank_account_no: done.virtualAccount.accountNo,
          amount: '250.00',
          source_bank_account_holder_name: 'Somebody Else',
        }),
      },
    );
    expect(res.status).toBeLessThan(300);
    const notice = await until(() => eventsAbout(runtime, id).find((e) => e['detail-type'] === 'Onboarding Needs Attention'));
    expect(notice.detail).toMatchObject({ onboardingId: id, attention: ['NM-001'], status: 'COMPLETED' });
    const [execution] = await executionsOf(runtime, id);
    expect(JSON.stringify(await historyOf(execution!.executionArn!))).not.toContain('Somebody Else');
  });
});

describe('StraitsX profile additions', () => {
  it('adds the USD-rail fields to a verified basic profile, only those it lacks, each by its rule', async () => {
    const accepted = await api(runtime, 'POST', '/onboardings', {
      provider: 'straitsx',
      merchantRef: `usd-${process.pid}`,
      customer: {
        registrationType: 'personal',
        customerName: 'Nur Aisyah',
        registrationId: `S${String(process.pid).slice(-4)}777U`,
      },
    });
    const done = await settled(runtime, accepted.body.onboardingId);
    const path = `/onboardings/${done.onboardingId}/profile`;

    const invalid = await apiRetryingBudget(runtime, 'PATCH', path, {
      customer: { dateOfBirth: '1990-02-30', registrationIdCountry: 'sg' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'customer.dateOfBirth',
      'customer.registrationIdCountry',
    ]);

    const partial = await apiRetryingBudget(runtime, 'PATCH', path, {
      customer: { dateOfBirth: '1990-02-03', nationality: 'SG', registrationIdCountry: 'SG' },
    });
    expect(partial.status).toBe(200);
    expect(partial.body.profileUpdate.usdReady).toBe(false);
    expect(partial.body.profileUpdate.added.sort()).toEqual(['dateOfBirth', 'nationality', 'registrationIdCountry']);
    expect(partial.body.profileUpdate.missingForUsd.sort()).toEqual(['address', 'countryOfResidence', 'registrationIdType']);
    const profile = runtime.straitsx.profiles().find((p) => p.id === done.providerIds.profileId)!;
    expect(profile.attributes).toMatchObject({ dateOfBirth: '1990-02-03', nationality: 'SG', registrationIdCountry: 'SG' });

    const rest = await apiRetryingBudget(runtime, 'PATCH', path, {
      customer: {
        registrationIdType: 'identity_card',
        countryOfResidence: 'SG',
        address: { street: '1 Marina Boulevard', city: 'Singapore', country: 'SG' },
      },
    });
    expect(rest.body.profileUpdate).toMatchObject({ usdReady: true, missingForUsd: [] });
    expect((await apiRetryingBudget(runtime, 'PATCH', path, { customer: { nationality: 'MY' } })).status).toBe(409);
    expect(JSON.stringify(await tableItems())).not.toContain('1990-02-03');
  });

  it("adds the customer's bank account with its proof before the virtual account, and tells the merchant when StraitsX rejects it", async () => {
    const accepted = await api(runtime, 'POST', '/onboardings', {
      provider: 'straitsx',
      merchantRef: `bank-${process.pid}`,
      customer: {
        registrationType: 'personal',
        customerName: 'Lee Wei Ming',
        registrationId: `S${String(process.pid).slice(-4)}888B`,
      },
      bankAccount: { account_no: '0123456789', account_holder_name: 'Lee Wei Ming', bank: 'DBS' },
    });
    const id = accepted.body.onboardingId as string;
    await waitingFor(runtime, id, 'documents');
    await upload(id, 'bankAccountProof', PDF, 'application/pdf');
    const done = await settled(runtime, id);
    expect(done).toMatchObject({ status: 'COMPLETED', bankAccount: { status: 'pending' } });
    expect(done.timeline.map((t: { step: string }) => t.step)).toEqual(
      expect.arrayContaining(['add-bank-account', 'create-virtual-account']),
    );
    const [bank] = runtime.straitsx.bankAccounts().filter((b) => b.customerProfileId === done.providerIds.profileId);
    expect(bank).toBeDefined();

    const res = await sandboxFetch(
      `${runtime.straitsx.url}/sandbox/customer_profile/${done.providerIds.profileId}/bank_accounts/${bank!.id}?verification_status=rejected`,
      {
        method: 'PUT',
        headers: { 'X-XFERS-APP-API-KEY': runtime.secrets.straitsx.apiKey },
      },
    );
    expect(res.status).toBe(200);
    const notice = await until(() => eventsAbout(runtime, id).find((e) => e['detail-type'] === 'Onboarding Needs Attention'));
    expect(notice.detail).toMatchObject({ attention: ['BANK_ACCOUNT_REJECTED'] });
    expect((await view(runtime, id)).bankAccount).toEqual({ id: String(bank!.id), status: 'rejected' });
  });
});
