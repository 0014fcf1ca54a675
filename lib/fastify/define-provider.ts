/**
 * The Fastify face of the engine: a scoped JSON parser that hands the exact bytes to `receive`
 * (lib/core/receive.ts), and a route that hands the event to `dispatch` (lib/core/dispatch.ts) and its sink.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { jsonBody } from '../core/body-format.js'
import { dispatch, type Dispatched, type HeldLease } from '../core/dispatch.js'
import { eventKey } from '../core/event-key.js'
import { WebhookEmptyBodyError } from '../core/errors.js'
import type { HandshakeAnswer, ProviderSpec } from '../core/provider.js'
import {
  beginVerify, compileProvider, receive, refusalOf, refuseEarly,
  type Accepted, type Delivery, type DeliveryKeys, type EventToDispatch, type Refusal
} from '../core/receive.js'
import { closeIfBodyUnread, guardBody, serverBudget, type BodyCheck, type StartCheck } from './body-guard.js'
import { resolveOptions, type UncheckedOptions } from './options.js'
import { warnIfSwaggerComesLate } from './late-swagger.js'
import { deliveryObserver } from '../observe/observer.js'
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

/**
 * What the parser's one call into the core gave, for the route's handler: Fastify hands a handler only the request,
 * and `request.body` stays the payload that users' hooks see.
 */
const kReceived = Symbol('fastify-webhooks.received')
/** The lease this request holds on the event being dispatched, until dispatch settles it (`Dispatch.held`). */
const kLease = Symbol('fastify-webhooks.lease')
/** A large body's signature, checked as it arrived, and the keys it was checked with. */
const kVerified = Symbol('fastify-webhooks.verified')
interface Checked { keys: readonly unknown[], verification: NonNullable<Delivery['verified']> }
type RequestWithDelivery = FastifyRequest & {
  [kReceived]: Accepted | null
  [kLease]: HeldLease | null
  [kVerified]: Checked | null
}
type Done = (err: Error | null, body?: unknown) => void

