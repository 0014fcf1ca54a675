import { randomBytes } from 'node:crypto'
import sjson from 'secure-json-parse'
import type { TSchema } from 'typebox'
import type { Validator } from 'typebox/compile'
import { compiler } from '../lib/core/compiler.js'
import { field, stringAt } from '../lib/core/fields.js'
import { hmacHex } from '../lib/schemes/hmac-hex.js'
import { schemaFailure } from '../lib/core/schema-failure.js'
import { retabEvents } from '../schemas/plain/retab.js'
import { defineProvider } from '../lib/fastify/define-provider.js'
import type { EventFor, EventTypeFor, HandlersFor } from '../lib/fastify/types.js'

/**
 * The type of the extracted object, which you define in Retab. Declare it once
 * and every Retab event carries it typed (the `@fastify/jwt` pattern):
 *
 * ```ts
 * declare module 'fastify-webhooks/retab' {
 *   interface RetabTypes { extraction: Static<typeof Invoice> }
 * }
 * ```
 */
export interface RetabTypes {}
export type RetabExtraction = RetabTypes extends { extraction: infer T } ? T : unknown

export interface RetabOptions {
  /**
   * TypeBox schema of the extracted object: `completion.choices[0].message.content` is parsed and checked against
   * it (400 if it fails).
   */
  extraction?: TSchema | undefined
}

const CONTENT = '/completion/choices/0/message/content'
// The user's schema, compiled once however many requests check against it.
const compiled = new WeakMap<TSchema, Validator>()

/** `completion.choices[0].message.content` parsed, and checked against the `extraction` schema when one is given. */
function extract (
  payload: unknown,
  options: RetabOptions
): { extraction: RetabExtraction } | { invalid: string; reason: string } {
  const content = stringAt(field(payload, 'completion'), 'choices', '0', 'message', 'content')
  let extraction: unknown
  try {
    extraction = sjson.parse(content || '{}')
  } catch {
    return { invalid: CONTENT, reason: 'must be JSON text' }
  }
  const schema = options.extraction
  if (schema !== undefined) {
    let validator = compiled.get(schema)
    if (validator === undefined) compiled.set(schema, validator = compiler().Compile(schema))
    if (!validator.Check(extraction)) {
      const { path, reason } = schemaFailure(validator, extraction)
      return { invalid: CONTENT + (path === '/' ? '' : path), reason }
    }
  }
  // Checked against the schema the RetabTypes declaration is meant to describe.
  return { extraction: extraction as RetabExtraction }
}

/**
 * Retab: HMAC-SHA256 hex of the body in `Retab-Signature` (some SDK versions
 * send `X-Retab-Signature`: both are read). One event type, `extraction.completed`.
 * Bodies carry whole documents as data URLs, hence the 64 MiB default limit.
 */
export const retab = defineProvider({
  name: 'retab',
  title: 'Retab',
  scheme: hmacHex({ headers: ['retab-signature', 'x-retab-signature'] }),
  events: retabEvents,
  typeOf: () => 'extraction.completed',
  idOf: payload => stringAt(payload, 'completion', 'id') ?? stringAt(payload, 'completion', 'extraction_id'),
  bodyLimit: 64 * 1024 * 1024,
  options: ['extraction'],
  extend: (payload: unknown, options: RetabOptions) => extract(payload, options),
  sample: {
    type: 'extraction.completed',
    fresh: body => ({
      ...body,
      completion: Object.assign({}, field(body, 'completion'), { id: `chatcmpl-${randomBytes(8).toString('hex')}` })
    })
  }
})

/** A verified Retab event: the union of all types, or `RetabEvent<'extraction.completed'>` the event of that type. */
export type RetabEvent<T extends EventTypeFor<typeof retab> = EventTypeFor<typeof retab>> = EventFor<typeof retab, T>
/** The `on` option: one handler per Retab event type. */
export type RetabHandlers = HandlersFor<typeof retab>

/**
 * A `queue.transform` (the `queue` option) for Retab: empties `file_payload.url` (the whole document as a data URL, up
 * to tens of MB) before the event is stored, keeping the filename. `queue: { queue, transform: dropFileUrl }`
 */
export function dropFileUrl<E extends { payload: unknown }> (event: E): E {
  const payload = event.payload as { file_payload?: { url?: unknown } | null } | null
  if (typeof payload?.file_payload?.url !== 'string') return event
  return { ...event, payload: { ...payload, file_payload: { ...payload.file_payload, url: '' } } }
}

declare module 'fastify' {
  interface FastifyWebhookProviders { retab: RetabEvent }
}
// A provider this package ships: the testing kit has its samples. (An export, so that the .d.ts keeps the module.)
export type {} from '../lib/testing/types.js'
declare module '../lib/testing/types.js' {
  interface ShippedProviders { retab: true }
}

export default retab
