import * as z from 'zod/mini';
import { addressSchema, countryCode, NATIVE_NAME, POSTAL_CODE, rule } from './schema';
import { UNLISTED_CODE } from './schema-plus-enums';

/** Pieces shared by the personal and business CP+ rules: documents, free text, addresses, conditions. */

/**
 * The reference's rule for every CP+ file link: an optional http(s) scheme, a domain or an IPv4 address,
 * an optional port and path. The business section writes the same rule without `_` in host names; the
 * wider personal form is used for both, so a link valid for one is valid for the other.
 */
export const FILE_URL =
  /^(https?:\/\/)?(([0-9]{1,3}(\.[0-9]{1,3}){3,5})|(([-\p{L}_0-9]{1,256}\.)+[-\p{L}_]{2,6}))(:[0-9]+)?([/?].*)?$/iu;

/** Business website rule, as the reference writes it. */
export const WEBSITE =
  /^(https?:\/\/)?(([0-9]{1,3}(\.[0-9]{1,3}){3,5})|(([-\p{L}0-9]{1,256}\.)+[-\p{L}]{2,6}))(:[0-9]+)?([/?].*)?$/iu;

/** Free text of 1 to 255 characters (sourceOfWealth.others.details). */
export const TEXT_255 = /^\s*.{1,255}\s*$/;

/** Registration id of a director, beneficial owner or trader: 4 to 20 letters or digits. */
export const PERSON_REGISTRATION_ID = /^[a-zA-Z0-9]{4,20}$/;

