/**
 * Replays kept events through today's handlers, e.g. every failed one since Monday once the bug is
 * fixed. After `npm run build`:
 *   DATABASE_URL=postgres://... node dist/examples/replay.js --status failed --since 2026-11-30
 * Options: --status (failed, invalid, processing, done; repeatable), --type, --since, --until (ISO dates).
 * Prints what became of them as JSON. In your project, import from 'fastify-webhooks/postgres'.
 */
import { parseArgs } from 'node:util'
import pg from 'pg'
import { PostgresStore, replay, type KeptStatus } from '../lib/stores/postgres-entry.js'
import { pulse } from '../plugins/pulse.js'
import { pulseHandlers } from './postgres-handlers.js'

const { values } = parseArgs({
  options: {
    status: { type: 'string', multiple: true, default: ['failed', 'invalid'] },
    type: { type: 'string', multiple: true },
    since: { type: 'string' },
    until: { type: 'string' }
  }
})

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
pool.on('error', () => {}) // a dropped idle connection; the next query reports any real failure
const store = new PostgresStore({ pool, inbox: true })
try {
  const result = await replay(store, {
    providers: [pulse],
    on: pulseHandlers(store),
    status: values.status as KeptStatus[],
    ...(values.type === undefined ? {} : { type: values.type }),
    ...(values.since === undefined ? {} : { since: new Date(values.since) }),
    ...(values.until === undefined ? {} : { until: new Date(values.until) }),
    logger: {
      info: () => {},
      warn: (fields, message) => console.error(message, fields),
      error: (fields, message) => console.error(message, fields)
    }
  })
  console.log(JSON.stringify(result))
} finally {
  await pool.end()
}
