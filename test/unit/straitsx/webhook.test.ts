import * as crypto from 'node:crypto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import {
  isStraitsxCallbackEvent,
  parseStraitsxCallback,
  STRAITSX_CALLBACK_EVENTS,
  verifyStraitsxSignature,
} from '../../../functions/providers/straitsx/webhook';
import { ConfigurationError } from '../../../functions/shared/errors';

// Wrapped so a test can see whether the constant-time comparison ran, and with what.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const SECRET = 'whsec_test_secret';
const hmac = (body: string | Buffer, secret = SECRET) => crypto.createHmac('sha256', secret).update(body).digest('hex');

describe('verifyStraitsxSignature', () => {
  const body = '{"id":"contract_1","status":"completed","blocked_reasons":[]}';
  const timingSafeEqual = vi.mocked(crypto.timingSafeEqual);
  beforeEach(() => {
    timingSafeEqual.mockClear();
  });

  it('accepts the hex HMAC-SHA256 of the raw body, as a string or as bytes', () => {
    expect(verifyStraitsxSignature(body, hmac(body), SECRET)).toBe(true);
    expect(verifyStraitsxSignature(Buffer.from(body), hmac(body), SECRET)).toBe(true);
    expect(verifyStraitsxSignature(body, hmac(body).toUpperCase(), SECRET)).toBe(true);
  });

  it('refuses another secret, a changed body and a re-serialised body', () => {
    expect(verifyStraitsxSignature(body, hmac(body, 'other'), SECRET)).toBe(false);
    expect(verifyStraitsxSignature(body.replace('completed', 'refunded'), hmac(body), SECRET)).toBe(false);
    expect(verifyStraitsxSignature(JSON.stringify(JSON.parse(body), null, 1), hmac(body), SECRET)).toBe(false);
  });

  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['odd length', hmac(body).slice(1)],
    ['too short', hmac(body).slice(2)],
    ['too long', `${hmac(body)}00`],
    ['not hex', `${hmac(body).slice(0, 63)}g`],
    ['prefixed', `sha256=${hmac(body)}`],
    ['padded', ` ${hmac(body)}`],
  ])('refuses a %s header without comparing', (_name, header) => {
    expect(verifyStraitsxSignature(body, header, SECRET)).toBe(false);
    expect(timingSafeEqual).not.toHaveBeenCalled();
  });

  it('compares a well-formed header in constant time over the 32 digest bytes', () => {
    const wrong = hmac(body, 'other');
    expect(verifyStraitsxSignature(body, wrong, SECRET)).toBe(false);
    expect(timingSafeEqual).toHaveBeenCalledTimes(1);
    const [given, expected] = timingSafeEqual.mock.calls[0] as [Buffer, Buffer];
    expect([given.length, expected.length]).toEqual([32, 32]);
    expect(given.toString('hex')).toBe(wrong);
  });

  it('treats an empty secret as a deployment fault', () => {
    expect(() => verifyStraitsxSignature(body, hmac(body, ''), '')).toThrow(ConfigurationError);
  });
});

// Payloads as the provider's callback reference shows them (personal data replaced by test values).
const profilePayload = (attributes: Record<string, unknown>) => ({
  data: {
    id: 'customer_profile_a1b2c3d4-e5f6-7890-abcd-ef1234567890',
    type: 'customer_profile',
    attributes: { customerName: 'Jane Doe', registrationType: 'personal', registrationId: 'S1234567A', ...attributes },
  },
});
const accountPayload = {
  data: {
    id: 'virtual_account_b2c3d4e5',
    type: 'virtual_bank_account',
    attributes: {
      referenceId: 'your-reference-id-456',
      currency: 'USD',
      status: 'enabled',
      instructions: { recipientName: 'ACME FINTECH PTE LTD', accountNo: '885375012470001' },
      createdAt: '2026-05-14T08:04:56.973Z',
    },
  },
};
const rfiPayload = {
  data: {
    id: 'rfi_request_0b3k17mmb63gcx55',
    type: 'rfiRequest',
    attributes: {
      customerProfileId: 'customer_profile_a1b2',
      activeRfiRequest: {
        createdAt: '2026-05-14T03:11:13Z',
        status: 'sent',
        rfiQuestions: [{ id: 1001, questionStatus: 'pending' }],
      },
      rfiProgressSummary: { expiryDate: '2026-05-28T16:59:59Z', daysUntilExpiry: 14 },
    },
  },
};
const paymentPayload = {
  id: 'contract_a1b2c3d4',
  type: 'Direct bank transfer',
  amount: '1000.0',
  status: 'pending',
  bank_account_no: '3225445900001',
  blocked_reasons: ['NM-001'],
  currency: 'xsgd',
  sender_bank_account_holder_name: 'ACME FINTECH PTE. LTD.',
  customer_profile_id: 'customer_profile_a1b2',
};
const bankAccountPayload = { id: 12345, account_no: 'LT073250064800012345', disabled: false, verification_status: 'verified' };

