import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { STATUSES } from '../../functions/onboarding/record';
import type { ConsoleContext } from './context';
import { eventsAbout, executionDetail, executionsOf, type ListFilters, listOnboardings, onboardingView, pathOf } from './data';
import { type Html, html, raw } from './html';
import { executionHref, statusBadge, when } from './layout';
import { svgOf } from './svg';

/** Each page in two parts: `live` is re-rendered by polling, `forms` stay as loaded (see layout.ts). */
export interface PageParts {
  title: string;
  live: Html;
  forms?: Html;
  /** Forms above the live part (the list's filters) rather than below it. */
  formsFirst?: boolean;
}

const PROVIDERS = ['straitsx', 'wallex', 'straddle'];
const WAITS = ['documents', 'verification', 'account', 'provider', 'nothing'];

const options = (values: string[], selected: string | undefined, blank: string) =>
  html`<option value="">${blank}</option>${values.map((v) => html`<option value="${v}" ${raw(v === selected ? 'selected' : '')}>${v}</option>`)}`;

const json = (value: unknown) => html`<pre>${JSON.stringify(value, null, 1)}</pre>`;

/** The list of onboardings, with its filters. */
export async function listPage(filters: ListFilters): Promise<PageParts> {
  const rows = await listOnboardings(filters);
  const live = html`<h1>Onboardings</h1>
<p class="muted" id="count">${rows.length} onboarding${rows.length === 1 ? '' : 's'}</p>
<table aria-label="Onboardings"><thead><tr><th scope="col">Onboarding</th><th scope="col">Provider</th><th scope="col">Status</th><th scope="col">Waits for</th><th scope="col">Created</th><th scope="col">Updated</th></tr></thead><tbody>
${rows.map(
  (o) =>
    html`<tr><td><a href="/console/onboardings/${encodeURIComponent(o.onboardingId)}">${o.onboardingId}</a>${o.kind === 'connect-migration' ? html` <span class="muted">(Connect migration)</span>` : ''}</td><td>${o.provider}</td><td>${statusBadge(o.status)}</td><td>${o.waitingFor ?? '—'}</td><td>${o.createdAt}</td><td>${o.updatedAt}</td></tr>`,
)}
</tbody></table>`;
  const forms = html`<form class="filters" method="get" action="/console" aria-label="Filter onboardings">
<label>Provider<select aria-label="Provider" name="provider">${options(PROVIDERS, filters.provider, 'any')}</select></label>
<label>Status<select aria-label="Status" name="status">${options([...STATUSES], filters.status, 'any')}</select></label>
<label>Waits for<select aria-label="Waits for" name="waitingFor">${options(WAITS, filters.waitingFor, 'any')}</select></label>
<label>Created on or after<input type="date" name="createdFrom" value="${filters.createdFrom ?? ''}"></label>
<button type="submit">Filter</button> <a href="/console">Clear</a></form>`;
  // The filters first: they are what a keyboard user reaches for on this page; outside the live part, so
  // a refresh never resets a choice being made.
  return { title: 'Onboardings', live, forms, formsFirst: true };
}

