import * as z from 'zod/mini';

/**
 * Text rules every request field obeys, whichever provider it goes to. A provider's own length and
 * character rules sit in its schema; these come on top, so no field takes text a person cannot see.
 */

/**
 * Longest string taken in any field whose provider documents no bound, wherever it sits in a request:
 * a conservative bound, well above any name or address line a provider keeps.
 */
export const FREE_TEXT_MAX = 1000;

/**
 * Refused in every field: C0 and C1 controls (U+0000-U+001F, U+007F-U+009F); bidirectional controls
 * (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069), which reorder what a reviewer sees; invisible
 * characters that hide or fake text (U+00AD, U+115F, U+1160, U+180E, U+200B, U+2028, U+2029,
 * U+2060-U+2064, U+3164, U+FEFF, U+FFA0, U+FFF9-U+FFFB, tags U+E0000-U+E007F); and lone surrogates.
 * U+200C and U+200D (zero-width non-joiner and joiner) are allowed: Persian and Indic names need them.
 */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
  /[\u0000-\u001F\u007F-\u009F\u00AD\u061C\u115F\u1160\u180E\u200B\u200E\u200F\u2028-\u202E\u2060-\u2064\u2066-\u2069\u3164\uFEFF\uFFA0\uFFF9-\uFFFB]|\uDB40[\uDC00-\uDC7F]/;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const codePoint = (value: string) => `U+${(value.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** The first character of a string that no field takes, written U+XXXX, or undefined. */
export function unsafeCharacter(value: string): string | undefined {
  const found = UNSAFE.exec(value);
  if (found) return codePoint(found[0]);
  if (LONE_SURROGATE.test(value)) return 'a lone surrogate';
  return undefined;
}

/** The message for a field holding such a character: the rule and the code point, never the text. */
export const unsafeTextMessage = (field: string, found: string) =>
  `${field} must not contain control, bidirectional or invisible format characters (found ${found})`;

/** The message for a string past its bound. */
export const tooLongMessage = (field: string, max: number) => `${field} must be at most ${max} characters`;

/** A zod check that refuses the characters above, naming the field. */
export const plainText = (field: string) =>
  z.superRefine<string>((value, ctx) => {
    const found = unsafeCharacter(value);
    if (found) ctx.addIssue({ code: 'custom', message: unsafeTextMessage(field, found), input: value });
  });

/** One text problem found by `textProblems`: where, and the rule broken. */
export interface TextProblem {
  path: PropertyKey[];
  message: string;
}

/**
 * Every string anywhere in a value (object keys included) held to the rules above and to `max`: the one
 * check every request takes before its schema, so no field of any provider escapes it, and it sees the
 * text as sent, before any trimming.
 */
export function textProblems(value: unknown, max = FREE_TEXT_MAX, path: PropertyKey[] = []): TextProblem[] {
  const field = String([...path].reverse().find((p) => typeof p === 'string') ?? 'the body');
  if (typeof value === 'string') {
    const found = unsafeCharacter(value);
    const problems: TextProblem[] = [];
    if (found) problems.push({ path, message: unsafeTextMessage(field, found) });
    if (value.length > max) problems.push({ path, message: tooLongMessage(field, max) });
    return problems;
  }
  if (Array.isArray(value)) return value.flatMap((item, index) => textProblems(item, max, [...path, index]));
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, inner]) => {
    // A bad key is reported on its object: the key's own text stays out of the path.
    const keyFound = unsafeCharacter(key);
    const keyProblems: TextProblem[] = [];
    if (keyFound) keyProblems.push({ path, message: unsafeTextMessage(`${field} keys`, keyFound) });
    if (key.length > max) keyProblems.push({ path, message: tooLongMessage(`${field} keys`, max) });
    return keyProblems.length ? keyProblems : textProblems(inner, max, [...path, key]);
  });
}