describe('parseStraitsxCallback', () => {
  it('lists the events it understands', () => {
    expect(STRAITSX_CALLBACK_EVENTS).toEqual([
      'cpVerificationStatusUpdated',
      'virtualAccountStatusUpdated',
      'cpRfiStatusUpdated',
      'paymentStatusUpdated',
      'cpbaVerificationStatusUpdated',
    ]);
    expect(isStraitsxCallbackEvent('paymentStatusUpdated')).toBe(true);
    expect(isStraitsxCallbackEvent('payoutStatusUpdated')).toBe(false);
  });

  it('reduces a profile verification to its id and status', () => {
    const parsed = parseStraitsxCallback('cpVerificationStatusUpdated', profilePayload({ verificationStatus: 'verified' }));
    expect(parsed).toEqual({
      success: true,
      callback: {
        event: 'cpVerificationStatusUpdated',
        kind: 'profile',
        profileId: 'customer_profile_a1b2c3d4-e5f6-7890-abcd-ef1234567890',
        status: 'verified',
        dedupeKey: 'cpVerificationStatusUpdated:customer_profile_a1b2c3d4-e5f6-7890-abcd-ef1234567890:verified',
      },
    });
  });

  it('keeps retryability and the summary of a rejection', () => {
    const parsed = parseStraitsxCallback(
      'cpVerificationStatusUpdated',
      profilePayload({ verificationStatus: 'rejected', isRetryable: false, verificationRejectionSummary: 'Document unreadable' }),
    );
    expect(parsed.success && parsed.callback).toMatchObject({
      status: 'rejected',
      isRetryable: false,
      rejectionSummary: 'Document unreadable',
    });
  });

  it('reduces a virtual account status change', () => {
    const parsed = parseStraitsxCallback('virtualAccountStatusUpdated', accountPayload);
    expect(parsed.success && parsed.callback).toEqual({
      event: 'virtualAccountStatusUpdated',
      kind: 'virtualAccount',
      accountId: 'virtual_account_b2c3d4e5',
      referenceId: 'your-reference-id-456',
      status: 'enabled',
      dedupeKey: 'virtualAccountStatusUpdated:virtual_account_b2c3d4e5:enabled',
    });
  });

  it('reduces an RFI status change to the active request status', () => {
    const parsed = parseStraitsxCallback('cpRfiStatusUpdated', rfiPayload);
    expect(parsed.success && parsed.callback).toEqual({
      event: 'cpRfiStatusUpdated',
      kind: 'rfi',
      rfiId: 'rfi_request_0b3k17mmb63gcx55',
      profileId: 'customer_profile_a1b2',
      status: 'sent',
      dedupeKey: 'cpRfiStatusUpdated:rfi_request_0b3k17mmb63gcx55:sent',
    });
  });

  it('reduces a payment to ids, status and blocked reasons, without the sender', () => {
    const parsed = parseStraitsxCallback('paymentStatusUpdated', paymentPayload);
    expect(parsed.success && parsed.callback).toEqual({
      event: 'paymentStatusUpdated',
      kind: 'payment',
      paymentId: 'contract_a1b2c3d4',
      profileId: 'customer_profile_a1b2',
      status: 'pending',
      blockedReasons: ['NM-001'],
      dedupeKey: 'paymentStatusUpdated:contract_a1b2c3d4:pending',
    });
    const paynow = parseStraitsxCallback('paymentStatusUpdated', {
      ...paymentPayload,
      customer_profile_id: null,
      blocked_reasons: null,
    });
    expect(paynow.success && paynow.callback).toMatchObject({ blockedReasons: [] });
    expect(paynow.success && 'profileId' in paynow.callback).toBe(false);
  });

  it('reduces a bank account verification, whose id is an integer', () => {
    const parsed = parseStraitsxCallback('cpbaVerificationStatusUpdated', bankAccountPayload);
    expect(parsed.success && parsed.callback).toEqual({
      event: 'cpbaVerificationStatusUpdated',
      kind: 'bankAccount',
      bankAccountId: 12345,
      status: 'verified',
      dedupeKey: 'cpbaVerificationStatusUpdated:12345:verified',
    });
    expect(parseStraitsxCallback('cpbaVerificationStatusUpdated', { ...bankAccountPayload, id: '12345' }).success).toBe(false);
  });

  it('gives the same dedupe key to a repeated delivery and a new one to a new status', () => {
    const key = (status: string) => {
      const parsed = parseStraitsxCallback('cpVerificationStatusUpdated', profilePayload({ verificationStatus: status }));
      return parsed.success ? parsed.callback.dedupeKey : undefined;
    };
    expect(key('pending')).toBe(key('pending'));
    expect(key('pending')).not.toBe(key('verified'));
  });

  it('names the failing fields and never the values in them', () => {
    const parsed = parseStraitsxCallback('cpVerificationStatusUpdated', profilePayload({ verificationStatus: 'S1234567A' }));
    expect(parsed.success).toBe(false);
    if (parsed.success) return;
    expect(parsed.errors.map((e) => e.path)).toEqual(['data.attributes.verificationStatus']);
    expect(JSON.stringify(parsed.errors)).not.toContain('S1234567A');

    const missing = parseStraitsxCallback('paymentStatusUpdated', { status: 'completed' });
    expect(missing.success === false && missing.errors).toEqual([{ path: 'id', message: 'is required' }]);
    expect(parseStraitsxCallback('virtualAccountStatusUpdated', 'not json').success).toBe(false);
    expect(parseStraitsxCallback('cpRfiStatusUpdated', { data: { id: 'rfi_1', attributes: {} } }).success).toBe(false);
  });
});
