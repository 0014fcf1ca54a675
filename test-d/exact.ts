/**
 * Type tests under `exactOptionalPropertyTypes: true` (test-d/tsconfig.exact.json, run by
 * `npm run typecheck`): the README's options compile there too. Checked, never run.
 */
import type { Queue } from 'bullmq'
import Fastify, { type FastifyContextConfig } from 'fastify'
import pg from 'pg'
import { Redis } from 'ioredis'
import {
  autosana, defineStandardWebhooks, hmacHex, MemoryStore, pulse, retab, SecretCache, type PulseEvent
} from '../plugins/index.js'
import { createWebhookWorker } from '../lib/queue/worker.js'
import { PostgresStore, replay } from '../lib/stores/postgres-entry.js'
import { deliver, fixtures, receive, sign } from '../lib/testing/kit.js'
import { RedisStore } from '../lib/stores/redis.js'
import { instrumentWebhooks } from '../lib/observe/otel.js'
import type { Logger } from '../lib/core/dispatch.js'

const app = Fastify()

// `secret` from the environment is `string | undefined`: the key is required, its value may be undefined
// (the plugin throws at registration, naming the option).
void app.register(pulse, {
  secret: process.env.PULSE_WEBHOOK_SECRET,
  on: { 'job.completed': async (event) => { void event.payload.data.job_id } }
})
void app.register(pulse, pulse.options({ secret: process.env.PULSE_WEBHOOK_SECRET }))
void app.register(retab, { secret: process.env.RETAB_WEBHOOK_SECRET })

// @ts-expect-error the `secret` key is required for a provider that always signs
void app.register(pulse, { on: {} })
// @ts-expect-error the `secret` key is required for a provider that always signs
void app.register(pulse, pulse.options({}))

// Autosana may be unsigned: `secret` or `allowUnsigned: true`, both optional in the type.
void app.register(autosana, { secret: process.env.AUTOSANA_WEBHOOK_SECRET })
void app.register(autosana, { allowUnsigned: true })

// Optional options accept `undefined` everywhere, so that they may come from a config object whose fields
// are `T | undefined` (`{ tolerance: config.tolerance }`) rather than be spread in only when set.
declare const config: {
  path: string | undefined
  routeConfig: FastifyContextConfig | undefined
  tolerance: number | undefined
  bodyLimit: number | undefined
  bufferLimit: number | undefined
  acceptInvalid: boolean | undefined
  ttl: number | undefined
  lease: number | undefined
  concurrency: number | undefined
  timeout: number | undefined
  max: number | undefined
  since: Date | undefined
  type: string | undefined
  id: string | undefined
  timestamp: number | undefined
  logger: Logger | undefined
  queue: Queue | undefined
  prefix: string | undefined
  schema: string | undefined
  retention: number | undefined
}

void app.register(pulse, { secret: 'whsec_x', tolerance: config.tolerance })
void app.register(pulse, {
  secret: 'whsec_x',
  path: config.path,
  routeConfig: config.routeConfig,
  tolerance: config.tolerance,
  bodyLimit: config.bodyLimit,
  bufferLimit: config.bufferLimit,
  acceptInvalid: config.acceptInvalid,
  idempotency: { store: undefined, ttl: config.ttl, lease: config.lease },
  queue: config.queue === undefined
    ? undefined
    : {
        queue: config.queue,
        jobOptions: {
          attempts: config.concurrency, backoff: undefined, removeOnComplete: undefined, removeOnFail: undefined
        },
        timeout: config.timeout
      },
  on: undefined,
  onEvent: undefined,
  onUnknown: undefined,
  onInvalid: undefined,
  tenant: undefined,
  secretCache: undefined
})
void app.register(pulse, pulse.options({ secret: 'whsec_x', tolerance: config.tolerance, path: config.path }))
void app.register(retab, { secret: 'whsec_x', extraction: undefined })
void app.register(autosana, { allowUnsigned: true, tolerance: config.tolerance })

void createWebhookWorker<PulseEvent>({
  connection: {},
  queueName: 'webhooks',
  concurrency: config.concurrency,
  logger: config.logger,
  idempotency: { ttl: config.ttl, lease: config.lease },
  providers: undefined,
  worker: undefined,
  on: undefined,
  onEvent: undefined,
  onUnknown: undefined
})

void replay(new PostgresStore({ pool: new pg.Pool(), inbox: true }), {
  providers: [pulse],
  on: { 'job.completed': async () => {} },
  onEvent: undefined,
  onUnknown: undefined,
  status: undefined,
  type: config.type,
  provider: undefined,
  since: config.since,
  until: undefined,
  options: undefined,
  ttl: config.ttl,
  lease: config.lease,
  logger: config.logger
})

void new SecretCache({ max: config.max, ttl: config.ttl, timeout: config.timeout })

void sign('pulse', fixtures.pulse['job.completed'], {
  secret: 'whsec_x', id: config.id, timestamp: config.timestamp, type: undefined
})
void deliver(app, 'pulse', fixtures.pulse['job.completed'], {
  secret: 'whsec_x', id: config.id, timestamp: config.timestamp, path: config.path, headers: undefined
})
void receive({ on: undefined, onEvent: undefined, onUnknown: undefined }, {
  provider: 'pulse',
  type: 'job.completed',
  payload: fixtures.pulse['job.completed'],
  id: config.id,
  receivedAt: undefined
})

void new MemoryStore({ maxKeys: config.max, now: undefined })
void new RedisStore({ client: new Redis(), prefix: config.prefix })
void new PostgresStore({
  pool: new pg.Pool(),
  schema: config.schema,
  table: undefined,
  inbox: { retention: config.retention, redact: undefined }
})
void instrumentWebhooks({ tracerProvider: undefined, meterProvider: undefined, span: undefined })
void instrumentWebhooks({ span: 'current' })
void hmacHex({ headers: ['x-signature'], prefix: config.prefix })
void defineStandardWebhooks({
  name: 'acme',
  title: config.type,
  events: undefined,
  type: { header: 'x-type', required: config.acceptInvalid },
  headerPrefixes: undefined,
  sample: undefined
})
