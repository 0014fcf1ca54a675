/**
 * The dashboard's pages, rendered on the server from what the inbox and the live counts hold. Every value goes
 * through `html`, which escapes it: payloads, types, ids, tenants and errors come from outside.
 */
import type { InboxEvent, InboxPage, InboxRow } from '../stores/postgres-inbox.js'
import type { ReplayResult } from '../stores/replay.js'
import { encodeCursor, filterQuery, STATUSES, type FilterFields } from './filters.js'
import { html, type Html } from './html.js'
import { OUTCOMES, type LiveRow } from './live.js'
import { why } from './why.js'
import { CSRF_FIELD } from './csrf.js'

export interface PageContext {
  /** the prefix the dashboard is registered under, e.g. /_webhooks */
  base: string
  title: string
  /** the CSRF token the page's forms repeat */
  csrf: string
  /** whether the store keeps events (the inbox pages exist) */
  inbox: boolean
  /** whether replay handlers were given (the replay buttons exist) */
  replays: boolean
}

/** "1 event", "2 events". */
const count = (n: number, one: string): string => `${n} ${one}${n === 1 ? '' : 's'}`

const time = (date: Date | null): string => date === null ? '' : date.toISOString().replace('.000Z', 'Z')

function layout (ctx: PageContext, heading: string, body: Html, head: Html = html``): Html {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${heading} · ${ctx.title}</title>
<link rel="stylesheet" href="${ctx.base}/assets/dashboard.css">${head}</head>
<body><header><strong>${ctx.title}</strong>
<a href="${ctx.base}/live">Live</a>${ctx.inbox && html` <a href="${ctx.base}/inbox">Inbox</a>`}</header>
<main><h1>${heading}</h1>
${body}</main></body></html>
`
}

const csrfField = (ctx: PageContext): Html => html`<input type="hidden" name="${CSRF_FIELD}" value="${ctx.csrf}">`

const status = (value: string): Html => html`<span class="status status-${value}">${value}</span>`

function eventLink (ctx: PageContext, key: string, text: string): Html {
  return html`<a href="${ctx.base}/inbox/${encodeURIComponent(key)}">${text}</a>`
}

export function liveRows (rows: readonly LiveRow[]): Html {
  if (rows.length === 0) {
    return html`<tr><td colspan="${OUTCOMES.length + 2}" class="muted">No delivery since this page started
listening.</td></tr>`
  }
  return html`${rows.map(row => html`<tr><td>${row.provider}</td><td>${row.tenant ?? ''}</td>${
    OUTCOMES.map(outcome => html`<td class="n">${row.counts[outcome]}</td>`)}</tr>`)}`
}

export function livePage (ctx: PageContext, rows: readonly LiveRow[], windowMinutes: number): Html {
  const head = html`
<noscript><meta http-equiv="refresh" content="5"></noscript>
<script src="${ctx.base}/assets/live.js" defer></script>`
  return layout(ctx, 'Live', html`<p class="muted">Deliveries in the last ${windowMinutes} minutes, counted while a
dashboard page is open.</p>
<table><thead><tr><th>provider</th><th>tenant</th>${OUTCOMES.map(o => html`<th>${o}</th>`)}</tr></thead>
<tbody data-stream="${ctx.base}/live/stream">${liveRows(rows)}</tbody></table>`, head)
}

function filterForm (ctx: PageContext, fields: FilterFields): Html {
  const input = (name: keyof FilterFields, label: string, type = 'text'): Html =>
    html`<label>${label}<input type="${type}" name="${name}" value="${fields[name]}"></label>`
  return html`<form class="filters" method="get" action="${ctx.base}/inbox">
<label>status<select name="status"><option value="">any</option>${STATUSES.map(s =>
    html`<option${s === fields.status && html` selected`}>${s}</option>`)}</select></label>
${input('provider', 'provider')}${input('type', 'type')}${input('tenant', 'tenant')}
${input('since', 'since (UTC)', 'datetime-local')}${input('until', 'until (UTC)', 'datetime-local')}
<button type="submit">Filter</button> <a href="${ctx.base}/inbox">clear</a>
${ctx.replays && html` <a href="${ctx.base}/replay${filterQuery(fields)}">Replay these…</a>`}
<a href="${ctx.base}/purge">Purge…</a></form>`
}

function listRow (ctx: PageContext, row: InboxRow): Html {
  const { lastError: error } = row
  const shown = error === null || error.length <= 120 ? error : `${error.slice(0, 119)}…`
  return html`<tr data-key="${row.key}"><td class="t">${time(row.receivedAt)}</td><td>${row.provider}</td>
<td>${row.tenant}</td>
<td>${row.type}</td><td>${eventLink(ctx, row.key, row.id)}</td><td>${status(row.status)}</td>
<td class="n">${row.attempts}</td><td>${shown}</td></tr>`
}

export function inboxPage (ctx: PageContext, fields: FilterFields, page: InboxPage, first: boolean): Html {
  const body = page.rows.length === 0
    ? html`<tr><td colspan="8" class="muted">No kept event matches.</td></tr>`
    : page.rows.map(row => listRow(ctx, row))
  const next = page.next === null
    ? html``
    : html`<a rel="next" href="${ctx.base}/inbox${filterQuery(fields, { after: encodeCursor(page.next) })}">Older →</a>`
  return layout(ctx, 'Inbox', html`${filterForm(ctx, fields)}
<table><thead><tr><th>received (UTC)</th><th>provider</th><th>tenant</th><th>type</th><th>id</th><th>status</th>
<th>attempts</th><th>last error</th></tr></thead><tbody>${body}</tbody></table>
<nav class="pages">${!first && html`<a href="${ctx.base}/inbox${filterQuery(fields)}">← Newest</a>`}${next}</nav>`)
}

export function eventPage (ctx: PageContext, event: InboxEvent, notice: string | undefined): Html {
  const meta = Object.entries(event.meta).map(([name, value]) =>
    html`<tr><th>${name}</th><td>${String(value)}</td></tr>`)
  const again = event.status === 'done' ? 'Run again (it was handled)' : 'Replay'
  const replay = ctx.replays && !event.leased
    ? html`<form method="post" action="${ctx.base}/inbox/${encodeURIComponent(event.key)}/replay">${csrfField(ctx)}
<input type="hidden" name="status" value="${event.status}"><button type="submit">${again}</button></form>`
    : html``
  return layout(ctx, `${event.provider} ${event.type}`, html`${notice !== undefined && html`<p class="notice"
role="status">${notice}</p>`}
<p class="why">${status(event.status)} ${why(event)}</p>
${replay}
<table>
<tr><th>key</th><td>${event.key}</td></tr><tr><th>provider</th><td>${event.provider}</td></tr>
<tr><th>id</th><td>${event.id}</td></tr><tr><th>type</th><td>${event.type}</td></tr>
<tr><th>tenant</th><td>${event.tenant}</td></tr><tr><th>attempts</th><td>${event.attempts}</td></tr>
<tr><th>last error</th><td>${event.lastError}</td></tr>
</table>
<h2>Timeline (UTC)</h2>
<table>
<tr><th>first received</th><td>${time(event.receivedAt)}</td></tr>
<tr><th>processed</th><td>${time(event.processedAt)}</td></tr>
<tr><th>${event.leased ? 'lease held until' : event.status === 'done' ? 'remembered as done until' : 'lease ended'}</th>
<td>${time(event.expiresAt)}</td></tr>
<tr><th>kept until</th><td>${time(event.keepUntil)}</td></tr>
</table>
<h2>Meta (what the signature said)</h2>
<table>${meta}</table>
<h2>Payload (as stored)</h2>
<pre>${JSON.stringify(event.payload, null, 2)}</pre>`)
}

export function replayConfirmPage (ctx: PageContext, fields: FilterFields, n: number): Html {
  const statusNote = fields.status === '' ? 'failed and invalid (the default)' : fields.status
  return layout(ctx, 'Replay a selection', html`<p>Kept events of status ${statusNote} that match these filters:
${count(n, 'event')}. Each runs through today's handlers once.</p>
<form method="post" action="${ctx.base}/replay">${csrfField(ctx)}
${Object.entries(fields).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<button type="submit"${n === 0 && html` disabled`}>Replay ${count(n, 'event')}</button>
<a href="${ctx.base}/inbox${filterQuery(fields)}">cancel</a></form>`)
}

export function replayResultPage (ctx: PageContext, fields: FilterFields, result: ReplayResult): Html {
  return layout(ctx, 'Replayed', html`<table>${Object.entries(result).map(([name, n]) =>
    html`<tr><th>${name}</th><td class="n">${n}</td></tr>`)}</table>
<p><a href="${ctx.base}/inbox${filterQuery(fields)}">Back to the inbox</a></p>`)
}

export function purgeConfirmPage (ctx: PageContext, n: number): Html {
  return layout(ctx, 'Purge', html`<p>Rows past their retention (<code>inbox.retention</code>) and their idempotency
window: ${count(n, 'row')}. Purging deletes them.</p>
<form method="post" action="${ctx.base}/purge">${csrfField(ctx)}
<button type="submit"${n === 0 && html` disabled`}>Purge ${count(n, 'row')}</button>
<a href="${ctx.base}/inbox">cancel</a></form>`)
}

export function purgeResultPage (ctx: PageContext, deleted: number): Html {
  return layout(ctx, 'Purged', html`<p>Deleted: ${count(deleted, 'row')}.</p>
<p><a href="${ctx.base}/inbox">Back to the inbox</a></p>`)
}

export function errorPage (ctx: PageContext, statusCode: number, code: string, message: string): Html {
  return layout(ctx, `${statusCode} ${code}`, html`<p>${message}</p>`)
}
