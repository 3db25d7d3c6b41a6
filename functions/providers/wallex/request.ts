import * as z from 'zod/mini';
import { wallexCustomerSchema } from './schema';

const merchantRef = z
  .string()
  .check(z.regex(/^[A-Za-z0-9._:-]{1,191}$/, 'merchantRef must be 1 to 191 letters, digits or . _ : -'));

/** A Wallex onboarding request: the user in Wallex's own field names; documents come through our API. */
export const wallexRequestSchema = z.strictObject({
  provider: z.literal('wallex'),
  merchantRef,
  customer: wallexCustomerSchema,
});

export type WallexOnboardingRequest = z.output<typeof wallexRequestSchema>;
