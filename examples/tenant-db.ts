/**
 * A stand-in for your database in examples/many-tenants.ts: each tenant's Pulse secret, from
 * TENANT_SECRETS (JSON: { "acme": "whsec_..." }), and the jobs done, in memory.
 */
const secrets = new Map<string, string>(
  Object.entries(JSON.parse(process.env.TENANT_SECRETS ?? '{}') as Record<string, string>)
)

export const db = {
  async pulseSecretOf (tenant: string): Promise<string | undefined> {
    return secrets.get(tenant)
  },
  async markDone (tenant: string | undefined, job: string): Promise<void> {
    process.stdout.write(JSON.stringify({ level: 30, msg: 'tenant job done', tenant, job }) + '\n')
  }
}
