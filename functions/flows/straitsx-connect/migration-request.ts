import * as z from 'zod/mini';
import { straitsxCustomerSchema } from '../../providers/straitsx/schema';
import { parseRequestOrThrow, ValidationFailed } from '../../shared/validation';

/**
 * The body of `POST /migrations/connect`: a user of StraitsX's legacy Connect flow, moved onto a customer
 * profile with their virtual account number kept (StraitsX "Connect User Migration Guide").
 */

/**
 * The Connect `user_api_token` (sent as `X-XFERS-USER-API-KEY`). It is a credential: only its shape is
 * checked, and no message repeats it. Visible ASCII only, because it travels in an HTTP header.
 */
export const userApiTokenSchema = z.string().check(
  z.minLength(1, 'userApiToken is required (1 to 255 characters)'),
  z.maxLength(255, 'userApiToken must be at most 255 characters'),
  // `*`, not `+`: an empty token is reported once, by the rule above.
  z.regex(/^[\x21-\x7e]*$/, 'userApiToken must be visible ASCII characters with no whitespace'),
);

/**
 * The user's past Connect `merchant_ref`: it becomes the virtual account's `referenceId` (1 to 191
 * characters at StraitsX). It is held to the same rule as an onboarding's merchantRef because it is kept
 * in the record and in events, where a free-text reference could carry personal data (an e-mail).
 */
export const pastMerchantRefSchema = z
  .string()
  .check(
    z.regex(/^[A-Za-z0-9._:-]{1,191}$/, 'merchantRef must be the past Connect merchant_ref: 1 to 191 letters, digits or . _ : -'),
  );

/** `POST /migrations/connect`: the past merchant_ref, the Connect token and the basic StraitsX profile. */
export const connectMigrationRequestSchema = z.strictObject({
  merchantRef: pastMerchantRefSchema,
  userApiToken: userApiTokenSchema,
  customer: straitsxCustomerSchema,
});

export type ConnectMigrationRequest = z.output<typeof connectMigrationRequestSchema>;

/** Validates a migration request; ValidationFailed lists every failing field and rule, never a value. */
export function parseConnectMigrationRequest(input: unknown): ConnectMigrationRequest {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new ValidationFailed([{ path: '', message: 'the body must be a JSON object' }]);
  }
  return parseRequestOrThrow(connectMigrationRequestSchema, input);
}
