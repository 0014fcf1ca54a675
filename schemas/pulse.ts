import Type, { type Static, type TProperties } from 'typebox'
import { Literals } from './common.js'

/** The envelope every Pulse event shares: `{ type, timestamp, data }`. */
function envelope<const T extends string, D extends TProperties> (type: T, data: D) {
  return Type.Object({
    type: Type.Literal(type),
    timestamp: Type.String(),
    data: Type.Object({ job_id: Type.String(), ...data })
  })
}

export const pulseEvents = {
  'job.created': envelope('job.created', { status: Type.String() }),
  'job.processing': envelope('job.processing', { status: Type.String() }),
  'job.completed': envelope('job.completed', {
    status: Type.Literal('completed'),
    pages_processed: Type.Integer(),
    /** seconds */
    processing_time: Type.Number()
  }),
  'job.failed': envelope('job.failed', { status: Type.Literal('failed'), error: Type.String() }),
  /** the page spells it `cancelled`, the SDK `canceled`: both are accepted */
  'job.cancelled': envelope('job.cancelled', { status: Literals('cancelled', 'canceled') })
}

export type PulseEventType = keyof typeof pulseEvents
export type PulsePayload<T extends PulseEventType = PulseEventType> = Static<typeof pulseEvents[T]>
