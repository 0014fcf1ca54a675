/**
 * The Fastify face of the engine: a scoped JSON parser that hands the exact bytes to `receive`
 * (lib/core/receive.ts), and a route that hands the event to `dispatch` (lib/core/dispatch.ts) and its sink.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { dispatch } from '../core/dispatch.js'
import { eventKey } from '../core/event-key.js'
import { WebhookEmptyBodyError, WebhookStoreError } from '../core/errors.js'
import type { ProviderSpec, WebhookEventData } from '../core/provider.js'
import { compileProvider, receive, refuseEarly, type Refusal } from '../core/receive.js'
import type { SchemaFailure } from '../core/schema-failure.js'
import { closeIfBodyUnread, guardBody, serverBudget } from './body-guard.js'
import { resolveOptions, type KeptInvalid, type LooseOptions } from './options.js'
import { routeDocs, warnIfSwaggerComesLate } from './openapi.js'
import { deliveryObserver } from '../observe/observer.js'
import { unknownTenant, type DeliveryKeys } from '../tenants/resolve-tenants.js'
import type { ProviderOptions, WebhookPlugin } from './types.js'

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

/** The event the parser made (of a known type or not), for the route; scoped to the webhook routes. */
const kEvent = Symbol('fastify-webhooks.event')
/** `invalid`: the payload failed its schema, and the store keeps such events. */
interface Parsed { event: WebhookEventData, known: boolean, invalid?: Invalid }
interface Invalid extends SchemaFailure { error: Error, kept: KeptInvalid }
type RequestWithEvent = FastifyRequest & { [kEvent]: Parsed | null }
type Done = (err: Error | null, body?: unknown) => void

/** A plugin's `options`: only its type does anything. */
function sameOptions<S extends ProviderSpec> (options: ProviderOptions<S>): ProviderOptions<S> {
  return options
}

const RECEIVED = '{"received":true}'
const DUPLICATE = '{"received":true,"duplicate":true}'
const INVALID = '{"received":true,"invalid":true}'

/**
 * Makes a Fastify plugin from a provider description. Every provider we ship
 * is one call to this; so can be yours (GitHub, Stripe, your own service).
 */
