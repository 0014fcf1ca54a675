/**
 * The handlers of examples/postgres.ts, shared with examples/replay.ts: handlers that take the event
 * alone fit the plugin's `on` and `replay`'s alike.
 */
import type { EventHandlers } from '../lib/fastify/types.js'
import type { PostgresStore } from '../lib/stores/postgres-entry.js'
import type { PulseEvent } from '../plugins/pulse.js'

export function pulseHandlers (store: PostgresStore): EventHandlers<PulseEvent> {
  return {
    'job.completed': async event => {
      const { job_id: job, pages_processed: pages } = event.payload.data
      // store.client(): the transaction that marks this event done. No ON CONFLICT needed: it runs once.
      await store.client().query('INSERT INTO pulse_jobs (job_id, pages) VALUES ($1, $2)', [job, pages])
    }
  }
}
