import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { type FieldError, ValidationFailed } from './refusals';
import { textProblems } from './text';

// zod/mini loads no locale: without one, every rule a schema states no message for would read "Invalid
// input", and a missing field could not be told from a wrong one (see toFieldErrors). English, once, for
// every schema the functions parse with: the words of the answers stay zod's own.
z.config(en());

export { type FieldError, ValidationFailed } from './refusals';

const joinPath = (parts: readonly PropertyKey[]) =>
  parts
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');

/** Turns zod issues into field errors that name the field and the rule, with no submitted value. */
export function toFieldErrors(error: z.core.$ZodError, prefix: readonly PropertyKey[] = []): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const base = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: joinPath([...base, key]), message: 'is not a documented field' });
      continue;
    }
    if (issue.code === 'invalid_union' && issue.errors.length > 0 && !('discriminator' in issue)) {
      // A plain union: report the branch that got furthest rather than "invalid input".
      const best = issue.errors.reduce((a, b) => (a.length <= b.length ? a : b));
      for (const inner of best) out.push({ path: joinPath([...base, ...inner.path]), message: inner.message });
      continue;
    }
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    out.push({ path: joinPath(base), message: missing ? 'is required' : issue.message });
  }
  return out;
}

/** Parses with a schema or throws ValidationFailed listing every failing field. */
export function parseOrThrow<S extends z.ZodMiniType>(
  schema: S,
  input: unknown,
  prefix: readonly PropertyKey[] = [],
): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationFailed(toFieldErrors(result.error, prefix));
  return result.data;
}

/**
 * Parses what a caller sent (an API body, a merchant event): every string anywhere in it is held to the
 * shared text rules (see `textProblems`) as well as to the schema. A field the schema already refuses is
 * reported once, by the schema's own rule; all failing fields are listed.
 */
export function parseRequestOrThrow<S extends z.ZodMiniType>(
  schema: S,
  input: unknown,
  prefix: readonly PropertyKey[] = [],
): z.output<S> {
  const result = schema.safeParse(input);
  const errors = result.success ? [] : toFieldErrors(result.error, prefix);
  const reported = new Set(errors.map((e) => e.path));
  for (const problem of textProblems(input)) {
    const path = joinPath([...prefix, ...problem.path]);
    if (!reported.has(path)) errors.push({ path, message: problem.message });
  }
  if (errors.length > 0 || !result.success) throw new ValidationFailed(errors);
  return result.data;
}
