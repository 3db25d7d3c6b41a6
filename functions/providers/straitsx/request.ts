import * as z from 'zod/mini';
import { straitsxCustomerSchema } from './schema';
import { bankAccountRequestSchema } from './schema-bank-account';
import { plusCustomerSchema } from './schema-plus';
import { usdRailMissingFields } from './schema-usd';

const merchantRef = z
  .string()
  .check(z.regex(/^[A-Za-z0-9._:-]{1,191}$/, 'merchantRef must be 1 to 191 letters, digits or . _ : -'));

/**
 * The virtual bank account asked for. SGD accounts are enabled at once over FAST (or MEPS); USD ones go
 * over SWIFT and stay pending until StraitsX enables them.
 */
const virtualAccountSchema = z
  .pipe(
    z.strictObject({
      currency: z._default(z.enum(['SGD', 'USD'], 'currency must be SGD or USD'), 'SGD'),
      network: z.optional(z.enum(['fast', 'meps', 'swift'], 'network must be fast, meps or swift')),
    }),
    z.transform((account) => ({
      currency: account.currency,
      network: account.network ?? (account.currency === 'USD' ? 'swift' : 'fast'),
    })),
  )
  .check(
    z.refine((account) => account.currency === 'SGD' || account.network === 'swift', {
      message: 'network must be swift for a USD account',
      path: ['network'],
    }),
  );

const common = {
  provider: z.literal('straitsx'),
  merchantRef,
  virtualAccount: z._default(virtualAccountSchema, { currency: 'SGD', network: 'fast' }),
  /** The customer's own bank account, added to the profile once it is verified; its proof is uploaded as a document. */
  bankAccount: z.optional(bankAccountRequestSchema),
};

/** Basic customer profile (CP): no KYC, verified at once; USD needs the USD-rail fields. */
const basicRequest = z.strictObject({ ...common, profileType: z.literal('CP'), customer: straitsxCustomerSchema }).check(
  z.superRefine((request, ctx) => {
    if (request.virtualAccount.currency !== 'USD') return;
    const missing = usdRailMissingFields(request.customer);
    if (missing.length > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['virtualAccount', 'currency'],
        message: `a USD account needs profileType CP+ or these customer fields: ${missing.join(', ')}`,
      });
    }
  }),
);

/** Full-KYC profile (CP+): pending until StraitsX verifies it; documents are uploaded through our API. */
const plusRequest = z.strictObject({ ...common, profileType: z.literal('CP+'), customer: plusCustomerSchema });

/** A StraitsX onboarding request; `profileType` defaults to the basic profile. */
export const straitsxRequestSchema = z.pipe(
  z.transform((input) =>
    input && typeof input === 'object' && !('profileType' in input) ? { ...input, profileType: 'CP' } : input,
  ),
  z.discriminatedUnion('profileType', [basicRequest, plusRequest], {
    error: (issue) => (issue.code === 'invalid_union' ? 'profileType must be CP or CP+' : undefined),
  }),
);

export type StraitsxOnboardingRequest = z.output<typeof straitsxRequestSchema>;
