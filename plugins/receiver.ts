import { createHash } from 'node:crypto'
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import sjson from 'secure-json-parse'
import { Compile } from 'typebox/compile'
import {
  WebhookEmptyBodyError, WebhookHandlerError, WebhookInFlightError, WebhookInvalidJsonError,
  WebhookInvalidPayloadError, WebhookQueueError, WebhookStoreError, rejectionErrors
} from '../lib/errors.js'
import type { Verification } from '../lib/scheme.js'
import { firstErrorPath } from '../schemas/common.js'
import type { EventOf, EventSchemas, ReceiverOptions, UnknownEventOf, WebhookHandler } from './types.js'
import { resolveOptions, type LooseOptions, type ProviderSpec } from './options.js'
import { routeDocs } from './openapi.js'

export type { ProviderSpec } from './options.js'

declare module 'fastify' {
  /**
   * One entry per provider plugin imported: name → its event union.
   * Extend it for a provider of your own made with `defineProvider`.
   */
  interface FastifyWebhookProviders {}

  interface FastifyRequest {
    /**
     * The verified, schema-valid event on a webhook route, discriminated by
     * `provider` then `type`; `null` on every other route (and for events of
     * a type no schema knows, which go to `onUnknown`).
     */
    webhook: FastifyWebhookProviders[keyof FastifyWebhookProviders] | null
    /**
     * On a webhook route, the exact bytes that were verified (a Buffer).
     * Typed `string | Buffer` to agree with `fastify-raw-body`'s declaration.
     */
    rawBody?: string | Buffer
  }
}

/** The options of one provider's plugin. */
export type ProviderOptions<P extends string, M extends EventSchemas, Meta extends object, Extra extends object, Opts extends object> =
  ReceiverOptions<EventOf<P, M, Meta & Extra>, UnknownEventOf<P, Meta>> & Opts

/** A provider plugin: the `fastify-plugin`-wrapped receiver, with the spec it was made from. */
export type WebhookPlugin<P extends string, M extends EventSchemas, Meta extends object, Extra extends object, Opts extends object> =
  FastifyPluginAsync<ProviderOptions<P, M, Meta, Extra, Opts>> & { readonly provider: ProviderSpec<P, M, Meta, Extra, Opts> }

/** The event union a plugin made by `defineProvider` produces: `EventFor<typeof pulse>`. */
export type EventFor<Plugin> = Plugin extends WebhookPlugin<infer P, infer M, infer Meta, infer Extra, infer _O> ? EventOf<P, M, Meta & Extra> : never

/** An internal, scope-only slot for the event built by the parser (known or unknown type). */
const kEvent = Symbol('fastify-webhooks.event')
type Delivery = { id: string, type: string, payload: unknown }
type RequestWithEvent = FastifyRequest & { [kEvent]: Delivery | null }

const RECEIVED = '{"received":true}'
const DUPLICATE = '{"received":true,"duplicate":true}'

/**
 * Makes a Fastify plugin from a provider description. Every provider we ship
 * is one call to this; so can be yours (GitHub, Stripe, your own service).
 */
