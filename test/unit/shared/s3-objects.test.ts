import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { resetAwsClients } from '../../../functions/shared/aws';
import {
  deleteObject,
  getObjectBytes,
  getObjectText,
  headObject,
  presignGetUrl,
  presignPutUrl,
  putObject,
  S3ObjectError,
} from '../../../functions/shared/s3-objects';
import { Sha256 } from '../../../functions/shared/signed-fetch';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../../local/cloud/constants';
import { type LocalS3, startLocalS3 } from '../../../local/cloud/s3';

describe('S3 objects over signed fetch, against a scripted endpoint', () => {
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

  it("escapes a key's path as S3 canonicalizes it before checking the signature", async () => {
    await putObject('vault-bucket', "documents/a slot/it's (1)*+.txt", 'x', 'text/plain');

    expect(seen[0]?.url).toBe('/vault-bucket/documents/a%20slot/it%27s%20%281%29%2A%2B.txt');
  });

  it("presigns for the bucket's own AWS endpoint when no endpoint is configured", async () => {
    const endpoint = process.env.AWS_ENDPOINT_URL_S3;
    delete process.env.AWS_ENDPOINT_URL_S3;
    try {
      const url = new URL(await presignGetUrl('vault-bucket', 'documents/onb_x/id/1', 120));
      expect(`${url.origin}${url.pathname}`).toBe('https://vault-bucket.s3.ap-southeast-1.amazonaws.com/documents/onb_x/id/1');
      expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIDVAULTTEST\/\d{8}\/ap-southeast-1\/s3\/aws4_request$/);
      expect(url.searchParams.get('X-Amz-Security-Token')).toBe('vault-session');
      expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
    } finally {
      process.env.AWS_ENDPOINT_URL_S3 = endpoint;
    }
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

  it('names a HEAD of a missing key NotFound, though S3 sends no body to say so', async () => {
    answers = [{ status: 404, body: '' }];
    await expect(headObject('vault-bucket', 'documents/missing')).rejects.toMatchObject({ name: 'NotFound', status: 404 });
    expect(seen.map((request) => request.method)).toEqual(['HEAD']);
  });

  it('gives up after three attempts while S3 keeps failing', async () => {
    answers = [500, 500, 500].map((status) => ({ status, body: '<Error><Code>InternalError</Code></Error>' }));
    await expect(getObjectText('vault-bucket', 'k')).rejects.toMatchObject({ name: 'InternalError', status: 500 });
    expect(seen).toHaveLength(3);
  });
});

describe('S3 objects over signed fetch, against the local S3 server', () => {
  const BUCKET = 'documents-bucket';
  let s3: LocalS3;
  const saved = { ...process.env };

  beforeAll(async () => {
    s3 = await startLocalS3({ buckets: [BUCKET] });
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_S3: s3.endpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    });
    delete process.env.AWS_SESSION_TOKEN;
    resetAwsClients();
  });

  afterAll(async () => {
    await s3?.stop();
    process.env = saved;
    resetAwsClients();
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  const PDF = '%PDF-1.7 a contract';

  it('reads a whole object or only a range of it, with the type it was stored with', async () => {
    await putObject(BUCKET, 'documents/onb_a/contract/1', PDF, 'application/pdf');

    const whole = await getObjectBytes(BUCKET, 'documents/onb_a/contract/1');
    expect(new TextDecoder().decode(whole.body)).toBe(PDF);
    expect(whole.contentType).toBe('application/pdf');
    const first = await getObjectBytes(BUCKET, 'documents/onb_a/contract/1', 'bytes=0-4');
    expect(new TextDecoder().decode(first.body)).toBe('%PDF-');
  });

  it("heads an object's length and type; a missing key is NotFound", async () => {
    await putObject(BUCKET, 'documents/onb_a/contract/2', PDF, 'application/pdf');

    expect(await headObject(BUCKET, 'documents/onb_a/contract/2')).toEqual({ size: PDF.length, contentType: 'application/pdf' });
    const missing = await headObject(BUCKET, 'documents/onb_a/contract/none').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(S3ObjectError);
    expect(missing).toMatchObject({ name: 'NotFound', status: 404 });
  });

  it('deletes an object, and deleting it again succeeds', async () => {
    await putObject(BUCKET, 'migration-uploads/b1', 'tokens', 'text/csv');

    await deleteObject(BUCKET, 'migration-uploads/b1');
    await expect(getObjectText(BUCKET, 'migration-uploads/b1')).rejects.toMatchObject({ name: 'NoSuchKey', status: 404 });
    await expect(deleteObject(BUCKET, 'migration-uploads/b1')).resolves.toBeUndefined();
  });

  it('writes and reads keys with characters that need escaping', async () => {
    const key = "documents/onb_a/a slot/it's (1)*+.txt";
    await putObject(BUCKET, key, 'escaped', 'text/plain');

    expect(await getObjectText(BUCKET, key)).toBe('escaped');
    expect(await (await fetch(await presignGetUrl(BUCKET, key, 60))).text()).toBe('escaped');
  });

  it('gives a presigned PUT that S3 takes with the granted type and length, and a presigned GET that reads it', async () => {
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    const putUrl = await presignPutUrl(BUCKET, 'documents/onb_a/selfie/1', 300, {
      contentType: 'image/png',
      contentLength: png.length,
    });

    const params = new URL(putUrl).searchParams;
    expect(params.get('X-Amz-SignedHeaders')).toBe('content-length;content-type;host');
    expect(params.get('X-Amz-Expires')).toBe('300');
    expect(params.get('X-Amz-Content-Sha256')).toBe('UNSIGNED-PAYLOAD');
    // No checksum of an empty body in the URL: S3 would refuse every real upload against it.
    expect([...params.keys()].filter((name) => /checksum/i.test(name))).toEqual([]);
    const put = await fetch(putUrl, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: png });
    expect(put.status).toBe(200);
    expect(await headObject(BUCKET, 'documents/onb_a/selfie/1')).toEqual({ size: png.length, contentType: 'image/png' });

    const got = await fetch(await presignGetUrl(BUCKET, 'documents/onb_a/selfie/1', 60));
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer())).toEqual(png);
  });

  it('reads the bytes an object was stored with, never unpacked by its Content-Encoding', async () => {
    // 100 KB of zeros gzip to about a hundred bytes: unpacked, a read would be a thousand times the size checked.
    const packed = gzipSync(Buffer.alloc(100_000));
    const putUrl = await presignPutUrl(BUCKET, 'documents/onb_a/packed/1', 300, {
      contentType: 'image/png',
      contentLength: packed.length,
    });
    const put = await fetch(putUrl, {
      method: 'PUT',
      headers: { 'content-type': 'image/png', 'content-encoding': 'gzip' },
      body: packed,
    });
    expect(put.status).toBe(200);

    expect(await headObject(BUCKET, 'documents/onb_a/packed/1')).toEqual({
      size: packed.length,
      contentType: 'image/png',
      contentEncoding: 'gzip',
    });
    const read = await getObjectBytes(BUCKET, 'documents/onb_a/packed/1');
    expect(Buffer.from(read.body)).toEqual(packed);
    const first = await getObjectBytes(BUCKET, 'documents/onb_a/packed/1', 'bytes=0-1');
    expect([...first.body]).toEqual([0x1f, 0x8b]);
  });

  it('signs the granted type and length: a PUT that declares others does not match the signature', async () => {
    // The local server does not check SigV4 signatures; this is S3's own check, computed from the request
    // the uploader would send: the signed headers as sent, the method, path and query.
    const url = new URL(
      await presignPutUrl(BUCKET, 'documents/onb_a/id/1', 300, { contentType: 'image/png', contentLength: 11 }),
    );
    const matches = async (sent: Record<string, string>) => {
      const { 'X-Amz-Signature': _, 'X-Amz-Content-Sha256': payload, ...query } = Object.fromEntries(url.searchParams);
      const date = query['X-Amz-Date']!.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z');
      const signedHeaders = query['X-Amz-SignedHeaders']!.split(';');
      const headers = Object.fromEntries(signedHeaders.map((name) => [name, name === 'host' ? url.host : (sent[name] ?? '')]));
      // S3 takes the payload's hash from the query: UNSIGNED-PAYLOAD, as the URL says.
      headers['X-Amz-Content-Sha256'] = payload!;
      const signer = new SignatureV4({
        service: 's3',
        region: LOCAL_REGION,
        credentials: LOCAL_CREDENTIALS,
        sha256: Sha256,
        uriEscapePath: false,
      });
      const recomputed = await signer.presign(
        {
          method: 'PUT',
          protocol: url.protocol,
          hostname: url.hostname,
          port: Number(url.port),
          path: url.pathname,
          query,
          headers,
        },
        { signingDate: new Date(date), expiresIn: Number(query['X-Amz-Expires']) },
      );
      return recomputed.query?.['X-Amz-Signature'] === url.searchParams.get('X-Amz-Signature');
    };

    expect(await matches({ 'content-type': 'image/png', 'content-length': '11' })).toBe(true);
    expect(await matches({ 'content-type': 'text/html', 'content-length': '11' })).toBe(false);
    expect(await matches({ 'content-type': 'image/png', 'content-length': '5000000' })).toBe(false);
  });

  it('gives a presigned URL that S3 refuses once it has expired', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() - 10 * 60_000);
    const url = await presignPutUrl(BUCKET, 'migration-uploads/late', 60);
    vi.useRealTimers();

    const put = await fetch(url, { method: 'PUT', body: 'too late' });
    expect(put.status).toBe(403);
    expect(await put.text()).toContain('<Code>AccessDenied</Code>');
    await expect(headObject(BUCKET, 'migration-uploads/late')).rejects.toMatchObject({ name: 'NotFound' });
  });
});