export function defineProvider<const S extends ProviderSpec> (spec: S): WebhookPlugin<S> {
  const provider = compileProvider(spec)

  async function receiver (fastify: FastifyInstance, options: ProviderOptions<S>): Promise<void> {
    const loose: LooseOptions = options
    const {
      keys, keysFor, tenants, path, tolerance, bodyLimit, bufferLimit, idempotency, sink, invalid
    } = resolveOptions(spec, loose)
    const budget = serverBudget(fastify.server, `fastify-webhooks-${spec.name}`, bodyLimit, bufferLimit)
    // 200: the sink handles the event; 202: it hands it on
    const observer = deliveryObserver('route', sink.status === 200)
    sink.start?.(fastify.log, observer)
    if (!fastify.hasRequestDecorator('webhook')) fastify.decorateRequest('webhook', null)
    if (!fastify.hasRequestDecorator('rawBody')) fastify.decorateRequest('rawBody', undefined)
    // The instance's poisoning settings are fixed when it is created (Fastify's default: 'error').
    const { onProtoPoisoning: protoAction = 'error', onConstructorPoisoning: constructorAction = 'error' } =
      fastify.initialConfig
    const parse = { protoAction, constructorAction }

    // Steps 1-3 run as the body parser, so nothing reaches a handler unverified.
    function parseDelivery (request: FastifyRequest, body: Buffer, done: Done): void {
      // A tenant's keys may need a lookup; fixed secrets and cached tenants come at once.
      const found = keysFor(request)
      if (found instanceof Promise) found.then(keys => { accept(request, body, keys, done) }, done)
      else accept(request, body, found, done)
    }

    function accept (request: FastifyRequest, body: Buffer, { keys, tenant, known }: DeliveryKeys, done: Done): void {
      const delivery = { headers: request.headers, body, keys, receivedAt: new Date(), tolerance, parse, options }
      let received = receive(provider, delivery)
      if (received.ok && !known) received = unknownTenant()
      let parsed: Parsed
      if (received.ok) {
        parsed = received
      } else {
        const error = logged(request, received)
        if (received.invalid === undefined || invalid === null) return done(error)
        // Kept by the route, then refused or accepted: after a schema fix, a replay recovers it.
        const { event, path, reason } = received.invalid
        parsed = { event, known: true, invalid: { error, path, reason, kept: invalid } }
      }
      const { event } = parsed
      if (tenant !== undefined) event.tenant = tenant
      // The schema check just passed: this is one of the union's members, which TypeScript cannot see from here.
      if (parsed.known && parsed.invalid === undefined) request.webhook = event as FastifyRequest['webhook']
      ;(request as RequestWithEvent)[kEvent] = parsed
      request.rawBody = body
      done(null, event.payload)
    }

    // What the headers alone refuse, before the body is read (lib/fastify/body-guard.ts): the same answer and log line.
    function refuseHeaders (request: FastifyRequest): Error | null {
      const refusal = refuseEarly(provider, { headers: request.headers, keys, receivedAt: new Date(), tolerance })
      return refusal === null ? null : logged(request, refusal)
    }

    function logged (request: FastifyRequest, refusal: Refusal): Error {
      request.log.warn({ provider: spec.name, ...refusal.log }, refusal.message)
      return refusal.error
    }

    async function handle (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
      const parsed = (request as RequestWithEvent)[kEvent]
      if (parsed === null) throw new WebhookEmptyBodyError()
      const { event, known } = parsed
      const key = eventKey(event)
      if (parsed.invalid !== undefined) return await keepInvalid(event, parsed.invalid, key, request, reply)
      const fields = { provider: spec.name, id: event.id, type: event.type }
      let answered = false
      const outcome = await dispatch({
        idempotency,
        key,
        event,
        log: request.log,
        fields,
        run: async trace => {
          answered = await sink.deliver(event, known, trace, request, reply)
          // A handler that answered an error itself did not handle the event: let the retry run it.
          return !answered || reply.statusCode < 300
        },
        failure: sink.failure,
        observer
      })
      if (outcome === 'duplicate') return reply.type('application/json').send(DUPLICATE)
      request.log.info(fields, sink.delivered)
      return answered ? reply : reply.code(sink.status).type('application/json').send(RECEIVED)
    }

    async function keepInvalid (
      event: WebhookEventData,
      { error, path, reason, kept }: Invalid,
      key: string,
      request: FastifyRequest,
      reply: FastifyReply
    ): Promise<FastifyReply> {
      try {
        await kept.store.keepInvalid(key, event, error.message)
      } catch (err) {
        throw new WebhookStoreError({ cause: err })
      }
      if (!kept.accept) throw error
      await kept.onInvalid?.(event, { path, reason }, request, reply)
      observer.acceptedInvalid(spec.name)
      request.log.warn(
        { provider: spec.name, id: event.id, type: event.type },
        'webhook event kept as invalid; answered 200'
      )
      return reply.sent ? reply : reply.type('application/json').send(INVALID)
    }

    await fastify.register(async function webhookRoute (scope) {
      // Only our JSON parser in this scope: no body reaches the handler unverified, whatever the user registered.
      scope.removeAllContentTypeParsers()
      scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, parseDelivery)
      scope.decorateRequest(kEvent, null)
      if (tenants !== null) scope.addHook('onRequest', tenants.onRequest)
      scope.addHook('preParsing', guardBody(budget, refuseHeaders))
      scope.addHook('onSend', closeIfBodyUnread)
      // Refusals (413 and 415 included) are published here, where a tracer's request context is active.
      scope.addHook('onError', async (_request, _reply, error) => { observer.refused(spec.name, error) })
      // A schema only when @fastify/swagger is registered, for its document; Fastify's own validation stays off.
      scope.post(path, { bodyLimit, ...routeDocs(scope, spec, sink.status) }, handle)
      warnIfSwaggerComesLate(scope, spec, path)
    }, typeof loose.prefix === 'string' ? { prefix: loose.prefix } : {})
  }

  return Object.assign(fp(receiver, { fastify: '5.x', name: `fastify-webhooks-${spec.name}` }), {
    provider: spec,
    options: sameOptions<S>
  })
}
