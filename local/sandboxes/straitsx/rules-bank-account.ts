import * as z from 'zod';
import { matches } from './rules-basic';

/**
 * A customer profile's own bank account (`POST /customer_profile/{id}/bank_accounts`) as OpenAPI 1.5.0
 * states it: a flat snake_case body, the proof as a link or as the file inline. `bank` is for FAST and
 * `swift_bic` for SWIFT; an account with neither is the legacy XFE506 "required bank data empty".
 */

const SWIFT = /^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/;
// PDF, PNG, JPG and JPEG are the proof types the provider takes.
const DATA_URI = /^data:(application\/pdf|image\/png|image\/jpeg);base64,[A-Za-z0-9+/]+={0,2}$/;
const FILE_NAME = /\.(pdf|png|jpe?g)$/i;
const LINK = /^(https?:\/\/)?[^\s/?#]+\.[^\s/?#]+(:\d+)?([/?][^\s]*)?$/i;

const proof = z.strictObject({
  fileUrl: matches(LINK, 'fileUrl').optional(),
  fileData: matches(DATA_URI, 'fileData').optional(),
  fileName: matches(FILE_NAME, 'fileName').optional(),
});

/** The bank account body; `bankAccountIssues` adds the rules that tie fields together. */
export const bankAccountBody = z.strictObject({
  account_no: matches(/^[a-zA-Z0-9-]{5,34}$/, 'account_no'),
  account_holder_name: matches(/^\s*.{1,191}\s*$/, 'account_holder_name')
    .max(191, 'account_holder_name must be at most 191 characters')
    .refine((v) => v.trim() !== '', 'account_holder_name must not be blank'),
  // An abbreviation from GET /banks; the sandbox holds no bank list, so only its presence counts.
  bank: z.string('bank must be a string').min(1, 'bank must not be empty').optional(),
  swift_bic: matches(SWIFT, 'swift_bic').optional(),
  intermediary_swift_bic: matches(SWIFT, 'intermediary_swift_bic').optional(),
  routing_code: matches(/^[A-Z0-9]{1,31}$/, 'routing_code').optional(),
  payment_reason: matches(/^\s*.{1,150}\s*$/, 'payment_reason')
    .max(150, 'payment_reason must be at most 150 characters')
    .refine((v) => v.trim() !== '', 'payment_reason must not be blank')
    .optional(),
  bank_account_proof: proof,
});

export type BankAccountBody = z.output<typeof bankAccountBody>;

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** The rules tying a bank account's fields together, read from the raw body. */
export function bankAccountIssues(raw: Record<string, unknown>): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  if (blank(raw.bank) && blank(raw.swift_bic))
    out.push({ path: 'bank', message: 'bank is missing (bank for FAST or swift_bic for SWIFT is required)' });
  const p = raw.bank_account_proof;
  if (typeof p === 'object' && p !== null && !Array.isArray(p)) {
    const { fileUrl, fileData, fileName } = p as Record<string, unknown>;
    const inline = fileData !== undefined || fileName !== undefined;
    if (fileUrl !== undefined && inline)
      out.push({ path: 'bank_account_proof', message: 'bank_account_proof takes fileUrl or fileData with fileName, not both' });
    else if (fileUrl === undefined && !inline)
      out.push({
        path: 'bank_account_proof.fileUrl',
        message: 'bank_account_proof.fileUrl is missing (or fileData with fileName)',
      });
    else if (inline && fileData === undefined)
      out.push({
        path: 'bank_account_proof.fileData',
        message: 'bank_account_proof.fileData is missing (required with fileName)',
      });
    else if (inline && fileName === undefined)
      out.push({
        path: 'bank_account_proof.fileName',
        message: 'bank_account_proof.fileName is missing (required with fileData)',
      });
  }
  return out;
}
