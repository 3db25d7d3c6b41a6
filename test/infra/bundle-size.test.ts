import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProviderName } from '../../functions/providers/registry';
import { BUNDLE_ENVIRONMENT, type BuiltBundle, buildEntry, buildHandler } from '../../lib/bundling';
import { ENTRY_POINTS, HANDLER_FILES, type HandlerFile } from '../../manifest/entry-points';

/**
 * Every function the manifest declares, built with the deployed options (lib/bundling.ts), in parallel.
 * Sizes only: import times are the bench's (`npm run bench:bundles`).
 */

const run = promisify(execFile);
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));

/**
 * What a function may weigh, all chunks together and what a cold start loads, in KB. Every function is
 * within it: the functions call AWS with signed fetch (no SDK client, whose shared runtime and models
 * were 160-225 KB of each) and validate with zod/mini. README.md ("Function bundles") says what the
 * bytes are.
 */
const BUDGET_KB = 300;

/** Functions of a one-provider flow (functions/flows/): they always call that provider. */
const ONE_PROVIDER_FLOWS: Partial<Record<HandlerFile, ProviderName>> = {
  'profile-update': 'straitsx',
  'migrations-intake': 'straitsx',
  'migrate-account': 'straitsx',
  'finish-migration': 'straitsx',
  'migration-batches': 'straitsx',
  'migration-batch-uploaded': 'straitsx',
};

let dir: string;
const built = new Map<HandlerFile, BuiltBundle>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bundle-size-'));
  await Promise.all(HANDLER_FILES.map(async (file) => built.set(file, await buildHandler(file, join(dir, file)))));
}, 120_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('function bundles', () => {
  it.each(HANDLER_FILES)('%s stays within 300 KB', (file) => {
    const bundle = built.get(file)!;
    expect(Math.ceil(bundle.totalBytes / 1024), 'all chunks, KB').toBeLessThanOrEqual(BUDGET_KB);
    expect(Math.ceil(bundle.loadedBytes / 1024), 'loaded on import, KB').toBeLessThanOrEqual(BUDGET_KB);
  });

  it.each(HANDLER_FILES)('%s loads on import only the provider its flow belongs to: the others load when used', (file) => {
    const loaded = Object.keys(built.get(file)!.loadedInputs);
    const providers = new Set(loaded.flatMap((path) => /functions\/providers\/(\w+)\/(?!descriptor\.ts$)/.exec(path)?.[1] ?? []));
    expect([...providers]).toEqual(ONE_PROVIDER_FLOWS[file] ? [ONE_PROVIDER_FLOWS[file]] : []);
    // Nor the default credential chain: credentials come from the environment.
    expect(loaded.filter((path) => /credential-provider-(node|ini|sso|process|web-identity)|nested-clients/.test(path))).toEqual(
      [],
    );
  });

  it('every declared entry point is built', () => {
    expect([...built.keys()].sort()).toEqual(Object.values(ENTRY_POINTS).sort());
  });
});

describe('a built bundle', () => {
  it('signs its AWS requests with the credentials in the environment', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers);
      req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' }).end('{}'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const bundle = await buildEntry(fixture('sign-request'), join(dir, 'sign-request'));
      await run(process.execPath, [bundle.file], {
        env: {
          PATH: process.env.PATH,
          ...BUNDLE_ENVIRONMENT,
          AWS_REGION: 'ap-southeast-1',
          AWS_ACCESS_KEY_ID: 'AKIDFROMENVIRONMENT',
          AWS_SECRET_ACCESS_KEY: 'secret-from-environment',
          AWS_SESSION_TOKEN: 'session-from-environment',
          AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
          // Files the full default chain would read: the bundle must not care they exist.
          AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
          AWS_CONFIG_FILE: '/nonexistent/config',
        },
      });
      // The DynamoDB read, then the vault write: both signed fetch calls.
      expect(seen.map((headers) => /\/(dynamodb|s3)\/aws4_request/.exec(headers.authorization ?? '')?.[1])).toEqual([
        'dynamodb',
        's3',
      ]);
      for (const headers of seen) {
        expect(headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDFROMENVIRONMENT\/\d{8}\/ap-southeast-1\//);
        expect(headers['x-amz-security-token']).toBe('session-from-environment');
      }
    } finally {
      server.close();
    }
  });

  it('logs an error with a stack that names the TypeScript source, though Node runs without source maps', async () => {
    const bundle = await buildEntry(fixture('log-error'), join(dir, 'log-error'));
    // The map is beside the code but not referenced: nothing reads it until an error is logged.
    expect(readFileSync(bundle.file, 'utf8')).not.toContain('sourceMappingURL');
    expect((await readdir(join(dir, 'log-error'))).some((name) => name.endsWith('.mjs.map'))).toBe(true);

    // Powertools writes error lines to stderr.
    const { stderr } = await run(process.execPath, [bundle.file], {
      env: { PATH: process.env.PATH, ...BUNDLE_ENVIRONMENT, POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_DEV: 'false' },
    });
    const line = JSON.parse(stderr.trim().split('\n').at(-1)!) as { error: { message: string; stack: string; location: string } };
    expect(line.error.message).toBe('card declined');
    // chargeCard throws on line 5 of the fixture; its caller is on line 9.
    // (Function names stay minified; the file and line are what a reader needs.)
    expect(line.error.stack).toMatch(/^Error: card declined\n {4}at \S+ \(\S*test\/infra\/fixtures\/log-error\.ts:5:\d+\)/);
    expect(line.error.stack).toMatch(/test\/infra\/fixtures\/log-error\.ts:9:\d+/);
    expect(line.error.location).toMatch(/test\/infra\/fixtures\/log-error\.ts:5$/);
    expect(line.error.stack).not.toContain('index.mjs');
  });
});
