/**
 * `fastify-webhooks/dashboard`: pages to look at deliveries, registered under a prefix of your choice. Live counts
 * from the diagnostics channels (any store); with a Postgres store that keeps events, the inbox (a filtered list,
 * each event's page) and its actions (replay one, replay a selection, purge), which go through `replay()`, so
 * exactly-once holds against a sender's retry. Server-rendered HTML that works without JavaScript. Safe by default:
 * an `authorize` hook is required, actions are CSRF-checked POSTs, every value is escaped, no route leaves the prefix.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { Logger } from '../core/dispatch.js'
import type { ProviderSpec } from '../core/provider.js'
import { LIVE_SCRIPT, STYLESHEET } from '../dashboard/assets.js'
import { cookie, CSRF_FIELD, newToken, refusal, tokenOf } from '../dashboard/csrf.js'
import {
  DashboardBadQueryError, DashboardCsrfError, DashboardForbiddenError, DashboardNotFoundError
} from '../dashboard/errors.js'
import { decodeCursor, parseFilter, STATUSES, type FilterFields, type ParsedFilter } from '../dashboard/filters.js'
import type { Html } from '../dashboard/html.js'
import { LiveCounts } from '../dashboard/live.js'
import * as pages from '../dashboard/pages.js'
import type { KeptStatus, PostgresStore } from '../stores/postgres.js'
import type { ReplayResult } from '../stores/replay.js'
import { replayer, type ReplayOptions } from '../stores/replayer.js'

export {
  DashboardBadQueryError, DashboardCsrfError, DashboardForbiddenError, DashboardNotFoundError
} from '../dashboard/errors.js'

/** The handlers a replay from the dashboard runs: the same as your plugins' (see `replay()`). */
export interface DashboardReplay {
  providers: ReadonlyArray<{ readonly provider: ProviderSpec }>
  on?: Readonly<Record<string, ((event: never) => unknown) | undefined>> | undefined
  onEvent?: ((event: never) => unknown) | undefined
  onUnknown?: ((event: never) => unknown) | undefined
  options?: Readonly<Record<string, object>> | undefined
  ttl?: number | undefined
  lease?: number | undefined
  logger?: Logger | undefined
}

export interface DashboardOptions {
  /**
   * Decides who may see the dashboard: resolve true to let the request through, false to answer 403. Required,
   * unless `insecureNoAuthorization` is set.
   */
  authorize?: ((request: FastifyRequest, reply: FastifyReply) => boolean | Promise<boolean>) | undefined
  /** Lets anyone who reaches the prefix see and act: for a local machine only. */
  insecureNoAuthorization?: boolean | undefined
  /** A PostgresStore with `inbox`: adds the inbox pages, and with `replay` its actions. */
  store?: PostgresStore | undefined
  /** The handlers replays run (without it the inbox is read-only). */
  replay?: DashboardReplay | undefined
  /** Events per inbox page. Default 50. */
  pageSize?: number | undefined
  /** The live page's window in minutes. Default 15. */
  liveMinutes?: number | undefined
  /** Seconds the live counts keep listening after a page without a stream was shown. Default 60. */
  liveLinger?: number | undefined
  /** The pages' title. Default "Webhooks". */
  title?: string | undefined
}

const NAME = 'fastify-webhooks/dashboard'
const FORM_LIMIT = 64 * 1024
const STREAM_EVERY_MS = 2000
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; " +
    "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  // Not no-referrer: under it a browser sends `Origin: null` with the pages' own forms.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store'
}

type Authorize = NonNullable<DashboardOptions['authorize']>

function checkOptions (options: DashboardOptions): { authorize: Authorize | null } {
  const fail = (message: string): never => {
    throw new TypeError(`${NAME}: ${message}`)
  }
  const { authorize, insecureNoAuthorization, store, replay, pageSize, liveMinutes, liveLinger } = options
  if (authorize !== undefined && typeof authorize !== 'function') fail('option "authorize" must be a function')
  if (insecureNoAuthorization !== undefined && typeof insecureNoAuthorization !== 'boolean') {
    fail('option "insecureNoAuthorization" must be a boolean')
  }
  if (authorize === undefined && insecureNoAuthorization !== true) {
    fail('option "authorize" is required: (request, reply) => true to let a request through (or, on your own ' +
      'machine only, insecureNoAuthorization: true)')
  }
  if (authorize !== undefined && insecureNoAuthorization === true) {
    fail('options "authorize" and "insecureNoAuthorization" exclude each other')
  }
  if (store !== undefined && store?.keepsEvents !== true) {
    fail('option "store" must be a PostgresStore with "inbox"')
  }
  if (replay !== undefined && store === undefined) fail('option "replay" needs option "store"')
  for (const [name, value] of Object.entries({ pageSize, liveMinutes, liveLinger })) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0 && value <= 1000)) {
      fail(`option "${name}" must be a whole number from 1 to 1000`)
    }
  }
  return { authorize: authorize ?? null }
}

