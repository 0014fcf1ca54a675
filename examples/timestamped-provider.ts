/**
 * The README's custom provider: a sender that signs a timestamp with the body, described with no crypto of its own.
 */
import Type from 'typebox'
import { defineProvider, stringField } from '../plugins/index.js'
import { hmac } from '../lib/schemes/index.js'

export const acme = defineProvider({
  name: 'acme',
  scheme: hmac({
    signed: '{timestamp}.{body}',
    signature: { header: 'acme-signature', prefix: 'v1=' },
    timestamp: { header: 'acme-timestamp' }
  }),
  events: { 'order.paid': Type.Object({ type: Type.String(), id: Type.String() }) },
  typeOf: payload => stringField(payload, 'type'),
  idOf: payload => stringField(payload, 'id')
})
