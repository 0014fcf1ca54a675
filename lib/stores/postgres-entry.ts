/**
 * `fastify-webhooks/postgres`: the idempotency store on your `pg` Pool, whose done mark commits in the
 * same transaction as your handlers' writes, and with `inbox` keeps every verified event for `replay`.
 */
import type { PostgresStore } from './postgres.js'
import type { ReplayResult } from './replay.js'
import { replayer, type Plugins, type ReplayOptions } from './replayer.js'
// declares FastifyWebhookProviders (an export, so that the .d.ts keeps it)
export type {} from '../fastify/define-provider.js'

export {
  PostgresClaimLostError,
  PostgresStore,
  migrationSql,
  type InboxOptions,
  type KeptEvent,
  type KeptSelection,
  type KeptStatus,
  type PostgresStoreOptions,
  type TableOptions,
  type TransactionalStore
} from './postgres.js'
export type { ReplayResult } from './replay.js'
export type { ReplayOptions } from './replayer.js'
export type { UnknownWebhookEvent } from '../fastify/types.js'

/**
 * Runs the kept events that `options` select through the handlers, once each: each is reopened (a lease put
 * on it, as on a delivery's key), its payload checked against today's schema, its handlers run in the transaction
 * that marks it done. Resolves with how many were handled, failed, still invalid, or taken by another run.
 */
export async function replay<const P extends Plugins> (
  store: PostgresStore,
  options: ReplayOptions<P>
): Promise<ReplayResult> {
  return await replayer(store, options)()
}
