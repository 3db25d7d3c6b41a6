import { describe, expect, it } from 'vitest';
import { sxPath } from '../../../functions/providers/straitsx/client';
import { callbackFixture, type Doc, failure } from './straitsx-callback-fixture';

/** A 1x1 PNG, enough for the sandbox to recognise a bank account proof. */
const ONE_PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** Each sandbox-only simulation endpoint: the state it changes and the callback it sends. */
describe('StraitsX sandbox simulations', () => {
  const fx = callbackFixture();

  it('PUT .../virtual_bank_accounts/{id} enables a USD account with instructions and sends virtualAccountStatusUpdated', async () => {
    const client = fx.client();
    await fx.register('virtualAccountStatusUpdated');
    const profile = await fx.profile();
    const usd = await fx.account(profile.data.id, 'USD');
    const path = sxPath`/sandbox/customer_profile/${profile.data.id}/virtual_bank_accounts/${usd.data.id}`;

    const enabled = await client.request<Doc>('PUT', path, { body: { status: 'enabled' } });
    await client.request<Doc>('PUT', path, { body: { status: 'disabled' } });
    const [on, off] = await fx.callbacksOf('virtualAccountStatusUpdated');

    expect(enabled.data.attributes).toMatchObject({ status: 'enabled', instructions: { swiftBic: 'DBSSSGSGXXX' } });
    expect(on?.callback).toEqual({
      event: 'virtualAccountStatusUpdated',
      kind: 'virtualAccount',
      accountId: usd.data.id,
      referenceId: 'ref-USD',
      status: 'enabled',
      dedupeKey: `virtualAccountStatusUpdated:${usd.data.id}:enabled`,
    });
    expect(on!.body.data.attributes).toMatchObject({
      currency: 'USD',
      instructions: enabled.data.attributes.instructions,
    });
    expect(on!.body.data.attributes.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(off!.body.data.attributes).not.toHaveProperty('instructions');

    const other = await fx.profile('Tom Lee', 'S7654321B');
    const elsewhere = sxPath`/sandbox/customer_profile/${other.data.id}/virtual_bank_accounts/${usd.data.id}`;
    expect(await failure(client.request('PUT', elsewhere, { body: { status: 'enabled' } }))).toEqual([404, 'STXE-5000']);
    expect(await failure(client.request('PUT', path, { body: { status: 'pending' } }))).toEqual([400, 'STXE-3000']);
  });

  it('POST .../bank_transfer_simulations completes, or holds with NM-001 and CR-001, and sends paymentStatusUpdated', async () => {
    const client = fx.client();
    const sandbox = fx.sandbox();
    await fx.register('paymentStatusUpdated');
    const profile = await fx.profile('Acme Fintech Pte Ltd', 'S1234567A');
    const sgd = await fx.account(profile.data.id, 'SGD');
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
    const payments = await fx.callbacksOf('paymentStatusUpdated');

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
    expect((await fx.callbacksOf('paymentStatusUpdated')).at(-1)?.callback).toMatchObject({
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
    const client = fx.client();
    await fx.register('cpRfiStatusUpdated');
    const profile = await fx.profile();
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
    const [first, second] = await fx.callbacksOf('cpRfiStatusUpdated');

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

  it('PUT .../bank_accounts/{id}?verification_status= answers {"success":true} and sends cpbaVerificationStatusUpdated', async () => {
    const client = fx.client();
    await fx.register('cpbaVerificationStatusUpdated');
    const profile = await fx.profile();
    const [created] = await client.request<Array<{ id: number; verification_status: string }>>(
      'POST',
      sxPath`/customer_profile/${profile.data.id}/bank_accounts`,
      {
        body: {
          account_no: '0721100001',
          account_holder_name: 'Jane Tan',
          bank: 'DBS',
          bank_account_proof: { fileData: `data:image/png;base64,${ONE_PIXEL_PNG}`, fileName: 'proof.png' },
        },
      },
    );
    const path = sxPath`/sandbox/customer_profile/${profile.data.id}/bank_accounts/${String(created!.id)}`;

    const answer = await client.request('PUT', path, { query: { verification_status: 'rejected' } });
    const [callback] = await fx.callbacksOf('cpbaVerificationStatusUpdated');

    expect(created?.verification_status).toBe('pending');
    expect(answer).toEqual({ success: true });
    expect(callback?.body).toMatchObject({ id: created!.id, account_no: '0721100001', verification_status: 'rejected' });
    expect(callback?.body).not.toHaveProperty('customerProfileId');
    expect(callback?.callback).toEqual({
      event: 'cpbaVerificationStatusUpdated',
      kind: 'bankAccount',
      bankAccountId: created!.id,
      status: 'rejected',
      dedupeKey: `cpbaVerificationStatusUpdated:${created!.id}:rejected`,
    });

    const put = (target: string, verification_status?: string) =>
      failure(client.request('PUT', target, { query: { verification_status } }));
    expect(await put(path)).toEqual([400, 'STXE-3000']);
    expect(await put(path, 'pending')).toEqual([400, 'STXE-3000']);
    expect(await put(sxPath`/sandbox/customer_profile/${profile.data.id}/bank_accounts/999999`, 'verified')).toEqual([
      404,
      'STXE-5000',
    ]);
    const other = await fx.profile('Tom Lee', 'S7654321B');
    const elsewhere = sxPath`/sandbox/customer_profile/${other.data.id}/bank_accounts/${String(created!.id)}`;
    expect(await put(elsewhere, 'verified')).toEqual([404, 'STXE-5000']);
  });
});