export function defineProvider<P extends string, M extends EventSchemas, Meta extends object, Extra extends object = object, Opts extends object = object> (
  spec: ProviderSpec<P, M, Meta, Extra, Opts>
): WebhookPlugin<P, M, Meta, Extra, Opts> {
  const pluginName = `fastify-webhooks-${spec.name}`
  // Compiled once per provider, not per registration or request.
  const validators = new Map(Object.entries(spec.events).map(([type, schema]) => [type, Compile(schema)]))

  async function receiver (fastify: FastifyInstance, options: ProviderOptions<P, M, Meta, Extra, Opts>): Promise<void> {
    const config = resolveOptions(spec as never, pluginName, options as LooseOptions)
    const { keys, store, ttlMs, leaseMs, bodyLimit, tolerance, queue } = config
    queue?.watch(fastify.log)
    // What a run of the handlers is called in logs and errors: here, or handing the event to the queue.
    const outcome = queue === null
      ? { failed: 'webhook handler failed', done: 'webhook event handled', Failure: WebhookHandlerError }
      : { failed: 'webhook queue did not take the event', done: 'webhook event queued', Failure: WebhookQueueError }
    const extend = spec.extend?.(options)
    const handlers = new Map<string, WebhookHandler<never>>(Object.entries(options.on ?? {}) as Array<[string, WebhookHandler<never>]>)
    const onEvent = options.onEvent as WebhookHandler<unknown> | undefined
    const onUnknown = (options.onUnknown ?? logUnknown) as WebhookHandler<unknown>

    if (!fastify.hasRequestDecorator('webhook')) fastify.decorateRequest('webhook', null)
    if (!fastify.hasRequestDecorator('rawBody')) fastify.decorateRequest('rawBody', undefined)

    // Built once: the instance's poisoning settings are fixed when it is created (Fastify's default: 'error').
    const parseOptions = {
      protoAction: fastify.initialConfig.onProtoPoisoning,
      constructorAction: fastify.initialConfig.onConstructorPoisoning
    }

    // Steps 1-3 of the flow: verify the exact bytes, then parse, then validate. Runs as the body parser,
    // so nothing reaches a handler unverified.
    function parseDelivery (request: FastifyRequest, body: Buffer, done: (err: Error | null, body?: unknown) => void): void {
      const verification: Verification<Meta> | null = keys === null
        ? null
        : spec.scheme.verify(keys, request.headers, body, { now: Math.floor(Date.now() / 1000), tolerance })
      if (verification !== null && !verification.ok) {
        request.log.warn({ provider: spec.name, reason: verification.reason, detail: verification.detail }, 'webhook rejected')
        return done(new rejectionErrors[verification.reason]())
      }
      let payload: unknown
      try {
        payload = sjson.parse(body, undefined, parseOptions)
      } catch {
        request.log.warn({ provider: spec.name }, 'webhook body is not valid JSON')
        return done(new WebhookInvalidJsonError())
      }
      const type = spec.typeOf(payload) ?? ''
      const id = spec.idOf?.(payload, verification?.id) ?? verification?.id ?? sha256(body)
      const event = { provider: spec.name, id, type, payload, receivedAt: new Date() }
      // Object.assign rather than a spread in the literal, which takes V8's slow path for every event.
      if (verification !== null) Object.assign(event, verification.meta)
      const validator = validators.get(type)
      if (validator !== undefined) {
        if (!validator.Check(payload)) {
          const path = firstErrorPath(validator, payload) || '/'
          request.log.warn({ provider: spec.name, id, type, path }, 'webhook payload does not match its schema')
          return done(new WebhookInvalidPayloadError(path))
        }
        if (extend !== undefined) {
          const extra = extend(payload as never)
          if ('invalid' in extra) {
            request.log.warn({ provider: spec.name, id, type, path: extra.invalid }, 'webhook payload does not match its schema')
            return done(new WebhookInvalidPayloadError(extra.invalid))
          }
          Object.assign(event, extra)
        }
        request.webhook = event as unknown as FastifyRequest['webhook']
      }
      ;(request as RequestWithEvent)[kEvent] = event
      request.rawBody = body
      done(null, payload)
    }

    // Steps 4-5: claim the event id, run the handlers, mark it done (or release it on failure), answer.
    async function handle (request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
      const event = (request as RequestWithEvent)[kEvent]
      if (event === null) throw new WebhookEmptyBodyError()
      const log = { provider: spec.name, id: event.id, type: event.type }
      const key = `${spec.name}:${event.id}`

      if (store !== null) {
        let claim
        try {
          claim = await store.claim(key, leaseMs)
        } catch (err) {
          request.log.error({ ...log, err }, 'idempotency store failed to claim the event')
          throw new WebhookStoreError()
        }
        if (claim === 'done') {
          request.log.info(log, 'duplicate webhook event, already handled')
          return reply.type('application/json').send(DUPLICATE)
        }
        if (claim === 'in-flight') {
          request.log.info(log, 'webhook event is in flight elsewhere')
          throw new WebhookInFlightError()
        }
      }

      let answered: boolean
      try {
        answered = await dispatch(event, request, reply)
      } catch (err) {
        request.log.error({ ...log, err }, outcome.failed)
        if (store !== null) await store.release(key).catch(releaseErr => request.log.error({ ...log, err: releaseErr }, 'idempotency store failed to release the event'))
        throw new outcome.Failure({ cause: err })
      }

      if (store !== null) {
        // A handler that answered an error itself did not handle the event: let the retry run it.
        const handled = !answered || reply.statusCode < 300
        try {
          await (handled ? store.complete(key, ttlMs) : store.release(key))
        } catch (err) {
          // The handlers ran: answering 5xx now would make the sender run them again.
          request.log.error({ ...log, err }, 'idempotency store failed to record the event')
        }
      }
      request.log.info(log, outcome.done)
      return answered ? reply : reply.type('application/json').send(RECEIVED)
    }

    /**
     * Runs the handlers of one event; true when one of them answered itself. (A handler that
     * returns `reply` is awaited until the answer is out, since a Fastify reply is thenable.)
     */
    async function dispatch (event: Delivery, request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
      if (queue !== null) {
        // The worker runs the handlers: answer 202 once Redis holds the job.
        await queue.add(event, request.webhook !== null)
        reply.code(202)
        return false
      }
      if (request.webhook === null) {
        await onUnknown(event, request, reply)
      } else {
        const handler = handlers.get(event.type) as WebhookHandler<unknown> | undefined
        if (handler !== undefined) await handler(event, request, reply)
        if (onEvent !== undefined) await onEvent(event, request, reply)
      }
      return reply.sent || reply.raw.headersSent
    }

    function logUnknown (event: Delivery, request: FastifyRequest): void {
      request.log.warn({ provider: spec.name, id: event.id, type: event.type }, 'webhook event of a type no schema knows; answered 200')
    }

    await fastify.register(async function webhookRoute (scope) {
      // Only our JSON parser in this scope: no body reaches the handler unverified, whatever the user registered.
      scope.removeAllContentTypeParsers()
      scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, parseDelivery)
      scope.decorateRequest(kEvent, null)
      // A schema only when @fastify/swagger is registered, for its document; Fastify's own validation stays off.
      scope.post(config.path, { bodyLimit, ...routeDocs(scope, spec.name, spec.events, queue !== null) }, handle)
    }, { prefix: (options as { prefix?: string }).prefix })
  }

  const plugin = fp(receiver, { fastify: '5.x', name: pluginName })
  return Object.assign(plugin, { provider: spec })
}

function sha256 (body: Buffer): string {
  return createHash('sha256').update(body).digest('hex')
}
