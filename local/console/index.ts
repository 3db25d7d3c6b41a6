import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type ActionResult,
  addConnectUser,
  decideReview,
  enableVirtualAccount,
  raiseRfi,
  redriveExecution,
  replayExecution,
  retryOnboarding,
  setFaults,
  setProfileVerification,
  uploadDocument,
} from './actions';
import type { ConsoleContext } from './context';
import { escapeHtml, html } from './html';
import { page } from './layout';
import { executionPage, listPage, onboardingPage, type PageParts, sandboxesPage } from './pages';

export type { ConsoleContext } from './context';

/** Form posts are small; an uploaded document is at most 10 MB (the API's own limit). */
const FORM_LIMIT_BYTES = 11 * 1024 * 1024;

async function readForm(req: IncomingMessage): Promise<FormData> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > FORM_LIMIT_BYTES) throw new Error('the form is larger than 11 MB');
    chunks.push(chunk as Buffer);
  }
  // The platform's own parser for urlencoded and multipart bodies.
  return new Request('http://console.local/', {
    method: 'POST',
    headers: { 'content-type': String(req.headers['content-type'] ?? 'application/x-www-form-urlencoded') },
    body: Buffer.concat(chunks),
  }).formData();
}

const field = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === 'string' ? value.trim() : '';
};

/** After an action: back to the page (or where the action leads), with its result shown there. */
function redirectWithResult(res: ServerResponse, back: string, result: ActionResult) {
  const target = new URL(result.location ?? back, 'http://console.local');
  target.searchParams.set('result', result.message.slice(0, 500));
  target.searchParams.set('ok', result.ok ? '1' : '0');
  res.writeHead(303, { location: `${target.pathname}${target.search}` });
  res.end();
}

/**
 * The console under `/console` of the local API's port: pages rendered on the server from the SFN API,
 * the public API and the local bus's log; actions as plain form posts. Answers false for other paths.
 */
