/**
 * What a webhook route does before it reads a body: refuse what the headers alone condemn, and hold no
 * more body bytes at once than the server's budget allows, and check a large body's signature as it arrives. It runs
 * as the route's `preParsing` stream, which Fastify reads only once it has settled the content type (415) and the
 * declared length (413), so those answers come first as before; a refused body is never read, and Fastify closes
 * the connection.
 */
import type { ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import type { FastifyReply, FastifyRequest, preParsingHookHandler } from 'fastify'
import { ByteBudget, SMALL_BODY } from './byte-budget.js'
import { WebhookBufferFullError } from '../core/errors.js'

/** Seconds a sender refused for want of buffer space is told to wait. */
export const RETRY_AFTER = 5
/** The bytes a response's request took from the budget when its body was let through as it is. */
const kHeld = Symbol('fastify-webhooks.held')
type HoldingResponse = ServerResponse & { [kHeld]: number }

/** The default budget, as a multiple of the largest `bodyLimit` of the server's webhook routes. */
export const BUDGET_BODIES = 4

interface Shared { budget: ByteBudget, set: { limit: number, by: string } | null, largest: number }
/** One budget per http server, so every webhook plugin of an app shares it, whatever scope it was registered in. */
const budgets = new WeakMap<object, Shared>()

/**
 * The budget of the server `server`, counting one more webhook route with `bodyLimit`. `bufferLimit`, when given,
 * must agree with what another plugin of the server gave, and let the largest body in.
 */
export function serverBudget (
  server: object,
  plugin: string,
  bodyLimit: number,
  bufferLimit: number | undefined
): ByteBudget {
  const fail = (message: string): never => {
    throw new TypeError(`${plugin}: ${message}`)
  }
  let shared = budgets.get(server)
  if (shared === undefined) {
    shared = { budget: new ByteBudget(0), set: null, largest: 0 }
    budgets.set(server, shared)
  }
  if (bufferLimit !== undefined) {
    if (shared.set !== null && shared.set.limit !== bufferLimit) {
      fail(
        `option "bufferLimit" is shared by every webhook route of the server, and ${shared.set.by} set it to ` +
        `${shared.set.limit}`
      )
    }
    shared.set = { limit: bufferLimit, by: plugin }
  }
  shared.largest = Math.max(shared.largest, bodyLimit)
  const limit = shared.set?.limit ?? BUDGET_BODIES * shared.largest
  if (limit < shared.largest) {
    fail(
      `option "bufferLimit" (${limit}) is below the bodyLimit of a webhook route (${shared.largest}): such a body ` +
      'could never be read'
    )
  }
  shared.budget.limit = limit
  return shared.budget
}

/** Bytes the webhook routes of `server` hold now, and their limit (for metrics and tests). */
export function bufferedBytes (server: object): { inUse: number, limit: number } | undefined {
  const budget = budgets.get(server)?.budget
  return budget === undefined ? undefined : { inUse: budget.inUse, limit: budget.limit }
}

/**
 * A body's signature checked as the body arrives: each chunk is fed to `update`, and `finish` answers the refusal
 * (already logged) or null, once the last one came and before the body is handed on.
 */
export interface BodyCheck {
  update (chunk: Buffer): void
  finish (): Error | null
}

/**
 * What starts a body's check: undefined when the body is to be verified whole once read; a promise while the keys
 * are still being looked up (a tenant's), which rejects with the lookup's error.
 */
export type StartCheck = (request: FastifyRequest) => BodyCheck | undefined | Promise<BodyCheck | undefined>

/**
 * The route's preParsing hook. `refuse` says whether the headers alone condemn the delivery (and logs why); the
 * answer waits until Fastify starts to read the body, so that 415 and 413 come first. A small body of a declared
 * length that fits (the usual delivery) is taken from the budget here and read by Fastify as it is: no stream of
 * ours per request. One refused, over the budget, large, or of no declared length goes through a GuardedBody, which
 * feeds its chunks to the check `check` starts (when the scheme can be fed a body as it arrives): a large forged body
 * is then refused without a long hash at its end, and its bytes are never joined into one buffer.
 */
export function guardBody (
  budget: ByteBudget,
  bodyLimit: number,
  precheck: (request: FastifyRequest) => boolean,
  refuse: (request: FastifyRequest) => Error | null,
  check: StartCheck
): preParsingHookHandler {
  // One listener for every response, reading what its request took from the response: no function per request.
  function releaseHeld (this: HoldingResponse): void {
    budget.release(this[kHeld])
  }
  return function guardWebhookBody (request, reply, payload, done) {
    const declared = Number(request.headers['content-length'])
    // Over the route's limit: Fastify answers 413 before reading a byte, and nothing need be held for it.
    if (declared > bodyLimit) return done(null, payload)
    if (declared > 0 && declared <= SMALL_BODY && precheck(request) && budget.take(declared, declared)) {
      const response = reply.raw as HoldingResponse
      response[kHeld] = declared
      // 'close' comes after the answer and after an aborted upload alike.
      response.on('close', releaseHeld)
      return done(null, payload)
    }
    done(
      null,
      new GuardedBody(
        payload,
        reply.raw,
        budget,
        declared > 0 ? declared : 0,
        () => refuse(request),
        () => bufferFull(reply),
        () => check(request)
      )
    )
  }
}

/**
 * For the route's onSend hook: an answer given while the body is still unread (415 for a wrong content type, before
 * any parser) closes the connection rather than draining the rest. One given after the whole body was read (a 401
 * from the parser) keeps it open, though Fastify closes after any parser error: there is nothing left to drain,
 * and a sender's keep-alive survives its refusals.
 */
export function closeIfBodyUnread (request: FastifyRequest, reply: FastifyReply): void {
  // Only a request from a socket says whether its body was read; an injected one (`app.inject`) has no connection.
  if (request.raw.complete === false) {
    reply.header('connection', 'close')
    // Node would read on, and throw away, what the sender keeps sending until the close: it ends here instead.
    const { socket } = request.raw
    reply.raw.once('finish', () => { socket.destroy() })
  } else if (reply.statusCode >= 400 && reply.getHeader('connection') === 'close') reply.removeHeader('connection')
}

function bufferFull (reply: FastifyReply): Error {
  reply.header('retry-after', String(RETRY_AFTER))
  return new WebhookBufferFullError()
}

/**
 * The body as it arrives, held against the budget until the answer is done (or the client gone): a declared
 * length is taken whole before the first byte is read, so that what is admitted is sure to fit; a body with
 * no declared length (chunked) is counted as it arrives.
 */
class GuardedBody extends Readable {
  #source: NodeJS.ReadableStream
  #budget: ByteBudget
  #declared: number
  #refuse: () => Error | null
  #full: () => Error
  #startCheck: () => ReturnType<StartCheck>
  #check: BodyCheck | undefined
  #taken = 0
  #received = 0
  #started = false

  constructor (
    source: NodeJS.ReadableStream,
    response: ServerResponse,
    budget: ByteBudget,
    declared: number,
    refuse: () => Error | null,
    full: () => Error,
    check: () => ReturnType<StartCheck>
  ) {
    super()
    this.#source = source
    this.#budget = budget
    this.#declared = declared
    this.#refuse = refuse
    this.#full = full
    this.#startCheck = check
    // 'close' comes after the answer and after an aborted upload alike.
    response.once('close', () => {
      budget.release(this.#taken)
      this.#taken = 0
    })
  }

  override _read (): void {
    if (this.#started) return
    this.#started = true
    const refusal = this.#refuse() ?? (this.#take(this.#declared, this.#declared) ? null : this.#full())
    if (refusal !== null) {
      this.destroy(refusal)
      return
    }
    const check = this.#startCheck()
    this.#source.once('error', this.#onError)
    // Keys still being looked up: nothing is read until the check can start, so no chunk goes unhashed. An upload
    // given up meanwhile ends this stream at once, through the error listener.
    if (check instanceof Promise) check.then(this.#read, this.#onError)
    else this.#read(check)
  }

  #read = (check: BodyCheck | undefined): void => {
    if (this.destroyed) return
    this.#check = check
    this.#source.on('data', this.#onData)
    this.#source.once('end', this.#onEnd)
  }

  override _destroy (err: Error | null, callback: (err: Error | null) => void): void {
    this.#source.removeListener('data', this.#onData)
    this.#source.removeListener('end', this.#onEnd)
    this.#source.removeListener('error', this.#onError)
    this.#source.pause()
    callback(err)
  }

  /** Takes `bytes` more for this body, which then holds `body` bytes. */
  #take (bytes: number, body: number): boolean {
    if (!this.#budget.take(bytes, body)) return false
    this.#taken += bytes
    return true
  }

  #onData = (chunk: Buffer): void => {
    this.#received += chunk.length
    // Beyond what was declared (nothing, for a chunked body), each byte is taken as it comes.
    if (!this.#take(Math.max(0, this.#received - this.#taken), Math.max(this.#received, this.#taken))) {
      this.destroy(this.#full())
      return
    }
    this.#check?.update(chunk)
    // Fastify's reader takes each chunk as it comes: there is no backpressure to pass on.
    this.push(chunk)
  }

  #onEnd = (): void => {
    const refusal = this.#check?.finish() ?? null
    if (refusal !== null) this.destroy(refusal)
    else this.push(null)
  }

  #onError = (err: Error): void => { this.destroy(err) }
}
