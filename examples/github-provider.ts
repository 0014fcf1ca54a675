/**
 * A provider this package does not ship, described with the public API: GitHub.
 * GitHub signs the body with HMAC-SHA256 in `X-Hub-Signature-256: sha256=<hex>`, names the event in
 * `X-GitHub-Event` and the delivery in `X-GitHub-Delivery` (the same on a redelivery).
 * In your project, import from 'fastify-webhooks'.
 */
import Type from 'typebox'
import { defineProvider, headerValue, hmacHex, type EventFor } from '../plugins/index.js'

const Repository = Type.Object({ id: Type.Integer(), full_name: Type.String() })

const repository = { id: 1296269, full_name: 'octo-org/hello-world' }

export const github = defineProvider({
  name: 'github',
  title: 'GitHub',
  scheme: hmacHex({ headers: ['x-hub-signature-256'], prefix: 'sha256=' }),
  events: {
    ping: Type.Object({ zen: Type.String(), hook_id: Type.Integer() }, {
      examples: [{ zen: 'Keep it logically awesome.', hook_id: 30 }]
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
  typeOf: (_payload, { headers }) => headerValue(headers, 'x-github-event'),
  idOf: (_payload, { headers }) => headerValue(headers, 'x-github-delivery'),
  // What GitHub sends besides the signature, so that the testing kit and the CLI's `send` deliver as GitHub does.
  senderHeaders: ({ type, id }) => ({ 'x-github-event': type, 'x-github-delivery': id }),
  sample: { type: 'push' }
})

export type GitHubEvent = EventFor<typeof github>

declare module 'fastify' {
  interface FastifyWebhookProviders { github: GitHubEvent }
}

export default github
