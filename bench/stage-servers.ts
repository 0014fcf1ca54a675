/**
 * The rungs of the stage ladder (bench/stages.ts): a bare Fastify route, then one stage of the webhook route
 * added at a time, each made from the engine's own parts, so that the difference in server CPU between two
 * rungs is what that stage costs. The last rungs are the plugin itself (bench/server.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import sjson from 'secure-json-parse'
import { compileProvider, receive, refuseEarly } from '../lib/core/receive.js'
import { guardBody, serverBudget } from '../lib/fastify/body-guard.js'
import { pulse } from '../plugins/pulse.js'
import { STANDARD_KEY } from './payloads.js'

export const STAGES = ['stage-buffer', 'stage-hooks', 'stage-guard', 'stage-verify', 'stage-receive'] as const
export type Stage = (typeof STAGES)[number]

const provider = await compileProvider(pulse.provider)
const keys = [STANDARD_KEY]
const LIMIT = 1024 * 1024

function delivery (request: FastifyRequest, body: Buffer) {
  const { method, url, headers } = request
  return {
    method,
    url,
    headers,
    body,
    keys: { keys, known: true },
    receivedAt: new Date(),
    tolerance: 300,
    parse: {},
    options: {},
    keepsInvalid: false
  }
}

function precheck (request: FastifyRequest): boolean {
  const { method, url, headers } = request
  return refuseEarly(provider, { method, url, headers, receivedAt: new Date(), tolerance: 300 }, keys) === null
}

/** Registers the route of `stage` on `app`; `handled` counts what reached the handler. */
export function routeOfStage (app: FastifyInstance, path: string, stage: Stage, handled: () => void): void {
  app.removeAllContentTypeParsers()
  if (stage === 'stage-hooks') {
    // The route's two hooks doing nothing: what Fastify's hook runners cost by themselves.
    app.addHook('preParsing', (_request, _reply, payload, done) => { done(null, payload) })
  } else if (stage !== 'stage-buffer') {
    const budget = serverBudget(app.server, 'bench', LIMIT, undefined)
    app.addHook('preParsing', guardBody(budget, LIMIT, precheck, () => null, () => undefined))
  }
  if (stage !== 'stage-buffer') app.addHook('onSend', (_request, _reply, payload, done) => { done(null, payload) })
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: LIMIT }, (request, body, done) => {
    const raw = body as Buffer
    if (stage === 'stage-receive') {
      const received = receive(provider, delivery(request, raw))
      return received.ok ? done(null, raw) : done(received.error)
    }
    if (stage === 'stage-verify') {
      const context = { now: Date.now() / 1000, tolerance: 300 }
      const verified = pulse.provider.scheme.verify(keys, request.headers, raw, context)
      if (!verified.ok) return done(new Error(verified.reason))
    }
    try {
      done(null, sjson.parse(raw))
    } catch (err) {
      done(err as Error)
    }
  })
  app.post(path, async (_request, reply) => {
    handled()
    return reply.type('application/json').send('{"received":true}')
  })
}
