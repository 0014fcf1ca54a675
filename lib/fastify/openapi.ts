import {
  errorCodes,
  type FastifyInstance,
  type FastifySchema,
  type FastifySchemaCompiler,
  type FastifySerializerCompiler
} from 'fastify'
import type { TSchema } from 'typebox'
import * as webhookErrors from '../core/errors.js'
import { formBody, jsonBody } from '../core/body-format.js'
import type { ProviderSpec } from '../core/provider.js'
import type { Headers, SignatureScheme } from '../schemes/scheme.js'

/**
 * What `@fastify/swagger` shows for a webhook route: the payload (the union of
 * the provider's event types) and every answer. Documentation only: the body
 * parser already verified and validated the payload with TypeBox, so the
 * route's own compilers make Fastify skip ajv and fast-json-stringify here
 * (no second validation). Without swagger registered there is no schema at
 * all: a response schema costs every error answer a little (Fastify then
 * serializes errors through it), which nobody should pay for unused docs.
 */
export interface RouteDocs {
  /** with the OpenAPI fields @fastify/swagger reads (it declares them only when imported) */
  schema: FastifySchema & { summary: string, description: string, tags: string[], consumes: string[] }
  validatorCompiler: FastifySchemaCompiler<unknown>
  serializerCompiler: FastifySerializerCompiler<unknown>
}

const acceptAll = () => true
const skipAjv: FastifySchemaCompiler<unknown> = () => acceptAll

interface ErrorAnswer { statusCode: number, code?: string, error: string, message: string }
/**
 * As Fastify would answer with no response schema: an error (Fastify hands the serializer an object whose
 * prototype is the error, its fields not enumerable) gets the usual four fields; anything a handler sends is
 * plain `JSON.stringify`, nothing dropped.
 */
function serialize (data: unknown): string {
  if (data instanceof Error) {
    const { statusCode, code, error, message } = data as Error & ErrorAnswer
    return JSON.stringify({ statusCode, code, error, message })
  }
  return JSON.stringify(data)
}
const plainJson: FastifySerializerCompiler<unknown> = () => serialize

/**
 * The codes each status may carry: every error of lib/core/errors.ts, and Fastify's own for a body it
 * refuses to read (the content-type parser's limits run before ours).
 */
const codesByStatus = new Map<number, string[]>()
for (const MakeError of [
  ...Object.values(webhookErrors).filter(value => typeof value === 'function'),
  errorCodes.FST_ERR_CTP_INVALID_CONTENT_LENGTH,
  errorCodes.FST_ERR_CTP_BODY_TOO_LARGE,
  errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE
]) {
  // Each is made with its status (createError's third argument).
  const { code, statusCode } = new MakeError()
  codesByStatus.set(statusCode!, [...codesByStatus.get(statusCode!) ?? [], code])
}

/** The code of a body its format cannot parse: a route answers only its own format's. */
const malformedCodes = [jsonBody, formBody].map(format => (format.malformed.error() as Error & { code: string }).code)

/** The code of a delivery without a type: only a provider that requires one answers it. */
const missingType = new webhookErrors.WebhookMissingTypeError().code

/** Fastify's error shape, which every non-2xx answer of the plugin has, `code` one of those of its status. */
function errorAnswer (status: number, description: string, spec: ProviderSpec): TSchema {
  const format = spec.body ?? jsonBody
  const own = (format.malformed.error() as Error & { code: string }).code
  const codes = codesByStatus.get(status)!.filter(code =>
    code === own || (code === missingType ? spec.requiresType === true : !malformedCodes.includes(code)))
  return object({
    statusCode: { type: 'integer', enum: [status] },
    code: { type: 'string', enum: codes },
    error: { type: 'string' },
    message: { type: 'string' }
  }, { description })
}

/**
 * A JSON Schema object of these properties, `required` all but `optional`. Written out rather than built with
 * TypeBox, whose builder an import of a provider does not load.
 */
