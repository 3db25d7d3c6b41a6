import * as z from 'zod/mini';
import { parseOrThrow, ValidationFailed } from '../../shared/validation';
import { NATIVE_NAME, rule } from './schema';
import { FILE_URL, freeText, isBlank, issue } from './schema-plus-common';

/**
 * A customer profile's own bank account (`POST /customer_profile/{id}/bank_accounts`), flat snake_case.
 * The merchant sends the account; the proof comes from our bucket and is added by the workflow.
 */

/** Account number: 5 to 34 letters, digits or dashes. */
export const ACCOUNT_NO = /^[a-zA-Z0-9-]{5,34}$/;
/** SWIFT/BIC: 8 or 11 characters. The intermediary's text says "11 characters" but its regex allows 8 too. */
export const SWIFT_BIC = /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/;
/** Routing code: 1 to 31 capital letters or digits. */
export const ROUTING_CODE = /^[A-Z0-9]{1,31}$/;
/** payment_reason: 1 to 150 characters (it overrides MT103 field 70). */
export const TEXT_150 = /^\s*.{1,150}\s*$/;
/** A base64 data URI of an accepted proof type: PDF, PNG or JPG/JPEG. */
export const PROOF_DATA_URI = /^data:(application\/pdf|image\/png|image\/jpeg);base64,([A-Za-z0-9+/]+={0,2})$/;
/** The proof's file name, ending in an accepted type. */
export const PROOF_FILE_NAME = /^[^/\\]{1,187}\.(pdf|png|jpe?g)$/i;
/** File uploads are limited to 10 MB per request. */
export const MAX_PROOF_BYTES = 10 * 1024 * 1024;

const bankAccountFields = {
  account_no: z.string().check(z.regex(ACCOUNT_NO, rule(ACCOUNT_NO, 'account_no must be 5 to 34 letters, digits or dashes'))),
  account_holder_name: z
    .string()
    .check(
      z.maxLength(191, { message: 'account_holder_name must be at most 191 characters', abort: true }),
      z.regex(NATIVE_NAME, rule(NATIVE_NAME, 'account_holder_name must be 1 to 191 characters')),
    ),
  // An abbreviation from GET /banks; the list is the provider's, so only its shape is checked here.
  bank: z.optional(
    z
      .string()
      .check(
        z.maxLength(191, { message: 'bank must be at most 191 characters', abort: true }),
        z.regex(NATIVE_NAME, rule(NATIVE_NAME, 'bank must be a bank abbreviation of 1 to 191 characters')),
      ),
  ),
  swift_bic: z.optional(
    z.string().check(z.regex(SWIFT_BIC, rule(SWIFT_BIC, 'swift_bic must be an 8 or 11 character SWIFT/BIC code'))),
  ),
  intermediary_swift_bic: z.optional(
    z.string().check(z.regex(SWIFT_BIC, rule(SWIFT_BIC, 'intermediary_swift_bic must be an 8 or 11 character SWIFT/BIC code'))),
  ),
  routing_code: z.optional(
    z.string().check(z.regex(ROUTING_CODE, rule(ROUTING_CODE, 'routing_code must be 1 to 31 capital letters or digits'))),
  ),
  payment_reason: z.optional(freeText('payment_reason', TEXT_150, 150)),
};

// `bank` is needed for FAST and `swift_bic` for SWIFT; an account with neither cannot be paid on any
// rail (the legacy XFE506 "required bank data empty").
function bankOrSwift(value: { bank?: string; swift_bic?: string }, ctx: z.core.$RefinementCtx<unknown>) {
  if (isBlank(value.bank) && isBlank(value.swift_bic)) {
    issue(ctx, ['bank'], 'bank is required unless swift_bic is given (bank for FAST, swift_bic for SWIFT)');
  }
}

/** The bank account as the merchant sends it, without the proof. */
export const bankAccountRequestSchema = z.strictObject(bankAccountFields).check(z.superRefine(bankOrSwift));
export type BankAccountRequest = z.output<typeof bankAccountRequestSchema>;

/** Decoded size of a base64 payload, without decoding it. */
const base64Bytes = (data: string) => Math.floor((data.length * 3) / 4) - (data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0);

/** bank_account_proof: a link the provider fetches, or the file inline as a data URI with its name. */
export const bankAccountProofSchema = z
  .strictObject({
    fileUrl: z.optional(z.string().check(z.regex(FILE_URL, rule(FILE_URL, 'fileUrl must be a file link (http or https URL)')))),
    fileData: z.optional(
      z.string().check(
        z.regex(PROOF_DATA_URI, rule(PROOF_DATA_URI, 'fileData must be a base64 data URI of a PDF, PNG or JPEG file')),
        z.refine((uri) => base64Bytes(uri.slice(uri.indexOf(',') + 1)) <= MAX_PROOF_BYTES, 'fileData must be at most 10 MB'),
      ),
    ),
    fileName: z.optional(
      z.string().check(z.regex(PROOF_FILE_NAME, rule(PROOF_FILE_NAME, 'fileName must end in .pdf, .png, .jpg or .jpeg'))),
    ),
  })
  .check(
    z.superRefine((value, ctx) => {
      const byUrl = value.fileUrl !== undefined;
      const inline = value.fileData !== undefined || value.fileName !== undefined;
      if (byUrl && inline) issue(ctx, [], 'bank_account_proof must carry either fileUrl or fileData with fileName, not both');
      if (!byUrl && !inline) issue(ctx, ['fileUrl'], 'fileUrl is required unless fileData and fileName are given');
      if (inline && value.fileData === undefined) issue(ctx, ['fileData'], 'fileData is required with fileName');
      if (inline && value.fileName === undefined) issue(ctx, ['fileName'], 'fileName is required with fileData');
    }),
  );
export type BankAccountProof = z.output<typeof bankAccountProofSchema>;

/** The bank account body as the provider takes it, proof included (used by the sandbox). */
export const bankAccountProviderSchema = z
  .strictObject({ ...bankAccountFields, bank_account_proof: bankAccountProofSchema })
  .check(z.superRefine(bankOrSwift));
export type BankAccountProviderBody = z.output<typeof bankAccountProviderSchema>;

/** True when a proof link carries a query string, which the provider refuses. */
export const proofUrlHasQuery = (url: string) => url.includes('?');

/**
 * The provider's body for a bank account: the request plus its proof. A link with a query string (a
 * presigned URL) is refused by the provider with "Invalid file url provided", so it is refused here
 * before the call; such a file has to go inline as fileData.
 */
export function toBankAccountProviderBody(account: BankAccountRequest, proof: BankAccountProof): BankAccountProviderBody {
  if (proof.fileUrl !== undefined && proofUrlHasQuery(proof.fileUrl)) {
    throw new ValidationFailed([
      { path: 'bank_account_proof.fileUrl', message: 'fileUrl must not carry a query string (send the file as fileData)' },
    ]);
  }
  return parseOrThrow(bankAccountProviderSchema, { ...account, bank_account_proof: proof });
}
