/**
 * A merchant's client of the onboarding API, as the demo, the benchmarks and the chaos tests use it: it
 * repeats a call that met a 5xx, a 429 or a refused connection (a stack restarting), as a merchant's
 * backend would, and follows an onboarding until it settles.
 */

// biome-ignore lint/suspicious/noExplicitAny: JSON answers are read loosely by callers.
export type Body = Record<string, any>;

/** Statuses after which nothing more happens without someone acting. */
export const SETTLED = new Set(['COMPLETED', 'REJECTED', 'NEEDS_ATTENTION', 'FAILED']);

/** Sample documents: the magic bytes of a PNG and a PDF, then filler. */
export const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2048, 7)]);
export const PDF = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(2048, 7)]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** fetch, repeated while the far side answers 5xx or 429 or cannot be reached (at most `attempts` times). */
export async function persistentFetch(url: string, init: RequestInit = {}, attempts = 60): Promise<Response> {
  let last: unknown;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(20_000) });
      if (res.status < 500 && res.status !== 429) return res;
      last = `HTTP ${res.status}`;
    } catch (error) {
      last = error instanceof Error ? error.message : error;
    }
    await sleep(100 + Math.random() * 250);
  }
  throw new Error(`${init.method ?? 'GET'} ${new URL(url).pathname} kept failing: ${String(last)}`);
}

export class MerchantClient {
  /** `apiUrl` is read at each call, so the client follows a stack that restarts on another port. */
  constructor(private readonly apiUrl: () => string) {}

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Body }> {
    const res = await persistentFetch(`${this.apiUrl()}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Body };
  }

  view(id: string): Promise<Body> {
    return this.call('GET', `/onboardings/${id}`).then((r) => r.body);
  }

  /** Polls until the predicate holds; rejects with where the onboarding stands when the time is up. */
  async until(id: string, predicate: (view: Body) => boolean, timeoutMs = 60_000): Promise<Body> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const view = await this.view(id);
      if (predicate(view)) return view;
      if (Date.now() > deadline) {
        throw new Error(
          `${id} still ${view.status}${view.waitingFor ? `, waiting for ${view.waitingFor}` : ''} after ${timeoutMs} ms`,
        );
      }
      await sleep(60);
    }
  }

  settled(id: string, timeoutMs?: number): Promise<Body> {
    return this.until(id, (v) => SETTLED.has(v.status), timeoutMs);
  }

  /** Uploads every document slot through presigned URLs once the onboarding waits for them. */
  async uploadDocuments(id: string, timeoutMs?: number): Promise<void> {
    const view = await this.until(id, (v) => v.waitingFor === 'documents', timeoutMs);
    for (const { slot } of view.documents as Array<{ slot: string }>) {
      const pdf = slot.endsWith('proofOfAddress');
      const bytes = pdf ? PDF : PNG;
      const grant = await this.call('POST', `/onboardings/${id}/documents`, {
        slot,
        contentType: pdf ? 'application/pdf' : 'image/png',
        size: bytes.length,
      });
      if (grant.status !== 201) throw new Error(`upload grant for ${slot}: HTTP ${grant.status}`);
      const put = await persistentFetch(grant.body.uploadUrl, { method: 'PUT', headers: grant.body.headers, body: bytes });
      if (!put.ok) throw new Error(`upload of ${slot}: HTTP ${put.status}`);
    }
  }
}
