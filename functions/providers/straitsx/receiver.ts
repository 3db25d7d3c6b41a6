import { ConfigurationError } from '../../shared/errors';
import type { ProviderWebhook } from '../port';
import { readStraitsxSecret } from './transport';
import { toProviderUpdate } from './updates';
import {
  isStraitsxCallbackEvent,
  parseStraitsxCallback,
  STRAITSX_CALLBACK_EVENTS,
  STRAITSX_SIGNATURE_HEADER,
  verifyStraitsxSignature,
} from './webhook';

/**
 * StraitsX callbacks as the webhook handler receives them: one URL per callback type (payloads do not
 * name their event), the hex HMAC-SHA256 in `Xfers-Signature` over the raw body, JSON bodies.
 */
export const straitsxWebhook: ProviderWebhook = {
  events: STRAITSX_CALLBACK_EVENTS,
  jsonContentType: true,
  async verify({ raw, headers }) {
    const { callbackSigningKey } = await readStraitsxSecret();
    if (!callbackSigningKey) throw new ConfigurationError('the StraitsX secret has no callbackSigningKey');
    return { valid: verifyStraitsxSignature(raw, headers[STRAITSX_SIGNATURE_HEADER.toLowerCase()], callbackSigningKey) };
  },
  parse(body, { event }) {
    if (event === undefined || !isStraitsxCallbackEvent(event))
      return { success: false, status: 404, message: 'Unknown callback event.' };
    const parsed = parseStraitsxCallback(event, body);
    if (!parsed.success)
      return { success: false, status: 400, message: 'The callback does not have the documented shape.', errors: parsed.errors };
    const update = toProviderUpdate(parsed.callback);
    return { success: true, dedupeKey: parsed.callback.dedupeKey, updates: update ? [update] : [] };
  },
};