/** One onboarding: facts, documents, timeline, events, executions, and its actions. */
export async function onboardingPage(ctx: ConsoleContext, id: string): Promise<PageParts | undefined> {
  const view = await onboardingView(ctx, id);
  if (!view) return undefined;
  const executions = await executionsOf(ctx, id);
  const events = eventsAbout(ctx, id);
  const documents = (view.documents ?? []) as Array<{ slot: string; required: boolean; status: string; reason?: string }>;
  const timeline = (view.timeline ?? []) as Array<{ step: string; status: string; at?: string; detail?: string }>;
  const facts: Array<[string, unknown]> = [
    ['Provider', view.provider],
    ['Registration type', view.registrationType],
    ['Profile id', view.providerIds?.profileId],
    ['Bank account id', view.providerIds?.bankAccountId ?? view.bankAccount?.id],
    ['Profile status', view.profileStatus],
    ['Waits for', view.waitingFor],
    [
      'Virtual account',
      view.virtualAccount
        ? `${view.virtualAccount.id} ${view.virtualAccount.currency ?? ''} ${view.virtualAccount.status ?? ''}`
        : undefined,
    ],
    ['Outcome', view.outcome ? JSON.stringify(view.outcome) : undefined],
    ['Retrying', view.retry ? JSON.stringify(view.retry) : undefined],
    ['Requests for information', view.informationRequests ? JSON.stringify(view.informationRequests) : undefined],
    ['Created', view.createdAt],
    ['Updated', view.updatedAt],
  ];
  const live = html`<h1>Onboarding <code>${id}</code> ${statusBadge(view.status)}</h1>
<dl class="facts">${facts.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => html`<dt>${k}</dt><dd>${String(v)}</dd>`)}</dl>
<div class="columns"><section aria-labelledby="h-exec"><h2 id="h-exec">Executions</h2>
<table><thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Stopped</th><th scope="col">Redrives</th></tr></thead><tbody>
${executions.map((e) => html`<tr><td><a href="${executionHref(e.executionArn)}">${e.name}</a></td><td>${statusBadge(e.status)}</td><td>${when(e.startDate)}</td><td>${when(e.stopDate)}</td><td>${e.redriveCount ?? 0}</td></tr>`)}
</tbody></table></section>
<section aria-labelledby="h-docs"><h2 id="h-docs">Documents</h2>
${documents.length ? html`<table><thead><tr><th scope="col">Slot</th><th scope="col">Required</th><th scope="col">Status</th><th scope="col">Reason</th></tr></thead><tbody>${documents.map((d) => html`<tr><td>${d.slot}</td><td>${d.required ? 'yes' : 'no'}</td><td>${d.status}</td><td>${d.reason ?? ''}</td></tr>`)}</tbody></table>` : html`<p class="muted">This provider takes no documents.</p>`}
</section></div>
<div class="columns"><section aria-labelledby="h-time"><h2 id="h-time">Timeline</h2>
<table><thead><tr><th scope="col">Step</th><th scope="col">Status</th><th scope="col">At</th><th scope="col">Detail</th></tr></thead><tbody>
${timeline.map((t) => html`<tr><td>${t.step}</td><td>${t.status}</td><td>${t.at ?? ''}</td><td>${t.detail ?? ''}</td></tr>`)}
</tbody></table></section>
<section aria-labelledby="h-events"><h2 id="h-events">Events published</h2>
${events.length ? html`<table><thead><tr><th scope="col">Time</th><th scope="col">Type</th><th scope="col">Detail</th></tr></thead><tbody>${events.map((e) => html`<tr><td>${e.time ?? ''}</td><td>${e['detail-type'] ?? ''}</td><td>${json(e.detail)}</td></tr>`)}</tbody></table>` : html`<p class="muted">None yet.</p>`}
</section></div>`;

  const base = `/console/onboardings/${encodeURIComponent(id)}`;
  const profileId = view.providerIds?.profileId as string | undefined;
  const straitsx =
    view.provider === 'straitsx' && profileId
      ? html`<h3>StraitsX sandbox</h3>
<form class="action" method="post" action="${base}/sandbox/profile" aria-label="Set the profile's verification"><input type="hidden" name="profileId" value="${profileId}">
<label>Verification<select aria-label="Verification" name="status"><option value="verified">verified</option><option value="rejected">rejected</option></select></label><button type="submit">Set profile verification</button></form>
${view.virtualAccount?.id ? html`<form class="action" method="post" action="${base}/sandbox/account" aria-label="Enable the virtual account"><input type="hidden" name="profileId" value="${profileId}"><input type="hidden" name="accountId" value="${view.virtualAccount.id}"><button type="submit">Enable virtual account ${view.virtualAccount.id}</button></form>` : ''}
<form class="action" method="post" action="${base}/sandbox/rfi" aria-label="Raise a request for information"><input type="hidden" name="profileId" value="${profileId}"><label>Question<input name="question" size="40" placeholder="Please upload a recent proof of address."></label><button type="submit">Raise an RFI</button></form>`
      : '';
  const forms = html`<section aria-labelledby="h-actions"><h2 id="h-actions">Actions</h2>
<form class="action" method="post" action="${base}/review" aria-label="Decide the review">
<label>Decision<select aria-label="Decision" name="decision"><option value="verified">verified</option><option value="rejected">rejected</option></select></label>
<label>Operator id<input name="operator" value="console" pattern="[A-Za-z0-9._@:\\-]{1,128}"></label>
<label>Reason (no personal data)<input name="reason" size="30"></label>
<button type="submit">Decide review</button></form>
${
  documents.length
    ? html`<form class="action" method="post" action="${base}/documents" enctype="multipart/form-data" aria-label="Upload a document">
<label>Slot<select aria-label="Slot" name="slot">${documents.map((d) => html`<option value="${d.slot}">${d.slot}</option>`)}</select></label>
<label>File (PNG, JPEG or PDF)<input type="file" name="file" accept="image/png,image/jpeg,application/pdf" required></label>
<button type="submit">Upload document</button></form>`
    : ''
}
<form class="action" method="post" action="${base}/retry" aria-label="Retry a failed onboarding"><button type="submit" class="secondary">Retry (POST /onboardings/{id}/retry)</button></form>
${straitsx}</section>`;
  return { title: `Onboarding ${id}`, live, forms };
}

/** What an event holds that is worth showing: its input, output, error and cause (ids only by design). */
function eventDetails(event: HistoryEvent): Record<string, unknown> {
  const details: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith('EventDetails') || typeof value !== 'object' || value === null) continue;
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k === 'name' || k.endsWith('Details')) continue;
      if ((k === 'input' || k === 'output') && typeof v === 'string') {
        try {
          details[k] = JSON.parse(v);
          continue;
        } catch {}
      }
      details[k] = v;
    }
  }
  return details;
}

