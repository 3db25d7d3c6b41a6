/**
 * EventBridge event patterns, the common subset: exact values (`{"source": ["a", "b"]}`), nested fields
 * (`{"detail": {"status": ["COMPLETED"]}}`), and the `prefix`, `exists`, `anything-but` and `numeric`
 * (`=`, `<`, `<=`, `>`, `>=`) matchers. A pattern field matches an array in the event when any element does.
 */
export type EventPattern = { [field: string]: EventPattern | PatternValue[] };

type PatternValue =
  | string
  | number
  | boolean
  | null
  | { prefix: string }
  | { exists: boolean }
  | { 'anything-but': unknown }
  | { numeric: Array<string | number> };

/** Whether `event` (an envelope with parsed `detail`) matches `pattern`. */
export function matchesPattern(pattern: EventPattern, event: unknown): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = isRecord(event) ? event[field] : undefined;
    if (Array.isArray(expected)) return matchesValues(expected, actual);
    return isRecord(actual) && matchesPattern(expected, actual);
  });
}

function matchesValues(expected: PatternValue[], actual: unknown): boolean {
  const existence = expected.find((v): v is { exists: boolean } => isRecord(v) && 'exists' in v);
  if (existence) return existence.exists === (actual !== undefined);
  if (actual === undefined) return false;
  const candidates = Array.isArray(actual) ? actual : [actual];
  return candidates.some((value) => expected.some((rule) => matchesOne(rule, value)));
}

function matchesOne(rule: PatternValue, value: unknown): boolean {
  if (!isRecord(rule)) return rule === value;
  if ('prefix' in rule) return typeof value === 'string' && value.startsWith(rule.prefix);
  if ('anything-but' in rule) {
    const excluded = rule['anything-but'];
    return !(Array.isArray(excluded) ? excluded : [excluded]).includes(value);
  }
  if ('numeric' in rule) return typeof value === 'number' && matchesNumeric(rule.numeric, value);
  return false;
}

function matchesNumeric(conditions: Array<string | number>, value: number): boolean {
  for (let i = 0; i + 1 < conditions.length; i += 2) {
    const bound = Number(conditions[i + 1]);
    const ok = { '=': value === bound, '<': value < bound, '<=': value <= bound, '>': value > bound, '>=': value >= bound }[
      String(conditions[i]) as '='
    ];
    if (!ok) return false;
  }
  return true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