async function dashboardPlugin (app: FastifyInstance, options: DashboardOptions): Promise<void> {
  const { authorize } = checkOptions(options)
  const base = app.prefix
  if (base === '') throw new TypeError(`${NAME}: register it under a prefix, e.g. { prefix: '/_webhooks' }`)
  const { store, replay, pageSize = 50, liveMinutes = 15, liveLinger = 60, title = 'Webhooks' } = options
  const replays = replay === undefined ? null : replay
  // Checks the replay options now, at registration, as `replay()` would.
  if (replays !== null) replayWith(store!, replays, {})
  const live = new LiveCounts({ windowMinutes: liveMinutes, lingerSeconds: liveLinger })
  const streams = new Set<() => void>()
  app.addHook('preClose', async () => {
    for (const end of streams) end()
    live.close()
  })

  const tokens = new WeakMap<FastifyRequest, string>()
  const ctx = (request: FastifyRequest): pages.PageContext => ({
    base, title, csrf: tokens.get(request)!, inbox: store !== undefined, replays: replays !== null
  })

  app.removeAllContentTypeParsers()
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_LIMIT },
    (_request, body, done) => { done(null, Object.fromEntries(new URLSearchParams(body as string))) }
  )

  app.addHook('onRequest', async (request, reply) => {
    if (authorize !== null && await authorize(request, reply) !== true) throw new DashboardForbiddenError()
    const held = tokenOf(request.headers.cookie)
    const token = held ?? newToken()
    tokens.set(request, token)
    if (held === undefined) reply.header('set-cookie', cookie(token, base, request.protocol === 'https'))
    reply.headers(SECURITY_HEADERS)
  })

  const checkCsrf = (request: FastifyRequest): Record<string, string> => {
    const body = (request.body ?? {}) as Record<string, string>
    const header = (name: string): string | undefined => request.headers[name] as string | undefined
    const why = refusal({
      cookie: tokenOf(request.headers.cookie),
      field: body[CSRF_FIELD],
      origin: header('origin'),
      fetchSite: header('sec-fetch-site'),
      self: `${request.protocol}://${request.host}`
    })
    if (why !== undefined) throw new DashboardCsrfError(why)
    return body
  }

  const send = (reply: FastifyReply, page: Html, statusCode = 200): FastifyReply =>
    reply.code(statusCode).type('text/html; charset=utf-8').send(page.toString())

  app.setErrorHandler(async (err: Error & { statusCode?: number, code?: string }, request, reply) => {
    const statusCode = err.statusCode !== undefined && err.statusCode >= 400 ? err.statusCode : 500
    if (statusCode >= 500) request.log.error({ err }, 'webhook dashboard failed')
    const code = statusCode >= 500 ? 'Internal Server Error' : err.code ?? 'Error'
    const message = statusCode >= 500 ? 'The dashboard failed; the cause is in the server log.' : err.message
    tokens.set(request, tokens.get(request) ?? '')
    return send(reply, pages.errorPage(ctx(request), statusCode, code, message), statusCode)
  })
  app.setNotFoundHandler(async (request, reply) =>
    send(reply, pages.errorPage(ctx(request), 404, 'Not Found', 'The dashboard has no such page.'), 404))

  app.get('/', async (_request, reply) => reply.redirect(`${base}/${store === undefined ? 'live' : 'inbox'}`))
  app.get('/assets/dashboard.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(STYLESHEET))
  app.get('/assets/live.js', async (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').send(LIVE_SCRIPT))

  app.get('/live', async (request, reply) => {
    live.touch()
    return send(reply, pages.livePage(ctx(request), live.rows(), liveMinutes))
  })
  app.get('/live/stream', (request, reply) => {
    reply.hijack()
    const res = reply.raw
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8' })
    const stop = live.watch()
    const push = (): void => { res.write(`data: ${JSON.stringify(pages.liveRows(live.rows()).toString())}\n\n`) }
    push()
    const timer = setInterval(push, STREAM_EVERY_MS)
    const end = (): void => {
      clearInterval(timer)
      stop()
      streams.delete(end)
      res.end()
    }
    streams.add(end)
    res.on('close', end)
  })

  if (store === undefined) return
  const inbox = store.inbox

  app.get('/inbox', async (request, reply) => {
    const query = request.query as Record<string, unknown>
    const { fields, filter } = parseFilter(query)
    const cursor = decodeCursor(query.after)
    const page = await inbox.list(filter, cursor, pageSize)
    return send(reply, pages.inboxPage(ctx(request), fields, page, cursor === null))
  })

  const NOTICES: Record<string, string> = {
    handled: 'Replayed: the handlers ran once and the event is done.',
    failed: 'Replayed, and a handler threw again: the error is below.',
    invalid: 'Replayed, and its payload still fails today\'s schema: why is below.',
    skipped: 'Not replayed: another run holds the event now.',
    none: 'Not replayed: its status changed since the page was shown, or no replay handler takes its provider.'
  }

  app.get('/inbox/:key', async (request, reply) => {
    const { key } = request.params as { key: string }
    const event = await inbox.event(key)
    if (event === null) throw new DashboardNotFoundError()
    const { notice } = request.query as { notice?: unknown }
    return send(reply, pages.eventPage(ctx(request), event, typeof notice === 'string' ? NOTICES[notice] : undefined))
  })

  app.get('/purge', async (request, reply) =>
    send(reply, pages.purgeConfirmPage(ctx(request), await inbox.purgeable())))
  app.post('/purge', async (request, reply) => {
    checkCsrf(request)
    const deleted = await store.purge()
    request.log.info({ deleted }, 'webhook dashboard purged the inbox')
    return send(reply, pages.purgeResultPage(ctx(request), deleted))
  })

  if (replays === null) return
  const names = replays.providers.map(plugin => plugin.provider.name)

  /** The replay a filter asks for: failed and invalid unless a status is chosen, of the replayable providers. */
  const selected = ({ fields, filter }: ParsedFilter) => {
    if (fields.provider !== '' && !names.includes(fields.provider)) {
      throw new DashboardBadQueryError('provider', 'names no provider the dashboard has replay handlers for')
    }
    const statuses: readonly KeptStatus[] = filter.statuses ?? ['failed', 'invalid']
    return {
      options: {
        status: statuses,
        provider: filter.providers ?? names,
        ...(filter.types === null ? {} : { type: filter.types }),
        ...(filter.since === null ? {} : { since: filter.since }),
        ...(filter.until === null ? {} : { until: filter.until })
      },
      count: { ...filter, statuses, providers: filter.providers ?? names },
      tenant: filter.tenant ?? undefined
    }
  }

  app.get('/replay', async (request, reply) => {
    const parsed = parseFilter(request.query as Record<string, unknown>)
    const { count } = selected(parsed)
    return send(reply, pages.replayConfirmPage(ctx(request), parsed.fields, await inbox.count(count)))
  })
  app.post('/replay', async (request, reply) => {
    const body = checkCsrf(request)
    const parsed = parseFilter(body)
    const { options: replayOptions, tenant } = selected(parsed)
    const result = await replayWith(store, replays, replayOptions)({ tenant })
    request.log.info({ ...result }, 'webhook dashboard replayed a selection')
    return send(reply, pages.replayResultPage(ctx(request), parsed.fields as FilterFields, result))
  })

  app.post('/inbox/:key/replay', async (request, reply) => {
    const body = checkCsrf(request)
    const { key } = request.params as { key: string }
    const status = body.status as KeptStatus
    if (!STATUSES.includes(status)) throw new DashboardBadQueryError('status', `must be one of ${STATUSES.join(', ')}`)
    // Only while the event still has the status the page showed: had a sender's retry handled it since, a replay of
    // status `failed` finds nothing to do, so nothing runs twice.
    const result: ReplayResult = await replayWith(store, replays, { status: [status] })({ keys: [key] })
    const notice = (Object.keys(result) as Array<keyof ReplayResult>).find(name => result[name] > 0) ?? 'none'
    return reply.redirect(`${base}/inbox/${encodeURIComponent(key)}?notice=${notice}`, 303)
  })
}

/** `replayer` with the dashboard's handlers: typed by no one plugin list, as the dashboard serves all of them. */
function replayWith (store: PostgresStore, replay: DashboardReplay, selection: object): ReturnType<typeof replayer> {
  return replayer(store, { ...replay, ...selection } as unknown as ReplayOptions<DashboardReplay['providers']>)
}

export const dashboard = fp(dashboardPlugin, { fastify: '5.x', name: NAME, encapsulate: true })
export default dashboard
