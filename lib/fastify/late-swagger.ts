import type { FastifyInstance } from 'fastify'
import type { ProviderSpec } from '../core/provider.js'

/**
 * @fastify/swagger documents the routes added after it: one registered after a webhook plugin never
 * sees its route, and the document silently lacks it. Says so once the app is ready.
 */
export function warnIfSwaggerComesLate (instance: FastifyInstance, spec: ProviderSpec, path: string): void {
  if (instance.hasDecorator('swagger')) return
  instance.addHook('onReady', async () => {
    if (!instance.hasDecorator('swagger')) return
    instance.log.warn(
      { provider: spec.name, path: `${instance.prefix}${path}` },
      `@fastify/swagger was registered after fastify-webhooks-${spec.name}, so the OpenAPI document lacks its route: ` +
      'register @fastify/swagger first'
    )
  })
}
