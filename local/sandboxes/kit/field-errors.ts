import type * as z from 'zod';

/** One failing field as a sandbox reports it: a dotted path and the rule it broke. */
export interface FieldError {
  path: string;
  message: string;
}

const joinPath = (parts: readonly PropertyKey[]) =>
  parts
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');

/** Every zod issue as a field error, unknown keys one by one; submitted values are never echoed. */
export function toFieldErrors(error: z.ZodError, prefix: readonly PropertyKey[] = []): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of error.issues) {
    const base = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: joinPath([...base, key]), message: 'is not a documented field' });
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0 && !('discriminator' in issue)) {
      // A plain union: the branch that got furthest says more than "invalid input".
      const best = issue.errors.reduce((a, b) => (a.length <= b.length ? a : b));
      for (const inner of best) out.push({ path: joinPath([...base, ...inner.path]), message: inner.message });
    } else {
      const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
      out.push({ path: joinPath(base), message: missing ? 'is required' : issue.message });
    }
  }
  return out;
}
