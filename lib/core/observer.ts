/**
 * What the engine tells whoever observes its deliveries. The core knows no channel: an adapter hands
 * `dispatch` an observer made once per registration (lib/observe/observer.ts publishes on diagnostics channels).
 */
import type { Dispatch, Dispatched } from './dispatch.js'

/** The job a worker runs (worker messages only). */
export interface JobInfo {
  /** the BullMQ queue's name */
  queue: string
  id: string
  /** 1 for the first try */
  attempt: number
  /** milliseconds from the job being added to this try starting */
  lag: number
}

/** The trace context of one delivery, handed to `run` while it is observed. */
export interface TraceContext {
  /** W3C traceparent: set by a tracer on the route, for the job that carries it on; in a worker, the job's */
  traceparent?: string | undefined
}

export interface DeliveryObserver {
  /** Whether anyone listens now; while nobody does, `dispatch` runs as if unobserved. */
  readonly observing: boolean
  /** Runs `settle` (dispatch's own steps) on `d`, observed. */
  observe (d: Dispatch, settle: (d: Dispatch) => Promise<Dispatched>): Promise<Dispatched>
  /** An error answered 4xx before anything ran. */
  refused (provider: string, error: Error): void
  /** A verified event kept as invalid and answered 200. */
  acceptedInvalid (provider: string): void
  /** A queue took the event. */
  queued (event: { provider: string, tenant?: string, id: string, type: string }, queue: string, jobId: string): void
}
