/**
 * A provider this package does not ship, described with the public API: Gitea (Forgejo sends the same headers).
 * Gitea signs the body with HMAC-SHA256 in `X-Gitea-Signature: <hex>`, names the event in `X-Gitea-Event` and the
 * delivery in `X-Gitea-Delivery`.
 * In your project, import from 'fastify-webhooks'.
 */
import Type from 'typebox'
import { defineProvider, headerValue, hmacHex, type EventFor } from '../plugins/index.js'

const Repository = Type.Object({ id: Type.Integer(), full_name: Type.String() })

const repository = { id: 1296269, full_name: 'octo-org/hello-world' }

export const gitea = defineProvider({
  name: 'gitea',
  title: 'Gitea',
  scheme: hmacHex({ headers: ['x-gitea-signature'] }),
  events: {
    create: Type.Object({ ref: Type.String(), ref_type: Type.String(), repository: Repository }, {
      examples: [{ ref: 'v1.0.0', ref_type: 'tag', repository }]
    }),
    push: Type.Object({
      ref: Type.String(),
      after: Type.String(),
      repository: Repository,
      commits: Type.Array(Type.Object({ id: Type.String(), message: Type.String() }))
    }, {
      examples: [{
        ref: 'refs/heads/main',
        after: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
        repository,
        commits: [{ id: '6113728f27ae82c7b1a177c8d03f9e96e0adf246', message: 'Fix the build' }]
      }]
    }),
    issues: Type.Object({
      action: Type.String(),
      issue: Type.Object({ number: Type.Integer(), title: Type.String() }),
      repository: Repository
    }, {
      examples: [{ action: 'opened', issue: { number: 1347, title: 'Found a bug' }, repository }]
    })
  },
  // The type and the id come from headers; `headerValue` reads a header sent once, and never throws.
  typeOf: (_payload, { headers }) => headerValue(headers, 'x-gitea-event'),
  idOf: (_payload, { headers }) => headerValue(headers, 'x-gitea-delivery'),
  // What Gitea sends besides the signature, so that the testing kit and the CLI's `send` deliver as Gitea does.
  senderHeaders: ({ type, id }) => ({ 'x-gitea-event': type, 'x-gitea-delivery': id }),
  sample: { type: 'push' }
})

export type GiteaEvent = EventFor<typeof gitea>

declare module 'fastify' {
  interface FastifyWebhookProviders { gitea: GiteaEvent }
}

export default gitea
