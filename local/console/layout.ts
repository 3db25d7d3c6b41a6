import { type Html, html, raw } from './html';

/** The console's look: system fonts, visible focus, no external resources. */
const STYLE = `
:root{color-scheme:light;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--accent:#0b5cad;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--bg:#fff;--soft:#f6f8fa}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
header.top{display:flex;gap:1.5rem;align-items:center;padding:.6rem 1.2rem;background:#24292f;color:#fff}
header.top a{color:#fff}header.top strong{font-size:1rem}
main{padding:1rem 1.2rem;max-width:1400px}
a{color:var(--accent)}a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,summary:focus-visible{outline:3px solid #fb8500;outline-offset:2px}
h1{font-size:1.3rem;margin:.2rem 0 .8rem}h2{font-size:1.05rem;margin:1.4rem 0 .5rem}
table{border-collapse:collapse;width:100%;margin:.3rem 0}th,td{border-bottom:1px solid var(--line);padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:var(--soft);font-weight:600}td pre{margin:0;white-space:pre-wrap;word-break:break-all;font-size:12px;max-width:60ch}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
form.filters,form.action{display:flex;flex-wrap:wrap;gap:.6rem;align-items:end;margin:.4rem 0;padding:.6rem;background:var(--soft);border:1px solid var(--line);border-radius:6px}
label{display:flex;flex-direction:column;font-size:12px;color:var(--muted);gap:.15rem}
input,select,button{font:inherit;padding:.25rem .5rem;border:1px solid var(--line);border-radius:4px;background:#fff;color:var(--fg)}
button{background:var(--accent);color:#fff;border-color:var(--accent);cursor:pointer}button.secondary{background:#fff;color:var(--accent)}
.status{font-weight:600}.s-COMPLETED,.s-SUCCEEDED{color:var(--ok)}.s-FAILED,.s-REJECTED,.s-TIMED_OUT,.s-ABORTED{color:var(--bad)}.s-RUNNING,.s-AWAITING_PROVIDER,.s-AWAITING_DOCUMENTS,.s-NEEDS_ATTENTION,.s-NEEDS_INFORMATION{color:var(--warn)}
p.result{padding:.5rem .8rem;border-radius:6px;border:1px solid}p.result.ok{background:#dafbe1;border-color:var(--ok)}p.result.bad{background:#ffebe9;border-color:var(--bad)}
.columns{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:1rem}.columns>section{min-width:0;overflow-x:auto}
.graph-wrap{overflow:auto;border:1px solid var(--line);border-radius:6px;background:var(--soft)}
svg.graph text{font:12px system-ui,sans-serif;fill:var(--fg)}
svg.graph .state rect{fill:#fff;stroke:#8c959f;stroke-width:1.2}
svg.graph .state.choice rect{fill:#fff8c5}svg.graph .state.succeed rect{fill:#dafbe1}svg.graph .state.fail rect{fill:#ffebe9}
svg.graph .state.visited rect{stroke:var(--accent);stroke-width:2.5;fill:#ddf4ff}
svg.graph .state.current rect{stroke:#fb8500;stroke-width:4;fill:#fff1e5}
svg.graph .state.failed rect{stroke:var(--bad);stroke-width:4;fill:#ffebe9}
svg.graph .edge{fill:none;stroke:#8c959f;stroke-width:1.2}svg.graph .edge.catch{stroke-dasharray:4 3;stroke:#cf222e99}
svg.graph .edge.start{stroke-width:2.5}svg.graph .edge.taken{stroke:var(--accent);stroke-width:2.5}
svg.graph marker path{fill:#8c959f}
.legend span{display:inline-block;margin-right:1rem}.legend i{display:inline-block;width:12px;height:12px;margin-right:.3rem;border:2.5px solid;vertical-align:middle}
.muted{color:var(--muted)}
`;

/**
 * Live updates: every 2 seconds the page asks its own URL for the `#live` part again and swaps it in
 * when it changed. Forms sit outside that part, so typing or focus is never disturbed.
 */
const SCRIPT = `
(() => {
  const live = document.getElementById('live');
  if (!live) return;
  let busy = false;
  setInterval(async () => {
    if (busy || document.hidden) return;
    busy = true;
    try {
      const res = await fetch(location.href, { headers: { 'x-console-live': '1' } });
      if (res.ok) {
        const text = await res.text();
        if (text !== live.innerHTML) { live.innerHTML = text; live.dataset.refreshed = String(Date.now()); }
      }
    } catch {} finally { busy = false; }
  }, 2000);
})();
`;

/** A whole console page: the navigation, an action's result, the live part and the forms. */
export function page(options: {
  title: string;
  result?: { ok: boolean; message: string };
  live: Html;
  forms?: Html;
  formsFirst?: boolean;
}): string {
  const { title, result, live, forms, formsFirst } = options;
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · onboarding console</title><style>${raw(STYLE)}</style></head>
<body><header class="top"><strong>Onboarding console</strong><nav aria-label="Console"><a href="/console">Onboardings</a> · <a href="/console/sandboxes">Sandboxes</a></nav><span class="muted">embedded stack · ids and statuses only</span></header>
<main>${result ? html`<p class="result ${result.ok ? 'ok' : 'bad'}" role="status" id="result">${result.message}</p>` : ''}
${formsFirst ? (forms ?? '') : ''}<div id="live" aria-live="polite">${live}</div>
${formsFirst ? '' : (forms ?? '')}
</main><script>${raw(SCRIPT)}</script></body></html>`.text;
}

/** A status word, coloured by what it means. */
export const statusBadge = (status: unknown) => html`<span class="status s-${String(status ?? '')}">${status ?? '—'}</span>`;

/** A timestamp as ISO text, or a dash. */
export const when = (value: Date | string | undefined) =>
  value ? (value instanceof Date ? value.toISOString() : String(value)) : '—';

/** A console link to an execution. */
export const executionHref = (arn: string) => `/console/executions/${encodeURIComponent(arn)}`;
