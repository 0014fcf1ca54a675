// A provider module for the CLI tests: examples but no `sample`, so `send` takes the first type as it is.
import Type from 'typebox'
import { defineProvider, hmacHex } from '../../../plugins/index.js'

export default defineProvider({
  name: 'plain',
  scheme: hmacHex({ headers: ['x-plain-signature'] }),
  events: {
    'thing.happened': Type.Object({ thing: Type.String() }, { examples: [{ thing: 'first' }] }),
    'thing.undone': Type.Object({ thing: Type.String() }, { examples: [{ thing: 'second' }] })
  },
  typeOf: () => 'thing.happened'
})
