/**
 * A Fastify app with the Pulse plugin on a real Postgres inbox and the dashboard under /_webhooks, for the
 * dashboard's tests (inject, real HTTP, and the browser). Deliveries are signed by the independent signer
 * (test/helpers/sign.ts); a Pulse event whose job id starts with "fail" makes the handler throw while `failing`.
 */
import Fastify, { type FastifyInstance } from 'fastify'
import type pg from 'pg'
import { dashboard, type DashboardOptions } from '../../lib/fastify/dashboard.js'
import { PostgresStore } from '../../lib/stores/postgres-entry.js'
import { pulse, type PulseEvent } from '../../plugins/pulse.js'
import { fixtures } from '../../lib/testing/kit.js'
import { SW_SECRET, signWith } from './sign.js'

export const AUTH = 'Bearer let-me-in'

export interface DashboardApp {
  app: FastifyInstance
  store: PostgresStore
  /** job ids the handler ran for, in order */
  ran: string[]
  /** the handler throws for job ids starting with "fail" while this is true */
  failing: { on: boolean }
}

export async function dashboardApp (
  pool: pg.Pool,
  options: Partial<DashboardOptions> = {},
  table = 'fastify_webhooks_idempotency'
): Promise<DashboardApp> {
  const store = new PostgresStore({ pool, inbox: true, table })
  await store.migrate()
  const ran: string[] = []
  const failing = { on: true }
  const handle = async (event: PulseEvent): Promise<void> => {
    const job = event.payload.data.job_id
    if (failing.on && job.startsWith('fail')) throw new Error(`job ${job} broke`)
    ran.push(event.payload.data.job_id)
  }
  const app = Fastify()
  await app.register(pulse, { secret: SW_SECRET, idempotency: { store }, onEvent: handle })
  await app.register(dashboard, {
    prefix: '/_webhooks',
    authorize: request => request.headers.authorization === AUTH,
    store,
    replay: { providers: [pulse], onEvent: handle as (event: never) => unknown },
    ...options
  })
  return { app, store, ran, failing }
}

/** A Pulse delivery's body: `type` with its fixture payload, `data` merged in. */
export function pulseBody (type: keyof typeof fixtures.pulse, data: Record<string, unknown> = {}): string {
  const fixture = fixtures.pulse[type] as { data: Record<string, unknown> }
  return JSON.stringify({ ...fixture, data: { ...fixture.data, ...data } })
}

/** POSTs a signed Pulse delivery through `app.inject`; resolves to the status. */
export async function deliver (app: FastifyInstance, body: string, id: string): Promise<number> {
  const headers = {
    'content-type': 'application/json',
    ...signWith({ kind: 'standard', prefix: 'webhook' }, body, { secret: SW_SECRET, id })
  }
  return (await app.inject({ method: 'POST', url: '/webhooks/pulse', headers, payload: body })).statusCode
}

/** Markup and script a sender could put anywhere in a payload: none of it may run or become markup. */
export const XSS = [
  '<script>window.__xss = 1</script>',
  '"><img src=x onerror="window.__xss = 2">',
  "'><svg onload=window.__xss=3>",
  '</pre><iframe srcdoc="<script>parent.__xss=4</script>"></iframe>',
  'javascript:window.__xss=5'
]