/** A plugin's `options`: only its type does anything. */
function typedOptions<S extends ProviderSpec> (options: ProviderOptions<S>): ProviderOptions<S> {
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
  const format = spec.body ?? jsonBody

  async function receiver (fastify: FastifyInstance, options: ProviderOptions<S>): Promise<void> {
    const unchecked: UncheckedOptions = options
    const {
      keys, keysFor, tenants, path, routeConfig, urlOf, tolerance, bodyLimit, bufferLimit, idempotency, sink, invalid
    } = resolveOptions(spec, unchecked)
    const signsUrl = spec.scheme.signsUrl === true
    const provider = await compileProvider(spec)
    const budget = serverBudget(fastify.server, `fastify-webhooks-${spec.name}`, bodyLimit, bufferLimit)
    const observer = deliveryObserver('route', sink.runsHandlers)
    sink.start?.(fastify.log, observer)
    if (!fastify.hasRequestDecorator('webhook')) fastify.decorateRequest('webhook', null)
    if (!fastify.hasRequestDecorator('rawBody')) fastify.decorateRequest('rawBody', undefined)
    // The instance's poisoning settings are fixed when it is created (Fastify's default: 'error').
    const { onProtoPoisoning: protoAction = 'error', onConstructorPoisoning: constructorAction = 'error' } =
      fastify.initialConfig
    const parse = { protoAction, constructorAction }
    const keepsInvalid = invalid !== null
    const answers: Record<Dispatched, { status: number, body: string }> = {
      handled: { status: sink.accepted.status, body: RECEIVED },
      duplicate: { status: 200, body: DUPLICATE },
      'kept-invalid': { status: 200, body: INVALID }
    }

    // Steps 1-3 run as the body parser, so nothing reaches a handler unverified.
    function parseDelivery (request: FastifyRequest, body: Buffer, done: Done): void {
      // A tenant's keys may need a lookup; fixed secrets and cached tenants come at once.
      const found = keysFor(request)
      if (found instanceof Promise) found.then(keys => { receiveWithKeys(request, body, keys, done) }, done)
      else receiveWithKeys(request, body, found, done)
    }

    function receiveWithKeys (request: FastifyRequest, body: Buffer, keys: DeliveryKeys, done: Done): void {
      const { method, headers } = request
      // Only a scheme that signs the URL has it worked out: no string built per request for the others.
      const url = signsUrl ? urlOf(request) : undefined
      const checked = (request as RequestWithDelivery)[kVerified]
      const verified = checked !== null && checked.keys === keys.keys ? checked.verification : undefined
      const received = receive(provider, {
        method, url, headers, body, keys, receivedAt: new Date(), tolerance, parse, options, keepsInvalid, verified
      })
      if (!received.ok) return done(logRefusal(request, received))
      if (received.kind === 'invalid') logRefusal(request, received.refusal)
      // The schema check just passed: this is one of the union's members, which TypeScript cannot see from here.
      else if (received.kind === 'event' && received.known) request.webhook = received.event as typeof request.webhook
      ;(request as RequestWithDelivery)[kReceived] = received
      request.rawBody = body
      done(null, 'payload' in received ? received.payload : received.event.payload)
    }

    // What the headers alone refuse, before the body is read (lib/fastify/body-guard.ts): the same answer and log line.
    function headersPass (request: FastifyRequest): boolean {
      return earlyRefusal(request) === null
    }

    function refuseHeaders (request: FastifyRequest): Error | null {
      const refusal = earlyRefusal(request)
      return refusal === null ? null : logRefusal(request, refusal)
    }

    function earlyRefusal (request: FastifyRequest): Refusal | null {
      const { method, headers } = request
      return refuseEarly(provider, { method, url: undefined, headers, receivedAt: new Date(), tolerance }, keys)
    }

    // A large or chunked body's signature, checked as the body arrives (lib/fastify/body-guard.ts). A tenant's keys
    // are looked up first: the parser then finds them cached, and takes the verdict for the same keys.
    function checkAsItArrives (request: FastifyRequest): ReturnType<StartCheck> {
      const found = keysFor(request)
      return found instanceof Promise ? found.then(keys => checkWith(request, keys)) : checkWith(request, found)
    }

    function checkWith (request: FastifyRequest, found: DeliveryKeys): BodyCheck | undefined {
      // Unsigned deliveries allowed: nothing to check.
      if (found.keys === null) return undefined
      const { method, headers } = request
      const url = signsUrl ? urlOf(request) : undefined
      const started = beginVerify(provider, { method, url, headers, receivedAt: new Date(), tolerance }, found.keys)
      if (started === undefined) return undefined
      const checkedWith = found.keys
      return {
        update: chunk => { started.update(chunk) },
        finish: () => {
          const verification = started.finish()
          if (!verification.ok) return logRefusal(request, refusalOf(verification))
          ;(request as RequestWithDelivery)[kVerified] = { keys: checkedWith, verification }
          return null
        }
      }
    }

    function logRefusal (request: FastifyRequest, refusal: Refusal): Error {
      request.log.warn({ provider: spec.name, ...refusal.log }, refusal.message)
      return refusal.error
    }

    async function handle (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
      const received = (request as RequestWithDelivery)[kReceived]
      if (received === null) throw new WebhookEmptyBodyError()
      if (received.kind === 'handshake') return answerHandshake(request, reply, received.answer)
      let outcome: Dispatched
      try {
        outcome = received.kind === 'batch'
          ? await dispatchEach(received.events, request, reply)
          : await dispatchOne(received, request, reply)
      } finally {
        // Dispatch settled the lease: nothing for the answer to release.
        ;(request as RequestWithDelivery)[kLease] = null
      }
      if (reply.sent || reply.raw.headersSent) return reply
      const { status, body } = answers[outcome]
      return reply.code(status).type('application/json').send(body)
    }

    /** The events of a batch in order: handled if any was, a duplicate if all were. */
    async function dispatchEach (
      events: readonly EventToDispatch[],
      request: FastifyRequest,
      reply: FastifyReply
    ): Promise<Dispatched> {
      let outcome: Dispatched = 'duplicate'
      for (const one of events) {
        if (await dispatchOne(one, request, reply) === 'handled') outcome = 'handled'
      }
      return outcome
    }

    /** One event through dispatch: run by the sink, or, if invalid, kept (and `onInvalid` run when accepted). */
    function dispatchOne (
      received: EventToDispatch | Extract<Accepted, { kind: 'invalid' }>,
      request: FastifyRequest,
      reply: FastifyReply
    ): Promise<Dispatched> {
      const { event } = received
      return dispatch({
        idempotency,
        key: eventKey(event),
        event,
        log: request.log,
        fields: { provider: spec.name, id: event.id, type: event.type },
        handledLog: sink.accepted.log,
        run: received.kind === 'invalid'
          ? async () => { await invalid?.onInvalid?.(event, received.failure, request, reply); return true }
          : trace => sink.deliver(event, received.known, trace, request, reply),
        held: lease => { (request as RequestWithDelivery)[kLease] = lease },
        failure: sink.failure,
        observer,
        invalid: received.kind === 'invalid' ? { refusal: received.refusal.error, accept: invalid!.accept } : undefined
      })
    }

    /**
     * The route's one onSend hook. An answer given while the body is still unread closes the connection. A handler
     * that answers an error itself (`reply.code(503).send()`) is answered before it returns: the lease is dropped
     * here, before the answer goes out, so that the sender's immediate retry runs the event (not a 409). Nothing
     * here waits for the handler, which may itself be awaiting the answer (`return reply.code(503).send()`).
     */
    function beforeAnswer (request: FastifyRequest, reply: FastifyReply, payload: unknown, done: Done): void {
      closeIfBodyUnread(request, reply)
      const holder = request as RequestWithDelivery
      const lease = holder[kLease]
      if (lease === null || reply.statusCode < 300) return done(null, payload)
      holder[kLease] = null
      lease.release().then(() => { done(null, payload) })
    }

    await fastify.register(async function webhookRoute (scope) {
      // Only our JSON parser in this scope: no body reaches the handler unverified, whatever the user registered.
      scope.removeAllContentTypeParsers()
      scope.addContentTypeParser([...format.contentTypes], { parseAs: 'buffer', bodyLimit }, parseDelivery)
      scope.decorateRequest(kReceived, null)
      scope.decorateRequest(kLease, null)
      scope.decorateRequest(kVerified, null)
      if (tenants !== null) scope.addHook('onRequest', tenants.onRequest)
      scope.addHook('preParsing', guardBody(budget, bodyLimit, headersPass, refuseHeaders, checkAsItArrives))
      scope.addHook('onSend', beforeAnswer)
      // Refusals (413 and 415 included) are published here, where a tracer's request context is active.
      scope.addHook('onError', async (_request, _reply, error) => { observer.refused(spec.name, error) })
      // A schema only when @fastify/swagger is registered, for its document; Fastify's own validation stays off.
      // Its module is loaded only then: it reads Fastify's error codes, and an import of a provider loads no Fastify.
      const docs = scope.hasDecorator('swagger')
        ? (await import('./openapi.js')).routeDocs(scope, spec, !sink.runsHandlers, keys !== null)
        : {}
      scope.post(path, { bodyLimit, ...(routeConfig === undefined ? {} : { config: routeConfig }), ...docs }, handle)
      warnIfSwaggerComesLate(scope, spec, path)
    }, typeof unchecked.prefix === 'string' ? { prefix: unchecked.prefix } : {})
  }

  /** A handshake is answered as the provider asks; no event, so no handler and no store. */
  function answerHandshake (request: FastifyRequest, reply: FastifyReply, answer: HandshakeAnswer): FastifyReply {
    request.log.info({ provider: spec.name }, 'webhook handshake answered')
    if (answer.headers !== undefined) reply.headers(answer.headers)
    return reply.code(answer.status ?? 200).send(answer.body)
  }

  return Object.assign(fp(receiver, { fastify: '5.x', name: `fastify-webhooks-${spec.name}` }), {
    provider: spec,
    options: typedOptions<S>
  })
}
