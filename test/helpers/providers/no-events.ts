// A provider module for the CLI tests: no event schemas at all (every event goes to onUnknown).
import { defineProvider, hmacHex } from '../../../plugins/index.js'

export const empty = defineProvider({
  name: 'empty',
  scheme: hmacHex({ headers: ['x-empty-signature'] }),
  events: {},
  typeOf: () => undefined
})
