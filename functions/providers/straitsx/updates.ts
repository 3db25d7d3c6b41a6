import type { ProviderUpdate } from '../port';
import { STRAITSX_REJECTED } from './mappers';
import type { StraitsxCallback } from './webhook';

/** Payment hold codes that need the merchant's attention for that customer (compliance, risk, name mismatch). */
export const ATTENTION_CODES = ['CR-001', 'FG-001', 'NM-001'] as const;

/** A StraitsX callback in the workflow's words; undefined when it concerns nothing an onboarding tracks. */
export function toProviderUpdate(callback: StraitsxCallback): ProviderUpdate | undefined {
  switch (callback.kind) {
    case 'profile':
      return {
        kind: 'profile',
        profileId: callback.profileId,
        status: callback.status,
        ...(callback.status === 'rejected' ? { rejection: { reason: STRAITSX_REJECTED, retryable: callback.isRetryable } } : {}),
      };
    case 'virtualAccount':
      return { kind: 'account', accountId: callback.accountId, status: callback.status };
    case 'rfi':
      return {
        kind: 'information',
        profileId: callback.profileId,
        requestId: callback.rfiId,
        status: callback.status,
        open: callback.status === 'sent' || callback.status === 'received',
      };
    case 'payment': {
      const codes = callback.blockedReasons.filter((code) => (ATTENTION_CODES as readonly string[]).includes(code));
      if (!callback.profileId || codes.length === 0) return undefined;
      return { kind: 'attention', profileId: callback.profileId, reference: callback.paymentId, codes };
    }
    case 'bankAccount':
      return { kind: 'bankAccount', bankAccountId: String(callback.bankAccountId), status: callback.status };
  }
}
