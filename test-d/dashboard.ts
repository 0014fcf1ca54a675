/**
 * Type tests of `fastify-webhooks/dashboard`: checked by `tsc`, never run.
 * Each `@ts-expect-error` must be an error, or tsc fails.
 */
import Fastify from 'fastify'
import pg from 'pg'
import { dashboard } from '../lib/fastify/dashboard.js'
import { PostgresStore } from '../lib/stores/postgres.js'
import { pulse, type PulseEvent } from '../plugins/pulse.js'

const app = Fastify()
const store = new PostgresStore({ pool: new pg.Pool(), inbox: true })

// The README's registration: the plugin's own typed handlers fit `replay`.
void app.register(dashboard, {
  prefix: '/_webhooks',
  authorize: async request => request.headers.authorization === 'Bearer x',
  store,
  replay: {
    providers: [pulse],
    on: { 'job.completed': async (event: PulseEvent<'job.completed'>) => { void event.payload.data.pages_processed } }
  }
})
void app.register(dashboard, { prefix: '/_local', insecureNoAuthorization: true, pageSize: 20 })
// @ts-expect-error authorize says yes or no
void app.register(dashboard, { prefix: '/_w', authorize: () => 'yes' })
// @ts-expect-error the store is a PostgresStore
void app.register(dashboard, { prefix: '/_w', authorize: () => true, store: {} })
