import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type StartedServer, startServer } from './helpers/startServer.ts'

interface Operation {
  parameters: Array<{ name: string; in: string }>
  requestBody?: { content: { 'application/json': { schema: { properties?: Record<string, unknown> } } } }
}
type Spec = { paths: Record<string, Record<string, Operation>> }

/** POST routes whose body is not JSON: their content type. */
const RAW_BODY: Record<string, string> = { 'POST /api/imports': 'text/csv' }

/** POST routes that take no body at all. */
const NO_BODY = new Set([
  'POST /api/auth/logout',
  'POST /api/auth/collab-token',
  'POST /api/accounts/{accountId}/handoffs/{handoffId}/accept',
  'POST /api/accounts/{accountId}/history/{versionId}/restore',
  'POST /api/workspaces/{id}/leave',
  'POST /api/imports/{id}/resume',
  'POST /api/imports/{id}/cancel',
  'POST /api/imports/{id}/undo',
  ...['accounts', 'contacts', 'deals', 'tickets', 'tasks'].flatMap((kind) => [
    `POST /api/${kind}/{id}/archive`,
    `POST /api/${kind}/{id}/restore`,
  ]),
])

let s: StartedServer
let spec: Spec
let routes: Array<{ method: string; path: string }>

beforeAll(async () => {
  s = await startServer()
  const response = await fetch(`${s.url}/api/openapi.json`)
  expect(response.status).toBe(200)
  spec = (await response.json()) as Spec
  routes = s.server.app.routes
    .filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/'))
    .map((r) => ({ method: r.method, path: r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}') }))
})
afterAll(async () => {
  await s?.stop()
})

describe('/api/openapi.json', () => {
  it('describes every route the app serves under /api', () => {
    expect(routes.length).toBeGreaterThan(30)
    for (const { method, path } of routes) {
      expect(spec.paths[path]?.[method.toLowerCase()], `${method} ${path}`).toBeDefined()
    }
  })

  it('gives every POST and PATCH route that reads a body its request schema', () => {
    for (const { method, path } of routes) {
      if (method !== 'POST' && method !== 'PATCH') continue
      const operation = spec.paths[path]?.[method.toLowerCase()]
      const raw = RAW_BODY[`${method} ${path}`]
      if (raw) {
        expect(Object.keys(operation?.requestBody?.content ?? {}), `${method} ${path}`).toEqual([raw])
        continue
      }
      if (NO_BODY.has(`${method} ${path}`)) {
        expect(operation?.requestBody, `${method} ${path}`).toBeUndefined()
        continue
      }
      const schema = operation?.requestBody?.content['application/json'].schema
      expect(Object.keys(schema?.properties ?? {}).length, `${method} ${path}`).toBeGreaterThan(0)
    }
    const login = spec.paths['/api/auth/login']?.post?.requestBody?.content['application/json'].schema
    expect(Object.keys(login?.properties ?? {})).toEqual(expect.arrayContaining(['email', 'password']))
  })

  it('lists the query parameters of search and of every list route, and the path parameters', () => {
    const queryOf = (path: string) =>
      (spec.paths[path]?.get?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name)
    expect(queryOf('/api/search')).toEqual(expect.arrayContaining(['q', 'kind', 'limit']))
    for (const kind of ['accounts', 'contacts', 'deals', 'tickets']) {
      expect(queryOf(`/api/${kind}`)).toEqual(
        expect.arrayContaining(['q', 'limit', 'cursor', 'offset', 'archived', 'sort']),
      )
    }
    expect(queryOf('/api/deals')).toEqual(expect.arrayContaining(['pipelineId', 'stage', 'status']))
    const send = spec.paths['/api/accounts/{accountId}/handoffs/{handoffId}/send']?.post
    expect(send?.parameters.filter((p) => p.in === 'path').map((p) => p.name)).toEqual([
      'accountId',
      'handoffId',
    ])
  })
})