/** One execution: the graph with its path, actions, Map Runs and history. */
export async function executionPage(executionArn: string): Promise<PageParts> {
  const { description, history, definition, mapRuns } = await executionDetail(executionArn);
  const status = description.status ?? 'UNKNOWN';
  const path = pathOf(history, status);
  const input = JSON.parse(description.input ?? '{}') as { onboardingId?: string };
  const live = html`<h1>Execution <code>${description.name}</code> ${statusBadge(status)}</h1>
<dl class="facts"><dt>State machine</dt><dd>${description.stateMachineArn?.split(':').pop()}</dd>
${input.onboardingId ? html`<dt>Onboarding</dt><dd><a href="/console/onboardings/${encodeURIComponent(input.onboardingId)}">${input.onboardingId}</a></dd>` : ''}
<dt>Started</dt><dd>${when(description.startDate)}</dd><dt>Stopped</dt><dd>${when(description.stopDate)}</dd>
<dt>Redrives</dt><dd>${description.redriveCount ?? 0}</dd>
<dt>Stands at</dt><dd id="stands-at">${path.current ?? '—'}</dd>
${description.error ? html`<dt>Error</dt><dd>${description.error}</dd>` : ''}</dl>
<h2>Graph</h2>
<p class="legend muted"><span><i style="border-color:#0b5cad;background:#ddf4ff"></i>visited</span><span><i style="border-color:#fb8500;background:#fff1e5"></i>where it stands</span><span><i style="border-color:#cf222e;background:#ffebe9"></i>where it stopped</span><span>dashed: Catch</span></p>
<div class="graph-wrap">${raw(svgOf(definition, path))}</div>
${mapRuns === undefined ? '' : html`<h2>Map Runs</h2>${mapRuns.length ? html`<table><thead><tr><th scope="col">Map Run</th><th scope="col">Started</th><th scope="col">Stopped</th></tr></thead><tbody>${mapRuns.map((m) => html`<tr><td>${m.mapRunArn ?? ''}</td><td>${when(m.startDate)}</td><td>${when(m.stopDate)}</td></tr>`)}</tbody></table>` : html`<p class="muted">No Map Runs in this execution.</p>`}`}
<h2>History</h2>
<table aria-label="History"><thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Type</th><th scope="col">State</th><th scope="col">Input, output, error</th></tr></thead><tbody>
${history.map((e) => {
  const details = eventDetails(e);
  return html`<tr><td>${e.id}</td><td>${when(e.timestamp)}</td><td>${e.type}</td><td>${e.stateEnteredEventDetails?.name ?? e.stateExitedEventDetails?.name ?? ''}</td><td>${Object.keys(details).length ? json(details) : ''}</td></tr>`;
})}
</tbody></table>`;
  const base = executionHref(executionArn);
  const forms = html`<section aria-labelledby="h-actions"><h2 id="h-actions">Actions</h2>
<form class="action" method="post" action="${base}/replay" aria-label="New execution with the same input"><button type="submit">New execution with the same input</button></form>
<form class="action" method="post" action="${base}/redrive" aria-label="Redrive"><button type="submit" class="secondary">Redrive</button> <span class="muted">continues a failed, timed-out or aborted execution from the state that failed</span></form>
</section>`;
  return { title: `Execution ${description.name}`, live, forms };
}

/** The sandboxes' controls that belong to no single onboarding: Connect users and faults. */
export function sandboxesPage(ctx: ConsoleContext): PageParts {
  const providers = Object.keys(ctx.faults);
  const live = html`<h1>Sandboxes</h1><p class="muted">Provider sandboxes of this stack: ${providers.join(', ')}.</p>`;
  const forms = html`<section aria-labelledby="h-faults"><h2 id="h-faults">Faults</h2>
<form class="action" method="post" action="/console/sandboxes/faults" aria-label="Queue faults">
<label>Provider<select aria-label="Provider" name="provider">${providers.map((p) => html`<option value="${p}">${p}</option>`)}</select></label>
<label>Kind<select aria-label="Kind" name="kind"><option value="error5xx">error5xx (an HTTP error status)</option><option value="rateLimit429">rateLimit429</option><option value="slow">slow</option><option value="drop">drop</option></select></label>
<label>How many<input name="count" type="number" min="1" max="1000" value="1"></label>
<label>HTTP status<input name="status" type="number" min="400" max="599" placeholder="503"></label>
<label>Only paths containing<input name="path" placeholder="/customers"></label>
<button type="submit">Queue faults</button></form>
<form class="action" method="post" action="/console/sandboxes/faults" aria-label="Clear faults"><input type="hidden" name="clear" value="1">
<label>Provider<select aria-label="Provider" name="provider">${providers.map((p) => html`<option value="${p}">${p}</option>`)}</select></label><button type="submit" class="secondary">Clear faults</button></form></section>
<section aria-labelledby="h-connect"><h2 id="h-connect">StraitsX Connect users</h2>
<form class="action" method="post" action="/console/sandboxes/connect-user" aria-label="Add a Connect user"><button type="submit">Add a Connect user</button> <span class="muted">its token stays out of this page</span></form></section>`;
  return { title: 'Sandboxes', live, forms };
}
