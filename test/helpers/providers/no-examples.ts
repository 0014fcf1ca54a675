// A provider module for the CLI tests: event schemas without examples, and no sample.
import Type from 'typebox'
import { defineProvider, hmacHex } from '../../../plugins/index.js'

export default defineProvider({
  name: 'bare',
  scheme: hmacHex({ headers: ['x-bare-signature'] }),
  events: { 'thing.happened': Type.Object({ thing: Type.String() }) },
  typeOf: () => 'thing.happened'
})
