import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Source-mapped stack traces on the error path only. A bundle ships its `.map` files next to its chunks
 * without a sourceMappingURL comment and runs without `--enable-source-maps`, so a cold start never
 * reads them; the first logged error of a chunk reads that chunk's map once, and its stack then names
 * the TypeScript files and lines. Outside a bundle (tsx, vitest) no frame has a map beside it, and the
 * stack is left as it is.
 */

const maps = new Map<string, SourceMap | undefined>();
const mapped = new WeakSet<Error>();

/** `    at fn (file:///var/task/index.mjs:1:2345)` or `    at file:///var/task/index.mjs:1:2345`. */
const FRAME = /^(\s*at (?:.*? \()?)((?:file:\/\/)?\/[^():]+\.m?js):(\d+):(\d+)(\)?)$/;

function mapOf(file: string): SourceMap | undefined {
  if (!maps.has(file)) {
    let map: SourceMap | undefined;
    try {
      map = new SourceMap(JSON.parse(readFileSync(`${file}.map`, 'utf8')));
    } catch {
      // No map beside it (not one of our chunks, or a build without maps): the frame stays as it is.
    }
    maps.set(file, map);
  }
  return maps.get(file);
}

/** A map's source path as a reader knows it: `functions/shared/aws.ts`, `node_modules/zod/...`. */
function readable(source: string): string {
  const path = source.replace(/^(?:\.\.?\/)+/, '');
  const anchor = ['node_modules/', 'functions/'].map((dir) => path.indexOf(dir)).find((at) => at >= 0);
  return anchor === undefined ? path : path.slice(anchor);
}

/** `stack` with each bundled frame replaced by its original file, line and column. */
export function sourceMappedStack(stack: string): string {
  return stack
    .split('\n')
    .map((line) => {
      const frame = FRAME.exec(line);
      if (!frame) return line;
      const [, head, location, row, column, tail] = frame as unknown as [string, string, string, string, string, string];
      const map = mapOf(location.startsWith('file:') ? fileURLToPath(location) : location);
      const entry = map?.findEntry(Number(row) - 1, Number(column) - 1);
      if (!entry || !('originalSource' in entry)) return line;
      return `${head}${readable(entry.originalSource)}:${entry.originalLine + 1}:${entry.originalColumn + 1}${tail}`;
    })
    .join('\n');
}

/** Rewrites an error's stack (and its causes') to source positions, once per error; returns the error. */
export function withSourceMappedStack<E extends Error>(error: E): E {
  for (let current: unknown = error; current instanceof Error && !mapped.has(current); current = current.cause) {
    mapped.add(current);
    if (typeof current.stack === 'string') current.stack = sourceMappedStack(current.stack);
  }
  return error;
}
