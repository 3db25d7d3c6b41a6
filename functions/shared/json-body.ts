/**
 * Rules for JSON request bodies that hold on AWS and locally alike: the media type, the size, and keys
 * that appear once per object. `JSON.parse` keeps the last of two equal keys, so a body with duplicates
 * means one thing to us and maybe another to whatever signed, logged or checked it first.
 */

/**
 * Largest JSON body taken: the largest request (a CP+ business with its people) is a few KB, and
 * documents travel by presigned upload, so 64 KiB is ample; API Gateway's own 10 MB is far too much to parse.
 */
export const MAX_JSON_BODY_BYTES = 64 * 1024;

/** `application/json` or any `type/subtype+json`, with parameters such as `charset` allowed. */
const JSON_MEDIA_TYPE = /^\s*(?:application\/json|[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+\+json)\s*(?:;.*)?$/i;

/** Whether a Content-Type header names JSON. */
export function isJsonMediaType(contentType: string | undefined): boolean {
  return contentType !== undefined && JSON_MEDIA_TYPE.test(contentType);
}

/** The 415 answer's text: the rule, not the header sent. */
export const JSON_MEDIA_TYPE_RULE =
  'Content-Type must be application/json or a +json media type (parameters such as charset are allowed).';

type Frame = { kind: 'object'; keys: Set<string>; key?: string } | { kind: 'array'; index: number };

const pathOf = (stack: Frame[], key: string) =>
  [...stack.slice(0, -1).map((frame) => (frame.kind === 'array' ? `[${frame.index}]` : `.${frame.key}`)), `.${key}`]
    .join('')
    .replace(/^\./, '');

/**
 * The path (`customer.address.city`, `people[0].name`) of the first key that appears twice in one object,
 * or undefined. Expects text that `JSON.parse` has accepted; one pass, no recursion.
 */
export function duplicateKeyPath(text: string): string | undefined {
  const stack: Frame[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const top = stack.at(-1);
      if (top?.kind === 'object' && expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return pathOf(stack, key);
        top.keys.add(key);
        top.key = key;
        expectKey = false;
      }
      i = end;
    } else if (c === '{') {
      stack.push({ kind: 'object', keys: new Set() });
      expectKey = true;
    } else if (c === '[') {
      stack.push({ kind: 'array', index: 0 });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack.at(-1);
      if (top?.kind === 'object') expectKey = true;
      else if (top) top.index += 1;
    }
  }
  return undefined;
}
