/**
 * Secrets looked up per delivery, for many tenants on one route: `tenant` names the tenant from the request,
 * `secret(tenant, request)` finds its secret, kept parsed in a SecretCache. Every tenant is verified against
 * a key of each kind the scheme checks (the scheme's `tenantKeys`): its own, and for the kinds it lacks, stand-ins
 * no sender holds; an unknown tenant, against stand-ins only, and refused like a wrong signature. So neither the
 * answer nor the time taken tells an unknown tenant from a known one, or which kinds of keys a tenant holds.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { WebhookSecretLookupError } from '../core/errors.js'
import type { ProviderSpec } from '../core/provider.js'
import type { DeliveryKeys } from '../core/receive.js'
import { parseSecrets } from '../schemes/secret-list.js'
import { SecretCache, type TenantKeys } from './secret-cache.js'

type Fail = (message: string) => never
type Lookup = (tenant: string, request: FastifyRequest) => unknown

/** Longest tenant name looked up: it is a cache key, and a log field. */
const MAX_TENANT = 256
const kTenant = Symbol('fastify-webhooks.tenant')
type RequestWithTenant = FastifyRequest & { [kTenant]?: string | undefined }

/**
 * The keys of a delivery's request, in front of verify: at once (fixed secrets, a cached tenant), or once
 * looked up, rejecting with a WebhookSecretLookupError when the lookup throws or times out.
 */
export type KeysFor = (request: FastifyRequest) => DeliveryKeys | Promise<DeliveryKeys>

/** The keys of fixed secrets: the same for every request. */
export function fixedKeys (keys: readonly unknown[] | null): KeysFor {
  const found: DeliveryKeys = { keys, known: true }
  return () => found
}

export interface Tenants {
  /** Keys of every kind the scheme checks that no sender holds: what an unknown tenant is verified against. */
  readonly dummy: readonly unknown[]
  /** The route's onRequest hook: reads the tenant, and puts it on every log line of the request. */
  onRequest (request: FastifyRequest, reply: FastifyReply): Promise<void>
  /** The tenant's keys, or the dummy keys and `known: false`. */
  keysFor: KeysFor
}

/** The tenant options, checked at registration; null when `secret` is fixed. */
export function resolveTenants (
  spec: ProviderSpec,
  options: { secret?: unknown; tenant?: unknown; secretCache?: unknown; allowUnsigned?: unknown },
  fail: Fail
): Tenants | null {
  const { secret, tenant, secretCache } = options
  if (typeof secret !== 'function') {
    if (tenant !== undefined || secretCache !== undefined) {
      fail('options "tenant" and "secretCache" need "secret" to be a function (tenant, request) => secret')
    }
    return null
  }
  if (typeof tenant !== 'function') {
    return fail('option "secret" is a function: give option "tenant", a function (request) => the tenant\'s name')
  }
  if (options.allowUnsigned !== undefined) fail('option "allowUnsigned" does not go with a "secret" function')
  if (secretCache !== undefined && !(secretCache instanceof SecretCache)) {
    fail('option "secretCache" must be a SecretCache')
  }
  const cache = secretCache ?? new SecretCache()
  try {
    cache.claim(`fastify-webhooks-${spec.name}`)
  } catch (err) {
    fail(`option "secretCache": ${(err as Error).message}`)
  }
  const tenantOf = tenant as (request: FastifyRequest) => unknown
  const lookup = secret as Lookup
  const { scheme } = spec
  // Made at cache fill, not per delivery: the keys and the stand-ins for the kinds they lack (lib/schemes/scheme.ts).
  const tenantKeys = (keys: readonly unknown[]): readonly unknown[] =>
    scheme.tenantKeys?.(keys) ?? (keys.length > 0 ? keys : [scheme.parseSecret(scheme.generateSecret())])
  const dummy = tenantKeys([])
  const unnamed: DeliveryKeys = { keys: dummy, known: false }

  // Parsed once per cache fill, not per delivery. A secret the scheme cannot read is the tenant's setup at fault: 500.
  async function load (name: string, request: FastifyRequest): Promise<TenantKeys> {
    const found = await lookup(name, request)
    if (found === undefined || found === null) return null
    const secrets: unknown[] = Array.isArray(found) ? found : [found]
    if (secrets.length === 0) return null
    return tenantKeys(parseSecrets(scheme, secrets, () => `the secret of tenant "${name}"`))
  }

  return {
    dummy,
    async onRequest (request, reply) {
      let name: unknown
      try {
        name = await tenantOf(request)
      } catch (err) {
        throw new WebhookSecretLookupError({ cause: err })
      }
      const valid = typeof name === 'string' && name.length > 0 && name.length <= MAX_TENANT ? name : undefined
      ;(request as RequestWithTenant)[kTenant] = valid
      request.log = request.log.child({ tenant: valid ?? null })
      reply.log = request.log
    },
    keysFor (request) {
      const name = (request as RequestWithTenant)[kTenant]
      if (name === undefined) return unnamed
      const answer = (keys: TenantKeys): DeliveryKeys =>
        keys === null ? { keys: dummy, tenant: name, known: false } : { keys, tenant: name, known: true }
      const found = cache.keysOf(name, async () => await load(name, request))
      if (!(found instanceof Promise)) return answer(found)
      return found.then(answer, err => { throw new WebhookSecretLookupError({ cause: err }) })
    }
  }
}
