import type { AuthServices } from '../auth/authServices.ts'
import type { Logger } from '../log/logger.ts'
import { type DocumentStore, storedWorkspaceIds } from '../storage/DocumentStore.ts'
import { buildDemoDocs, type DemoUsers } from './demoData.ts'

export const DEMO_WORKSPACE_ID = 'demo'
export const DEMO_PASSWORD = 'rapport-demo'
export const DEMO_SEED = 20_260_101

export interface DemoLogin {
  email: string
  password: string
  role: string
  name: string
}

const DEMO_USERS: Array<{
  key: keyof DemoUsers
  email: string
  name: string
  role: 'admin' | 'sales' | 'support' | 'viewer'
  team: 'sales' | 'support' | 'success' | null
}> = [
  { key: 'admin', email: 'admin@rapport.dev', name: 'Avery Admin', role: 'admin', team: null },
  { key: 'sales', email: 'sales@rapport.dev', name: 'Sam Sales', role: 'sales', team: 'sales' },
  { key: 'sales2', email: 'sales2@rapport.dev', name: 'Sasha Sales', role: 'sales', team: 'sales' },
  { key: 'support', email: 'support@rapport.dev', name: 'Riley Support', role: 'support', team: 'support' },
  { key: 'viewer', email: 'viewer@rapport.dev', name: 'Vic Viewer', role: 'viewer', team: null },
]

export const DEMO_EMAILS: readonly string[] = DEMO_USERS.map((u) => u.email)

/**
 * Seeds the demo workspace on the FIRST start of an empty data directory: returns the logins to print, or `null`
 * (and writes nothing) when any document or user already exists. Documents go straight to the store; call it before
 * the server loads documents or accepts connections (createServer does, before the projection bootstraps).
 */
export async function seedDemo(deps: {
  store: DocumentStore
  auth: AuthServices
  logger: Logger
  now?: () => number
  seed?: number
}): Promise<DemoLogin[] | null> {
  const now = deps.now ?? Date.now
  if ((await storedWorkspaceIds(deps.store)).length > 0 || deps.auth.meta.data.users.length > 0) return null
  const started = Date.now()
  const workspace = { id: DEMO_WORKSPACE_ID, name: 'Rapport Demo' }
  const ids = Object.fromEntries(DEMO_USERS.map((u) => [u.key, `usr_demo_${u.key}`])) as unknown as DemoUsers
  // Password hashing runs on libuv threads while the documents are built on this one.
  const users = deps.auth.createWorkspace(workspace).then(() =>
    Promise.all(
      DEMO_USERS.map((u) =>
        deps.auth.createUser({
          id: ids[u.key],
          email: u.email,
          name: u.name,
          password: DEMO_PASSWORD,
          workspaceId: workspace.id,
          role: u.role,
          team: u.team,
        }),
      ),
    ),
  )
  const docs = buildDemoDocs({
    workspaceId: workspace.id,
    workspaceName: workspace.name,
    users: ids,
    seed: deps.seed ?? DEMO_SEED,
    now: now(),
  })
  await Promise.all([users, ...[...docs].map(([name, state]) => deps.store.store(name, state))])
  deps.logger.info('seeded demo workspace', { documents: docs.size, ms: Date.now() - started })
  return DEMO_USERS.map((u) => ({ email: u.email, password: DEMO_PASSWORD, role: u.role, name: u.name }))
}
