import sjson from 'secure-json-parse'
import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { hmacHex } from '../lib/hmac-hex.js'
import { field, firstErrorPath, stringField } from '../schemas/common.js'
import { retabEvents, type RetabPayload } from '../schemas/retab.js'
import { defineProvider, type EventFor } from './receiver.js'

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
  /** TypeBox schema of the extracted object: `choices[0].message.content` is parsed and checked against it (400 if it fails). */
  extraction?: TSchema
}

/**
 * Retab: HMAC-SHA256 hex of the body in `Retab-Signature` (some SDK versions
 * send `X-Retab-Signature`: both are read). One event type, `extraction.completed`.
 * Bodies carry whole documents as data URLs, hence the 64 MiB default limit.
 */
export const retab = defineProvider<'retab', typeof retabEvents, object, { extraction: RetabExtraction }, RetabOptions>({
  name: 'retab',
  scheme: hmacHex({ headers: ['retab-signature', 'x-retab-signature'] }),
  events: retabEvents,
  typeOf: () => 'extraction.completed',
  idOf: payload => {
    const completion = field(payload, 'completion')
    return stringField(completion, 'id') ?? stringField(completion, 'extraction_id')
  },
  bodyLimit: 64 * 1024 * 1024,
  extraOptions: ['extraction'],
  extend: options => {
    const validator = options.extraction === undefined ? undefined : Compile(options.extraction)
    return (payload: RetabPayload) => {
      let extraction: unknown
      try {
        extraction = sjson.parse(payload.completion.choices[0]!.message.content || '{}')
      } catch {
        return { invalid: '/completion/choices/0/message/content' }
      }
      if (validator !== undefined && !validator.Check(extraction)) {
        const path = firstErrorPath(validator, extraction)
        return { invalid: `/completion/choices/0/message/content${path}` }
      }
      return { extraction: extraction as RetabExtraction }
    }
  }
})

export type RetabEvent = EventFor<typeof retab>

declare module 'fastify' {
  interface FastifyWebhookProviders { retab: RetabEvent }
}

export default retab