/** Personal CP+ street: any text of 1 to 180 characters (`#` allowed, unlike the basic profile). */
export const PLUS_STREET = /^\s*.{1,180}\s*$/;
/** Personal CP+ city: letters (accented Latin included), spaces and ' . , - ( ), up to 100. */
export const PLUS_CITY = /^[a-zA-ZÀ-ÿ'.,\-\s()]{1,100}$/;
/** Personal CP+ state: the basic charset plus `/`, up to 15. */
export const PLUS_STATE = /^(?=.{1,15}$)[a-zA-Z0-9/\-?:().,' +]+$/;

/** Business CP+ address state: required there, 1 to 15 characters of the basic address charset. */
export const BUSINESS_STATE = /^(?=.{1,15}$)[a-zA-Z0-9\-?:().,' +]+$/;

/** A business CP+ address country as the provider takes it: alpha-2, alpha-3 or a short country name. */
export const COUNTRY_CODE_OR_NAME = /^(?:[A-Z]{2,3}|[A-Za-z][A-Za-z .,'()-]{1,59})$/;

/** The file types the provider takes, by the extension a link may end with. */
const DOCUMENT_EXTENSIONS = ['png', 'jpg', 'jpeg', 'pdf'];
const OTHER_EXTENSION = /\.([A-Za-z0-9]{1,8})$/;

// The type is judged by content when the provider fetches the file; a link whose path ends in another
// extension (`.txt`, `.docx`) is refused up front, while a key without an extension is left to that check.
function extensionAllowed(url: string): boolean {
  const path = url.replace(/^https?:\/\//i, '').replace(/[?#].*$/, '');
  const slash = path.indexOf('/');
  const found = slash < 0 ? null : OTHER_EXTENSION.exec(path.slice(slash));
  return !found || DOCUMENT_EXTENSIONS.includes((found[1] ?? '').toLowerCase());
}

/** A provider-side document field: a file link the provider fetches (PNG, JPG, JPEG or PDF). */
export const documentUrl = (field: string) =>
  z
    .string()
    .check(
      z.regex(FILE_URL, rule(FILE_URL, `${field} must be a file link (http or https URL)`)),
      z.refine(extensionAllowed, `${field} must link a PNG, JPG, JPEG or PDF file`),
    );

/** Free text of at most `max` characters that is not blank. */
export const freeText = (field: string, re: RegExp, max: number) =>
  z.string().check(
    // The rule's `\s*` margins would take any amount of white space; the documented bound is on the whole.
    z.maxLength(max, { message: `${field} must be at most ${max} characters`, abort: true }),
    z.regex(re, rule(re, `${field} must be 1 to ${max} characters`)),
    z.refine((value) => value.trim() !== '', `${field} must not be blank`),
  );

/** A code from a list the provider has not published (see UNLISTED_CODE). */
export const unlistedCode = (field: string) =>
  z.string().check(z.regex(UNLISTED_CODE, rule(UNLISTED_CODE, `${field} must be one upper-case code of letters, digits and _`)));

/** A name of 1 to 191 characters (first, last, middle and native names). */
export const name191 = (field: string) =>
  z
    .string()
    .check(
      z.maxLength(191, { message: `${field} must be at most 191 characters`, abort: true }),
      z.regex(NATIVE_NAME, rule(NATIVE_NAME, `${field} must be 1 to 191 characters`)),
    );

const LIVENESS_TEXT = /^(true|false|1|0)$/i;

/** livenessResult: `true`, `false`, `1` or `0` (as booleans, numbers or text), normalised to a boolean. */
export const livenessResult = (field = 'livenessResult') =>
  z.pipe(
    z.custom<boolean | number | string>(
      (value) =>
        typeof value === 'boolean' || value === 1 || value === 0 || (typeof value === 'string' && LIVENESS_TEXT.test(value)),
      {
        error: (issue) =>
          issue.input === undefined ? `${field} is required (true, false, 1 or 0)` : `${field} must be true, false, 1 or 0`,
      },
    ),
    z.transform((value) => value === true || value === 1 || (typeof value === 'string' && /^(true|1)$/i.test(value))),
  );

/** The address of a personal CP+ (residency address). */
export const personalPlusAddressSchema = z.strictObject({
  street: z
    .string()
    .check(
      z.maxLength(180, { message: 'street must be at most 180 characters', abort: true }),
      z.regex(PLUS_STREET, rule(PLUS_STREET, 'street must be 1 to 180 characters')),
    ),
  city: z.string().check(z.regex(PLUS_CITY, rule(PLUS_CITY, "city must be 1 to 100 letters, spaces or ' . , - ( )"))),
  postalCode: z.optional(
    z.string().check(z.regex(POSTAL_CODE, rule(POSTAL_CODE, 'postalCode must be 2 to 20 letters, digits, spaces or dashes'))),
  ),
  state: z.optional(
    z
      .string()
      .check(z.regex(PLUS_STATE, rule(PLUS_STATE, "state must be 1 to 15 letters, digits, spaces or / - ? : ( ) . , ' +"))),
  ),
  country: countryCode('country'),
});

const businessState = z
  .string()
  .check(z.regex(BUSINESS_STATE, rule(BUSINESS_STATE, "state must be 1 to 15 letters, digits, spaces or - ? : ( ) . , ' +")));

/**
 * A business CP+ address as the merchant sends it: the basic address rules with state required. The
 * country stays alpha-2 here, although the provider also takes alpha-3 or a name and normalises it,
 * because alpha-2 is what it stores and what every other country field of the request uses.
 */
export const businessPlusAddressSchema = z.extend(addressSchema, { state: businessState });

/** A business CP+ address as the provider takes it: the country may also be alpha-3 or a short name. */
export const businessPlusProviderAddressSchema = z.extend(addressSchema, {
  state: businessState,
  country: z
    .string()
    .check(
      z.regex(
        COUNTRY_CODE_OR_NAME,
        rule(COUNTRY_CODE_OR_NAME, 'country must be an ISO alpha-2 or alpha-3 code or a short country name'),
      ),
    ),
});

/** True when a value is absent or blank text. */
export const isBlank = (value: unknown) =>
  value === undefined || value === null || (typeof value === 'string' && value.trim() === '');

type Ctx = z.core.$RefinementCtx<unknown>;

/** Adds an issue at a path; the message names the field and the rule broken. */
export function issue(ctx: Ctx, path: PropertyKey[], message: string): void {
  ctx.addIssue({ code: 'custom', path, message });
}

/**
 * A free-text companion that is required when its list field says OTHERS and refused otherwise, so the
 * provider is never sent an explanation for a choice that was not made.
 */
/**
 * Runs a cross-field rule even when some field already failed (zod skips it otherwise), so one 400
 * lists every failing field at once. The rules read fields defensively, as any may be missing.
 */
export const EVEN_WITH_ISSUES = {
  when: (payload: { value: unknown }) => typeof payload.value === 'object' && payload.value !== null,
};

export function otherIff(ctx: Ctx, value: object, listField: string, otherField: string, chosen: boolean): void {
  const other = (value as Record<string, unknown>)[otherField];
  if (chosen && isBlank(other)) issue(ctx, [otherField], `${otherField} is required when ${listField} is OTHERS`);
  if (!chosen && other !== undefined) issue(ctx, [otherField], `${otherField} is allowed only when ${listField} is OTHERS`);
}

/** The identity document fields of a person: passport, or both sides of an identity card. */
export const ID_DOCUMENT_KINDS = ['passport', 'idFront', 'idBack'] as const;
export type IdDocumentKind = (typeof ID_DOCUMENT_KINDS)[number];

/** The identity documents a registrationIdType needs: a passport, or the front and back of an identity card. */
export function idDocumentsFor(registrationIdType: unknown): IdDocumentKind[] {
  if (registrationIdType === 'passport') return ['passport'];
  if (registrationIdType === 'identity_card') return ['idFront', 'idBack'];
  return [];
}

/** Checks that the identity documents the registrationIdType needs are present under `prefix`. */
export function requireIdDocuments(ctx: Ctx, registrationIdType: unknown, documents: unknown, prefix: PropertyKey[]): void {
  const present = typeof documents === 'object' && documents !== null ? (documents as Record<string, unknown>) : {};
  for (const kind of idDocumentsFor(registrationIdType)) {
    if (isBlank(present[kind]))
      issue(ctx, [...prefix, kind], `${kind} is required when registrationIdType is ${String(registrationIdType)}`);
  }
}

/** One document the provider needs for a customer, named by its place in the provider's body. */
export interface DocumentSlot<S extends string = string> {
  slot: S;
  required: boolean;
}

/** Splits `directors[0].identityDocuments.passport` into `['directors', 0, 'identityDocuments', 'passport']`. */
export function slotPath(slot: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of slot.split('.')) {
    const match = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!match) throw new Error(`not a document slot: ${slot}`);
    out.push(match[1] as string);
    for (const index of (match[2] ?? '').matchAll(/\[(\d+)\]/g)) out.push(Number(index[1]));
  }
  return out;
}

/** Reads the value at a slot path, or undefined when any step is missing. */
export function getAtSlot(body: unknown, slot: string): unknown {
  let node: unknown = body;
  for (const key of slotPath(slot)) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string | number, unknown>)[key];
  }
  return node;
}

/** Writes a value at a slot path, creating the objects on the way (arrays must already exist). */
export function setAtSlot(body: Record<string, unknown>, slot: string, value: unknown): void {
  const path = slotPath(slot);
  let node: Record<string | number, unknown> = body;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null) {
      if (typeof key === 'number') throw new Error(`no list entry for document slot ${slot}`);
      node[key] = {};
    }
    node = node[key] as Record<string | number, unknown>;
  }
  node[path.at(-1) as string | number] = value;
}

/** A sourceOfWealth object: every kind optional and shaped by `each`, `others` shaped by `others`. */
export function sourceOfWealthSchema<K extends string, S extends z.ZodMiniType, O extends z.ZodMiniType>(
  kinds: readonly K[],
  each: S,
  others: O,
) {
  const shape: Record<string, z.ZodMiniType> = {};
  for (const kind of kinds) shape[kind] = z.optional(kind === 'others' ? others : each);
  return z
    .strictObject(shape as Record<Exclude<K, 'others'>, z.ZodMiniOptional<S>> & { others: z.ZodMiniOptional<O> })
    .check(z.refine((value) => Object.keys(value).length > 0, 'sourceOfWealth must declare at least one source'));
}
