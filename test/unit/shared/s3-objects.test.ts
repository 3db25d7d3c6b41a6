import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetAwsClients } from '../../../functions/shared/aws';
import { getObjectText, putObject, S3ObjectError } from '../../../functions/shared/s3-objects';

/** A stand-in S3 endpoint: answers from a queue of scripted answers and records each request. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
const seen: Seen[] = [];
let answers: { status: number; body: string }[] = [];
let server: Server;
const saved = { ...process.env };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const answer = answers.shift() ?? { status: 200, body: '' };
      res.writeHead(answer.status, { 'content-type': 'application/xml' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    AWS_REGION: 'ap-southeast-1',
    AWS_ACCESS_KEY_ID: 'AKIDVAULTTEST',
    AWS_SECRET_ACCESS_KEY: 'vault-secret',
    AWS_SESSION_TOKEN: 'vault-session',
  });
  resetAwsClients();
});

afterEach(() => {
  seen.length = 0;
  answers = [];
});

afterAll(() => {
  server.close();
  process.env = saved;
  resetAwsClients();
});

describe('S3 objects over signed fetch', () => {
  it('puts an object path-style on a custom endpoint, signed with the credentials, payload hash and type', async () => {
    await putObject('vault-bucket', 'vault/onb_x/abc.json', '{"name":"Ada"}', 'application/json');

    expect(seen).toHaveLength(1);
    const [put] = seen as [Seen];
    expect(put.method).toBe('PUT');
    expect(put.url).toBe('/vault-bucket/vault/onb_x/abc.json');
    expect(put.body).toBe('{"name":"Ada"}');
    expect(put.headers['content-type']).toBe('application/json');
    expect(put.headers['x-amz-content-sha256']).toMatch(/^[0-9a-f]{64}$/);
    expect(put.headers['x-amz-security-token']).toBe('vault-session');
    expect(put.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDVAULTTEST\/\d{8}\/ap-southeast-1\/s3\/aws4_request, SignedHeaders=\S*content-type;host;x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
    );
  });

  it('reads an object back as text', async () => {
    answers = [{ status: 200, body: '{"name":"Ada"}' }];
    expect(await getObjectText('vault-bucket', 'vault/onb_x/abc.json')).toBe('{"name":"Ada"}');
    expect(seen[0]?.method).toBe('GET');
  });

  it('tries again after a 503 and succeeds', async () => {
    answers = [
      { status: 503, body: '<Error><Code>SlowDown</Code></Error>' },
      { status: 200, body: 'second time' },
    ];
    expect(await getObjectText('vault-bucket', 'k')).toBe('second time');
    expect(seen).toHaveLength(2);
  });

  it("names a refusal by S3's error code and does not repeat it", async () => {
    answers = [{ status: 404, body: '<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>gone</Message></Error>' }];
    const error = await getObjectText('vault-bucket', 'vault/missing.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(S3ObjectError);
    expect(error).toMatchObject({ name: 'NoSuchKey', status: 404, key: 'vault/missing.json' });
    expect(seen).toHaveLength(1);
  });

  it('gives up after three attempts while S3 keeps failing', async () => {
    answers = [500, 500, 500].map((status) => ({ status, body: '<Error><Code>InternalError</Code></Error>' }));
    await expect(getObjectText('vault-bucket', 'k')).rejects.toMatchObject({ name: 'InternalError', status: 500 });
    expect(seen).toHaveLength(3);
  });
});
