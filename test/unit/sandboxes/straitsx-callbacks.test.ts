import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { StraitsxClient, sxPath } from '../../../functions/providers/straitsx/client';
import {
  parseStraitsxCallback,
  type StraitsxCallbackEvent,
  verifyStraitsxSignature,
} from '../../../functions/providers/straitsx/webhook';
import type { ProviderError } from '../../../functions/shared/errors';
import { type StraitsxSandbox, startStraitsxSandbox, type WebhookEvent } from '../../../local/sandboxes/straitsx';

const API_KEY = 'sandbox-app-key';

interface Received {
  event: string;
  headers: IncomingHttpHeaders;
  raw: string;
}

/** A callback receiver on loopback: one path per event, answering each path's scripted statuses, then 200. */
async function startReceiver() {
  const received: Received[] = [];
  const script = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const event = (req.url ?? '').split('/').pop() ?? '';
      received.push({ event, headers: req.headers, raw: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(script.get(event)?.shift() ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    received,
    script,
    urlFor: (event: string) => `${origin}/callbacks/${event}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Doc {
  data: { id: string; attributes: Record<string, unknown> };
}

describe('StraitsX sandbox callbacks and simulations', () => {
  let sandbox: StraitsxSandbox;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let client: StraitsxClient;

  const register = (...events: WebhookEvent[]) =>
    client.request<Doc>('PATCH', '/webhooks', {
      body: { data: { attributes: Object.fromEntries(events.map((e) => [e, receiver.urlFor(e)])) } },
    });

  /** The callbacks of one event, once every delivery has settled; each verified and parsed. */
  const callbacksOf = async (event: StraitsxCallbackEvent) => {
    await sandbox.callbacksSettled();
    return receiver.received
      .filter((r) => r.event === event)
      .map((r) => {
        expect(verifyStraitsxSignature(r.raw, r.headers['xfers-signature'] as string, sandbox.callbackSecret)).toBe(true);
        expect(r.headers['content-type']).toBe('application/json');
        const body = JSON.parse(r.raw) as Record<string, unknown>;
        const parsed = parseStraitsxCallback(event, body);
        if (!parsed.success) throw new Error(JSON.stringify(parsed.errors));
        return { body, callback: parsed.callback };
      });
  };

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (e: ProviderError) => [e.httpStatus, e.code],
    );

  const verifiedProfile = async (customerName = 'Jane Tan', registrationId = 'S1234567A') =>
    client.request<Doc>('POST', '/kyc/customer_profiles', {
      body: { registrationType: 'personal', customerName, registrationId },
    });

  const account = (profileId: string, currency: 'SGD' | 'USD', referenceId = `ref-${currency}`) =>
    client.request<Doc>('POST', '/payment_methods/virtual_bank_accounts', {
      body: { data: { attributes: { referenceId, currency }, relationships: { customerProfile: { data: { id: profileId } } } } },
    });

  beforeAll(async () => {
    receiver = await startReceiver();
    sandbox = await startStraitsxSandbox({ apiKey: API_KEY, ratePerSecond: 0, callbackRetryMs: 10 });
    client = new StraitsxClient({ baseUrl: sandbox.url, apiKey: API_KEY, timeoutMs: 2000 });
  });
  afterAll(async () => {
    await sandbox.stop();
    await receiver.stop();
  });
  beforeEach(() => {
    sandbox.reset();
    receiver.received.length = 0;
    receiver.script.clear();
  });

  it('keeps one URL per event with PATCH /webhooks and shows them with GET', async () => {
    expect(await failure(client.request('GET', '/webhooks'))).toEqual([404, 'STXE-5000']);
    const doc = await register('cpVerificationStatusUpdated', 'paymentStatusUpdated');

    expect(doc.data.id).toMatch(/^webhook_[0-9a-f-]{36}$/);
    expect(doc.data.attributes).toMatchObject({
      cpVerificationStatusUpdated: receiver.urlFor('cpVerificationStatusUpdated'),
      paymentStatusUpdated: receiver.urlFor('paymentStatusUpdated'),
      payoutStatusUpdated: null,
    });
    expect(Object.keys(doc.data.attributes)).toHaveLength(16);
    await expect(client.request('GET', '/webhooks')).resolves.toEqual(doc);

    const cleared = await client.request<Doc>('PATCH', '/webhooks', {
      body: { data: { attributes: { paymentStatusUpdated: null } } },
    });
    expect(cleared.data.id).toBe(doc.data.id);
    expect(cleared.data.attributes.paymentStatusUpdated).toBeNull();
    const patch = (attributes: unknown) => failure(client.request('PATCH', '/webhooks', { body: { data: { attributes } } }));
    expect(await patch({ somethingElse: receiver.urlFor('x') })).toEqual([400, 'STXE-3000']);
    expect(await patch({ paymentStatusUpdated: 'ftp://example.test/x' })).toEqual([400, 'STXE-3000']);
  });

  it('signs each callback with the callback secret, and sends none for an event without a URL', async () => {
    expect(sandbox.callbackSecret).toMatch(/^[0-9a-f]{64}$/);
    const profile = await verifiedProfile();
    sandbox.setProfileStatus(profile.data.id, 'verified');
    await sandbox.callbacksSettled();
    expect(receiver.received).toEqual([]);

    await register('cpVerificationStatusUpdated');
    sandbox.setProfileStatus(profile.data.id, 'verified');
    const [delivered] = await callbacksOf('cpVerificationStatusUpdated');
    expect(delivered?.callback).toMatchObject({ kind: 'profile', profileId: profile.data.id, status: 'verified' });
    expect(
      verifyStraitsxSignature(receiver.received[0]!.raw, receiver.received[0]!.headers['xfers-signature'] as string, 'other'),
    ).toBe(false);
  });

  it('retries a callback that does not get a 2xx, with the same bytes, until it does', async () => {
    await register('cpVerificationStatusUpdated');
    receiver.script.set('cpVerificationStatusUpdated', [500, 500]);
    const profile = await verifiedProfile();

    await client.request('PUT', sxPath`/sandbox/kyc/customer_profiles/${profile.data.id}`, {
      body: { data: { attributes: { verificationStatus: 'verified' } } },
    });
    const delivered = await callbacksOf('cpVerificationStatusUpdated');

    expect(delivered).toHaveLength(3);
    expect(new Set(receiver.received.map((r) => r.raw)).size).toBe(1);
    expect(sandbox.callbackDeliveries()).toEqual(
      [500, 500, 200].map((status, i) => ({
        event: 'cpVerificationStatusUpdated',
        url: receiver.urlFor('cpVerificationStatusUpdated'),
        attempt: i + 1,
        status,
      })),
    );
  });

  it('PUT /sandbox/kyc/customer_profiles/{id} sets the status and sends the profile document', async () => {
    await register('cpVerificationStatusUpdated');
    sandbox.setVerificationMode('pending');
    const profile = await verifiedProfile();
    const put = (attributes: Record<string, unknown>) =>
      client.request<Doc>('PUT', sxPath`/sandbox/kyc/customer_profiles/${profile.data.id}`, { body: { data: { attributes } } });

    const rejected = await put({
      verificationStatus: 'rejected',
      isRetryable: true,
      verificationRejectionSummary: 'Blurred document',
    });
    const verified = await put({ verificationStatus: 'verified' });
    const [first, second] = await callbacksOf('cpVerificationStatusUpdated');

    expect(rejected.data.attributes).toMatchObject({ verificationStatus: 'rejected', isRetryable: true });
    expect(first?.body).toEqual(rejected);
    expect(first?.callback).toMatchObject({ status: 'rejected', isRetryable: true, rejectionSummary: 'Blurred document' });
    expect(second?.body).toEqual(verified);
    expect(verified.data.attributes).not.toHaveProperty('isRetryable');
    await expect(client.request('GET', sxPath`/kyc/customer_profiles/${profile.data.id}`)).resolves.toEqual(verified);
    expect(await failure(put({ verificationStatus: 'pending' }))).toEqual([400, 'STXE-3000']);
    expect(
      await failure(
        client.request('PUT', '/sandbox/kyc/customer_profiles/customer_profile_unknown', {
          body: { data: { attributes: { verificationStatus: 'verified' } } },
        }),
      ),
    ).toEqual([404, 'STXE-5000']);
  });

  it('PUT .../virtual_bank_accounts/{id} enables a USD account with instructions and sends virtualAccountStatusUpdated', async () => {
    await register('virtualAccountStatusUpdated');
    const profile = await verifiedProfile();
    const usd = await account(profile.data.id, 'USD');
    const path = sxPath`/sandbox/customer_profile/${profile.data.id}/virtual_bank_accounts/${usd.data.id}`;

    const enabled = await client.request<Doc>('PUT', path, { body: { status: 'enabled' } });
    await client.request<Doc>('PUT', path, { body: { status: 'disabled' } });
    const [on, off] = await callbacksOf('virtualAccountStatusUpdated');

    expect(enabled.data.attributes).toMatchObject({ status: 'enabled', instructions: { swiftBic: 'DBSSSGSGXXX' } });
    expect(on?.callback).toEqual({
      event: 'virtualAccountStatusUpdated',
      kind: 'virtualAccount',
      accountId: usd.data.id,
      referenceId: 'ref-USD',
      status: 'enabled',
      dedupeKey: `virtualAccountStatusUpdated:${usd.data.id}:enabled`,
    });
    expect((on?.body as Doc).data.attributes).toMatchObject({
      currency: 'USD',
      instructions: enabled.data.attributes.instructions,
    });
    expect((on?.body as Doc).data.attributes.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect((off?.body as Doc).data.attributes).not.toHaveProperty('instructions');

    const other = await verifiedProfile('Tom Lee', 'S7654321B');
    const elsewhere = sxPath`/sandbox/customer_profile/${other.data.id}/virtual_bank_accounts/${usd.data.id}`;
    expect(await failure(client.request('PUT', elsewhere, { body: { status: 'enabled' } }))).toEqual([404, 'STXE-5000']);
    expect(await failure(client.request('PUT', path, { body: { status: 'pending' } }))).toEqual([400, 'STXE-3000']);
  });

  it('POST .../bank_transfer_simulations completes, or holds with NM-001 and CR-001, and sends paymentStatusUpdated', async () => {
    await register('paymentStatusUpdated');
    const profile = await verifiedProfile('Acme Fintech Pte Ltd', 'S1234567A');
    const sgd = await account(profile.data.id, 'SGD');
    const accountNo = (sgd.data.attributes.instructions as { accountNo: string }).accountNo;
    const transfer = (holder: string) =>
      client.request<Record<string, unknown>>(
        'POST',
        sxPath`/sandbox/customer_profile/${profile.data.id}/bank_transfer_simulations`,
        {
          body: { destination_bank_account_no: accountNo, amount: '100', source_bank_account_holder_name: holder },
        },
      );

    const matching = await transfer('ACME FINTECH PTE. LTD.');
    const mismatching = await transfer('Someone Else');
    expect(sandbox.flagForComplianceReview(profile.data.id)).toBe(true);
    const reviewed = await transfer('Acme Fintech Pte Ltd');
    const payments = await callbacksOf('paymentStatusUpdated');

    expect(matching).toMatchObject({
      status: 'completed',
      blocked_reasons: [],
      amount: '100.0',
      currency: 'xsgd',
      bank_account_no: accountNo,
    });
    expect(mismatching).toMatchObject({ status: 'pending', blocked_reasons: ['NM-001'] });
    expect(reviewed).toMatchObject({ status: 'pending', blocked_reasons: ['CR-001'] });
    expect(payments.map((p) => p.body)).toEqual([matching, mismatching, reviewed]);
    expect(payments.map((p) => p.callback)).toEqual([
      expect.objectContaining({
        kind: 'payment',
        paymentId: matching.id,
        profileId: profile.data.id,
        status: 'completed',
        blockedReasons: [],
      }),
      expect.objectContaining({ status: 'pending', blockedReasons: ['NM-001'] }),
      expect.objectContaining({ status: 'pending', blockedReasons: ['CR-001'] }),
    ]);

    const released = await client.request(
      'PUT',
      sxPath`/sandbox/customer_profile/${profile.data.id}/payments/${String(reviewed.id)}`,
      {
        body: { data: { attributes: { status: 'completed' } } },
      },
    );
    expect(released).toMatchObject({ id: reviewed.id, status: 'completed', blocked_reasons: [] });
    expect((await callbacksOf('paymentStatusUpdated')).at(-1)?.callback).toMatchObject({
      status: 'completed',
      blockedReasons: [],
    });

    const simulate = (id: string, body: object) =>
      failure(client.request('POST', sxPath`/sandbox/customer_profile/${id}/bank_transfer_simulations`, { body }));
    expect(
      await simulate(profile.data.id, {
        destination_bank_account_no: accountNo,
        amount: '0',
        source_bank_account_holder_name: 'x',
      }),
    ).toEqual([400, 'STXE-3000']);
    expect(await simulate(profile.data.id, { destination_bank_account_no: accountNo, amount: '5' })).toEqual([400, 'STXE-3000']);
    expect(
      await simulate(profile.data.id, { destination_bank_account_no: '1', amount: '5', source_bank_account_holder_name: 'x' }),
    ).toEqual([404, 'STXE-5000']);
    expect(
      await simulate('customer_profile_unknown', {
        destination_bank_account_no: accountNo,
        amount: '5',
        source_bank_account_holder_name: 'x',
      }),
    ).toEqual([404, 'STXE-5000']);
  });

  it('POST .../rfi-requests sends a "sent" RFI and PUT .../transition a "completed" one, both as cpRfiStatusUpdated', async () => {
    await register('cpRfiStatusUpdated');
    const profile = await verifiedProfile();
    const base = sxPath`/sandbox/customer_profile/${profile.data.id}/rfi-requests`;
    const questions = [
      { text: 'What is your occupation?', type: 'TEXT', required: true },
      { text: 'Select options', type: 'CHECKBOX', options: ['Option 1', 'others'], required: false },
    ];

    const sent = await client.request<Doc>('POST', base, { body: { data: { attributes: { questions, expiryDays: 10 } } } });
    const rfiId = sent.data.id;
    const completed = await client.request<Doc>('PUT', `${base}/${rfiId}/transition`, {
      body: { data: { attributes: { status: 'completed' } } },
    });
    const [first, second] = await callbacksOf('cpRfiStatusUpdated');

    expect(rfiId).toMatch(/^rfi_request_/);
    expect(sent.data.attributes).toMatchObject({
      customerProfileId: profile.data.id,
      activeRfiRequest: {
        status: 'sent',
        rfiQuestions: [
          {
            id: 1,
            question: 'What is your occupation?',
            optional: false,
            replyType: 'TEXT',
            questionStatus: 'pending',
            requiresAction: true,
          },
          { id: 2, optional: true, replyType: 'CHECKBOX', checkboxOptions: ['Option 1', 'others'] },
        ],
      },
      rfiProgressSummary: { daysUntilExpiry: 10, totalQuestions: 2, pendingQuestions: 2, completionPercentage: 0 },
    });
    expect(first?.body).toEqual(sent);
    expect(first?.callback).toEqual(expect.objectContaining({ kind: 'rfi', rfiId, profileId: profile.data.id, status: 'sent' }));
    expect(second?.body).toEqual(completed);
    expect(second?.callback).toMatchObject({ status: 'completed', dedupeKey: `cpRfiStatusUpdated:${rfiId}:completed` });

    const post = (path: string, attributes: object) => failure(client.request('POST', path, { body: { data: { attributes } } }));
    expect(await post(base, { questions: [] })).toEqual([400, 'STXE-3000']);
    expect(await post(base, { questions: [{ text: 'x', type: 'CHECKBOX', required: true }] })).toEqual([400, 'STXE-3000']);
    expect(await post('/sandbox/customer_profile/customer_profile_unknown/rfi-requests', { questions })).toEqual([
      404,
      'STXE-5000',
    ]);
    const transition = (id: string, status: string) =>
      failure(client.request('PUT', `${base}/${id}/transition`, { body: { data: { attributes: { status } } } }));
    expect(await transition('rfi_request_unknown', 'completed')).toEqual([404, 'STXE-5000']);
    expect(await transition(rfiId, 'expired')).toEqual([400, 'STXE-3000']);
  });
});

describe('StraitsX sandbox callback retries end', () => {
  it('after the last attempt, and at stop() for a retry still waiting', async () => {
    const receiver = await startReceiver();
    receiver.script.set('cpVerificationStatusUpdated', Array(10).fill(503));
    const limited = await startStraitsxSandbox({
      apiKey: API_KEY,
      ratePerSecond: 0,
      callbackRetryMs: 5,
      callbackMaxAttempts: 3,
      callbackSecret: 's',
    });
    const slow = await startStraitsxSandbox({ apiKey: API_KEY, ratePerSecond: 0, callbackRetryMs: 60_000 });
    try {
      for (const sandbox of [limited, slow]) {
        const c = new StraitsxClient({ baseUrl: sandbox.url, apiKey: API_KEY, timeoutMs: 2000 });
        await c.request('PATCH', '/webhooks', {
          body: { data: { attributes: { cpVerificationStatusUpdated: receiver.urlFor('cpVerificationStatusUpdated') } } },
        });
        const profile = await c.request<Doc>('POST', '/kyc/customer_profiles', {
          body: { registrationType: 'personal', customerName: 'Jane Tan', registrationId: 'S1234567A' },
        });
        sandbox.setProfileStatus(profile.data.id, 'rejected');
      }
      expect(limited.callbackSecret).toBe('s');
      await limited.callbacksSettled();
      expect(limited.callbackDeliveries().map((d) => [d.attempt, d.status])).toEqual([
        [1, 503],
        [2, 503],
        [3, 503],
      ]);

      // The slow sandbox's first attempt failed and a retry is a minute away: stopping must not wait for it.
      await expect.poll(() => slow.callbackDeliveries().length).toBe(1);
      const started = Date.now();
      await slow.stop();
      await slow.callbacksSettled();
      expect(Date.now() - started).toBeLessThan(1000);
      expect(slow.callbackDeliveries()).toHaveLength(1);
    } finally {
      await limited.stop();
      await slow.stop();
      await receiver.stop();
    }
  });
});
