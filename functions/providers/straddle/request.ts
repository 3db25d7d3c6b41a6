import * as z from 'zod/mini';
import { straddleCustomerSchema } from './schema';

const merchantRef = z
  .string()
  .check(z.regex(/^[A-Za-z0-9._:-]{1,191}$/, 'merchantRef must be 1 to 191 letters, digits or . _ : -'));

/** A Straddle onboarding request: the customer in Straddle's own field names; no virtual account, no documents. */
export const straddleRequestSchema = z.strictObject({
  provider: z.literal('straddle'),
  merchantRef,
  customer: straddleCustomerSchema,
});

export type StraddleOnboardingRequest = z.output<typeof straddleRequestSchema>;