export function createConsole(ctx: ConsoleContext) {
  const routes: Array<{
    method: string;
    pattern: RegExp;
    run: (m: string[], req: IncomingMessage, res: ServerResponse, url: URL) => Promise<PageParts | undefined | 'done'>;
  }> = [
    {
      method: 'GET',
      pattern: /^\/console\/?$/,
      run: async (_m, _req, _res, url) =>
        listPage({
          provider: url.searchParams.get('provider') || undefined,
          status: url.searchParams.get('status') || undefined,
          waitingFor: url.searchParams.get('waitingFor') || undefined,
          createdFrom: url.searchParams.get('createdFrom') || undefined,
        }),
    },
    { method: 'GET', pattern: /^\/console\/onboardings\/([^/]+)$/, run: async ([id]) => onboardingPage(ctx, id!) },
    { method: 'GET', pattern: /^\/console\/executions\/([^/]+)$/, run: async ([arn]) => executionPage(arn!) },
    { method: 'GET', pattern: /^\/console\/sandboxes$/, run: async () => sandboxesPage(ctx) },
  ];
  const actions: Array<{ pattern: RegExp; run: (m: string[], form: FormData) => Promise<ActionResult> | ActionResult }> = [
    { pattern: /^\/console\/executions\/([^/]+)\/replay$/, run: ([arn]) => replayExecution(arn!) },
    { pattern: /^\/console\/executions\/([^/]+)\/redrive$/, run: ([arn]) => redriveExecution(arn!) },
    {
      pattern: /^\/console\/onboardings\/([^/]+)\/review$/,
      run: ([id], f) => decideReview(ctx, id!, field(f, 'decision'), field(f, 'operator'), field(f, 'reason')),
    },
    { pattern: /^\/console\/onboardings\/([^/]+)\/retry$/, run: ([id]) => retryOnboarding(ctx, id!) },
    {
      pattern: /^\/console\/onboardings\/([^/]+)\/documents$/,
      run: async ([id], f) => {
        const file = f.get('file');
        if (!(file instanceof Blob) || file.size === 0) return { ok: false, message: 'Choose a file to upload.' };
        return uploadDocument(ctx, id!, field(f, 'slot'), {
          bytes: new Uint8Array(await file.arrayBuffer()),
          contentType: file.type || 'application/octet-stream',
        });
      },
    },
    {
      pattern: /^\/console\/onboardings\/[^/]+\/sandbox\/profile$/,
      run: (_m, f) => setProfileVerification(ctx, field(f, 'profileId'), field(f, 'status')),
    },
    {
      pattern: /^\/console\/onboardings\/[^/]+\/sandbox\/account$/,
      run: (_m, f) => enableVirtualAccount(ctx, field(f, 'profileId'), field(f, 'accountId')),
    },
    {
      pattern: /^\/console\/onboardings\/[^/]+\/sandbox\/rfi$/,
      run: (_m, f) => raiseRfi(ctx, field(f, 'profileId'), field(f, 'question')),
    },
    { pattern: /^\/console\/sandboxes\/connect-user$/, run: () => addConnectUser(ctx) },
    {
      pattern: /^\/console\/sandboxes\/faults$/,
      run: (_m, f) =>
        setFaults(ctx, {
          provider: field(f, 'provider'),
          kind: field(f, 'kind'),
          count: field(f, 'count'),
          status: field(f, 'status'),
          path: field(f, 'path'),
          clear: field(f, 'clear') === '1',
        }),
    },
  ];

  const sendHtml = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(body);
  };

  /** Serves a `/console` request; false when the path is not the console's. */
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', 'http://console.local');
    if (url.pathname !== '/console' && !url.pathname.startsWith('/console/')) return false;
    const segments = (m: RegExpExecArray) => m.slice(1).map((s) => decodeURIComponent(s));
    try {
      if (req.method === 'POST') {
        // A page elsewhere in the browser must not drive this console: posts come from its own pages only.
        const origin = req.headers.origin;
        if (origin && origin !== `http://${req.headers.host}`) {
          sendHtml(res, 403, 'Forbidden: a console action must come from the console itself.');
          return true;
        }
        for (const action of actions) {
          const m = action.pattern.exec(url.pathname);
          if (!m) continue;
          const result = await action.run(segments(m), await readForm(req));
          const back = url.pathname.replace(/\/(replay|redrive|review|retry|documents|sandbox\/\w+|faults|connect-user)$/, '');
          redirectWithResult(res, back === '/console/sandboxes' || back.startsWith('/console/') ? back : '/console', result);
          return true;
        }
      } else if (req.method === 'GET' || req.method === 'HEAD') {
        for (const route of routes) {
          const m = route.pattern.exec(url.pathname);
          if (!m) continue;
          const parts = await route.run(segments(m), req, res, url);
          if (parts === 'done') return true;
          if (!parts) {
            sendHtml(
              res,
              404,
              page({
                title: 'Not found',
                live: html`<h1>Not found</h1><p>Nothing here: <a href="/console">back to the onboardings</a>.</p>`,
              }),
            );
            return true;
          }
          if (req.headers['x-console-live'] === '1') {
            sendHtml(res, 200, parts.live.text);
            return true;
          }
          const result = url.searchParams.has('result')
            ? { ok: url.searchParams.get('ok') === '1', message: url.searchParams.get('result') ?? '' }
            : undefined;
          sendHtml(res, 200, page({ ...parts, result }));
          return true;
        }
      }
      sendHtml(res, 404, `<!doctype html><title>Not found</title><p>Not found: <a href="/console">the console</a></p>`);
    } catch (error) {
      // The page says what broke, by name and message: those hold ids, never personal data.
      sendHtml(
        res,
        500,
        `<!doctype html><title>Console error</title><p role="alert">${escapeHtml((error as Error).name)}: ${escapeHtml((error as Error).message)}</p><p><a href="/console">Back</a></p>`,
      );
    }
    return true;
  };
}