function object (
  properties: Record<string, TSchema>,
  { optional = [], ...rest }: { optional?: readonly string[], description?: string } = {}
): TSchema {
  const required = Object.keys(properties).filter(name => !optional.includes(name))
  return { type: 'object', ...(required.length > 0 ? { required } : {}), properties, ...rest }
}

/**
 * The headers a delivery cannot do without: those whose absence gets it refused as unsigned whichever of the
 * scheme's other headers it carries. A scheme that reads either of two headers (Retab), or either of two header
 * prefixes (Standard Webhooks with `svix` too), requires neither; nothing is required while unsigned deliveries
 * are allowed. Worked out by asking the scheme, once, when the document is made.
 */
function requiredHeaders (scheme: SignatureScheme, signed: boolean): Set<string> {
  const required = new Set<string>()
  if (!signed) return required
  for (const header of scheme.headers) {
    const others = scheme.headers.filter(name => name !== header)
    let needed = true
    // Every choice of the other headers, as bits of `mask`.
    for (let mask = 0; needed && mask < 2 ** others.length; mask++) {
      const headers: Headers = {}
      others.forEach((name, i) => { if ((mask & (1 << i)) !== 0) headers[name] = '1' })
      const verdict = scheme.verify([], headers, Buffer.alloc(0), { now: 1, tolerance: 1 })
      needed = !verdict.ok && verdict.reason === 'missing-signature'
    }
    if (needed) required.add(header)
  }
  return required
}

export function routeDocs (
  instance: FastifyInstance,
  spec: ProviderSpec,
  queued: boolean,
  signed: boolean
): RouteDocs {
  const { name, events, scheme } = spec
  const format = spec.body ?? jsonBody
  const { contentTypes } = format
  const types = Object.entries(events).map(([type, schema]) => ({ ...schema, title: type }))
  const required = requiredHeaders(scheme, signed)
  const received = object({
    received: { type: 'boolean', const: true },
    duplicate: { type: 'boolean', const: true },
    invalid: { type: 'boolean', const: true }
  }, { optional: ['duplicate', 'invalid'] })
  return {
    schema: {
      summary: `Receives ${name} webhooks`,
      description:
        `Signed deliveries from ${name} (${scheme.title}). The signature is checked over the raw body before ` +
        'parsing; ' +
        `event types: ${Object.keys(events).join(', ')} (unknown types are verified and answered 200).`,
      tags: ['webhooks'],
      consumes: [...contentTypes],
      headers: object(
        Object.fromEntries(scheme.headers.map(header => [
          header, { type: 'string', description: `${scheme.title} signature header` }
        ])),
        { optional: scheme.headers.filter(header => !required.has(header)) }
      ),
      body: types.length === 1 ? types[0] : { anyOf: types },
      response: {
        200: {
          ...received,
          description: queued
            ? 'A duplicate of an event already queued'
            : 'Handled, or a duplicate of an event already handled (or, with `acceptInvalid`, kept as invalid)'
        },
        ...(queued ? { 202: { ...received, description: 'Queued: a worker runs the handlers' } } : {}),
        400: errorAnswer(400, `Body not ${format.title}, ${spec.requiresType === true ? 'no event type, ' : ''}` +
          'or a known event type that fails its schema', spec),
        401: errorAnswer(401, 'Signature missing, malformed or wrong, or timestamp outside the window', spec),
        409: errorAnswer(409, 'The same event is being handled by another request: retry later', spec),
        413: errorAnswer(413, 'Body over the limit', spec),
        415: errorAnswer(415, `Content type is not ${contentTypes.join(' or ')}`, spec),
        500: errorAnswer(500, 'A handler, the idempotency store or the queue failed: retry later', spec),
        503: errorAnswer(503, 'The server holds as many bodies as it may: retry after `Retry-After` seconds', spec)
      }
    },
    validatorCompiler: skipAjv,
    serializerCompiler: plainJson
  }
}
