import Type, { type Static, type TProperties } from 'typebox'
import { Literals } from './common.js'

/** The envelope every Pulse event shares: `{ type, timestamp, data }`. */
function envelope<const T extends string, D extends TProperties> (type: T, data: D, example: Record<string, unknown>) {
  return Type.Object(
    {
      type: Type.Literal(type),
      timestamp: Type.String(),
      data: Type.Object({ job_id: Type.String(), ...data })
    },
    {
      examples: [
        {
          type,
          timestamp: '2024-01-15T10:30:00Z',
          data: { job_id: '123e4567-e89b-12d3-a456-426614174000', ...example }
        }
      ]
    }
  )
}

export const pulseEvents = {
  'job.created': envelope('job.created', { status: Type.String() }, { status: 'pending' }),
  'job.processing': envelope('job.processing', { status: Type.String() }, { status: 'processing' }),
  'job.completed': envelope(
    'job.completed',
    {
      status: Type.Literal('completed'),
      pages_processed: Type.Integer(),
      /** seconds */
      processing_time: Type.Number()
    },
    { status: 'completed', pages_processed: 25, processing_time: 12.5 }
  ),
  'job.failed': envelope(
    'job.failed',
    { status: Type.Literal('failed'), error: Type.String() },
    { status: 'failed', error: 'Document processing failed: Invalid PDF structure' }
  ),
  /** the page spells it `cancelled`, the SDK `canceled`: both are accepted */
  'job.cancelled': envelope('job.cancelled', { status: Literals('cancelled', 'canceled') }, { status: 'cancelled' })
}

export type PulseEventType = keyof typeof pulseEvents
export type PulsePayload<T extends PulseEventType = PulseEventType> = Static<typeof pulseEvents[T]>
