import type { FastifyInstance, FastifySchema, FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify'
import Type, { type TSchema } from 'typebox'
import type { ProviderSpec } from '../lib/provider.js'

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
  schema: FastifySchema & { summary: string, description: string, tags: string[] }
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

/** Fastify's error shape, which every non-2xx answer of the plugin has (codes in lib/errors.ts). */
function errorAnswer (description: string): TSchema {
  return Type.Object({
    statusCode: Type.Integer(),
    code: Type.String(),
    error: Type.String(),
    message: Type.String()
  }, { description })
}

export function routeDocs (instance: FastifyInstance, spec: ProviderSpec, status: number): RouteDocs | Record<string, never> {
  if (!instance.hasDecorator('swagger')) return {}
  const { name, events, scheme } = spec
  const types = Object.entries(events).map(([type, schema]) => ({ ...schema, title: type }))
  const received = Type.Object({ received: Type.Literal(true), duplicate: Type.Optional(Type.Literal(true)) })
  const queued = status === 202
  return {
    schema: {
      summary: `Receives ${name} webhooks`,
      description: `Signed deliveries from ${name} (${scheme.title}). The signature is checked over the raw body before parsing; ` +
        `event types: ${Object.keys(events).join(', ')} (unknown types are verified and answered 200).`,
      tags: ['webhooks'],
      headers: Type.Object(Object.fromEntries(scheme.headers.map(header => [header, Type.Optional(Type.String({ description: `${scheme.title} signature header` }))]))),
      body: types.length === 1 ? types[0] : Type.Union(types),
      response: {
        200: { ...received, description: queued ? 'A duplicate of an event already queued' : 'Handled, or a duplicate of an event already handled' },
        ...(queued ? { 202: { ...received, description: 'Queued: a worker runs the handlers' } } : {}),
        400: errorAnswer('Body not JSON, or a known event type that fails its schema'),
        401: errorAnswer('Signature missing, malformed or wrong, or timestamp outside the window'),
        409: errorAnswer('The same event is being handled by another request: retry later'),
        413: errorAnswer('Body over the limit'),
        415: errorAnswer('Content type is not application/json'),
        500: errorAnswer('A handler, the idempotency store or the queue failed: retry later')
      }
    },
    validatorCompiler: skipAjv,
    serializerCompiler: plainJson
  }
}
