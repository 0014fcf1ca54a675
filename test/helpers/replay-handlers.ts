/**
 * A module for `fastify-webhooks inbox replay --handlers`: Pulse, whose handler records job ids, or throws for one
 * that says "broken".
 */
import { pulse, type PulseEvent } from '../../plugins/pulse.js'

export const ran: string[] = []

export default {
  providers: [pulse],
  onEvent: (event: PulseEvent) => {
    if (event.payload.data.job_id.includes('broken')) throw new Error('still broken')
    ran.push(event.payload.data.job_id)
  }
}
