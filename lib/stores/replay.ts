/**
 * Replay: kept events run again through today's handlers and schemas. Each is reopened (`store.reclaim`: a lease
 * put on it whatever became of it) and run, as a delivery is, in the transaction that marks it done, so a replay
 * and a redelivery (or two replays) never both run one.
 * An event is judged as it was received: its signature was checked then, with the clock of then, and is
 * not checked again; its `receivedAt` and signed timestamp are the ones it arrived with.
 */
import { dispatch, type Logger } from '../core/dispatch.js'
import { WebhookInFlightError } from '../core/errors.js'
import { runHandlers, type Handlers } from '../core/handlers.js'
import type { PostgresStore, KeptEvent, KeptSelection } from './postgres.js'
import type { ProviderSpec } from '../core/provider.js'
import { compileProvider, validateEvent, type CompiledProvider } from '../core/receive.js'

export interface Replay {
  store: PostgresStore
  providers: readonly ProviderSpec[]
  /** per provider name, the plugin options its checks read (Retab's `extraction`) */
  options: Readonly<Record<string, object>>
  handlers: Handlers<[]>
  selection: KeptSelection
  ttlMs: number
  leaseMs: number
  log: Logger
  /** after each event, the counts so far */
  progress?: ((result: ReplayResult) => void) | undefined
}

export interface ReplayResult {
  /** ran through the handlers, and marked done */
  handled: number
  /** a handler threw: marked failed again, with the error */
  failed: number
  /** its payload still fails today's schema: kept as invalid, with why */
  invalid: number
  /** taken by another run since it was selected */
  skipped: number
}

export async function replayKept (replay: Replay): Promise<ReplayResult> {
  const { store, selection } = replay
  const compiled = new Map<string, CompiledProvider>(
    await Promise.all(replay.providers.map(async spec => [spec.name, await compileProvider(spec)] as const))
  )
  const idempotency = { store, ttlMs: replay.ttlMs, leaseMs: replay.leaseMs }
  const result: ReplayResult = { handled: 0, failed: 0, invalid: 0, skipped: 0 }
  for await (const { key, ...event } of store.kept(selection)) {
    await replayOne(replay, compiled, idempotency, result, key, event)
    replay.progress?.({ ...result })
  }
  return result
}

async function replayOne (
  replay: Replay,
  compiled: Map<string, CompiledProvider>,
  idempotency: { store: PostgresStore, ttlMs: number, leaseMs: number },
  result: ReplayResult,
  key: string,
  event: Omit<KeptEvent, 'key'>
): Promise<void> {
  const { store, selection, log } = replay
  const fields = { provider: event.provider, id: event.id, type: event.type }
  // The selection names only these providers.
  const options = replay.options[event.provider] ?? {}
  const checked = validateEvent(compiled.get(event.provider)!, event, options, event.type !== '')
  if (!checked.ok) {
    await store.keepInvalid(key, event, checked.error.message)
    log.warn({ ...fields, ...checked.log }, 'replayed webhook event is still invalid')
    result.invalid++
    return
  }
  try {
    await dispatch({
      idempotency,
      key,
      event: checked.event,
      log,
      fields,
      // Reopened, not taken as a delivery's key is: a done or failed event gets a lease again.
      claim: async () => await store.reclaim(key, replay.leaseMs, selection.statuses),
      run: async () => {
        await runHandlers(replay.handlers, checked.event, checked.known)
        return true
      }
    })
    result.handled++
    log.info(fields, 'replayed webhook event handled')
  } catch (err) {
    if (err instanceof WebhookInFlightError) {
      result.skipped++
      return
    }
    result.failed++
    log.error({ ...fields, err }, 'replayed webhook event failed')
  }
}
