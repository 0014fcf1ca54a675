/**
 * The options of `createWebhookWorker`, one table: a type test (test-d/types.ts) holds `WebhookWorkerOptions`
 * to its names. Apart from the entry module, so that the table is no export of `fastify-webhooks/bullmq`.
 */
import { HANDLER_OPTIONS } from '../core/handlers.js'
import { elsewhere, isObject, optionTable, optional, rule } from '../core/option-table.js'

export const workerOptions = optionTable({
  connection: rule(isObject, 'is required (ioredis options or client)'),
  queueName: rule(value => typeof value === 'string' && value !== '', 'must be the name of the queue'),
  concurrency: optional(value => Number.isInteger(value) && (value as number) >= 1, 'a positive integer'),
  ...HANDLER_OPTIONS,
  providers: elsewhere,
  idempotency: elsewhere,
  logger: elsewhere,
  worker: elsewhere
})
