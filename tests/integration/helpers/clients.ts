import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider'
import type { Role, Team } from '@rapport/model'
import type { RapportServer } from '@rapport/server'
import * as Y from 'yjs'
import { NodeWebSocket } from './NodeWebSocket.ts'

export interface ApiResponse<T = unknown> {
  status: number
  body: T
  headers: Headers
}

/** The error shape every API error has. */
export interface ErrorBody {
  error: { code: string; message: string }
}

/** A JSON request to the API with an optional session cookie or bearer token. */
export async function api<T = ErrorBody>(
  url: string,
  path: string,
  init: { method?: string; cookie?: string; bearer?: string; body?: unknown; rawBody?: string } = {},
): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = {}
  if (init.cookie) headers.cookie = init.cookie
  if (init.bearer) headers.authorization = `Bearer ${init.bearer}`
  const hasBody = init.body !== undefined || init.rawBody !== undefined
  if (hasBody) headers['content-type'] = 'application/json'
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? (hasBody ? 'POST' : 'GET'),
    headers,
    body: init.rawBody ?? (init.body !== undefined ? JSON.stringify(init.body) : undefined),
  })
  const text = await response.text()
  return { status: response.status, body: (text ? JSON.parse(text) : null) as T, headers: response.headers }
}

/** The `name=value` part of the session cookie a response set. */
export function sessionCookie(headers: Headers): string {
  const setCookie = headers.get('set-cookie') ?? ''
  const match = /rapport_session=[^;]+/.exec(setCookie)
  if (!match) throw new Error(`no session cookie in ${JSON.stringify(setCookie)}`)
  return match[0]
}

/** Logs in and returns the cookie header value to send back. */
export async function login(url: string, email: string, password: string): Promise<string> {
  const response = await api(url, '/api/auth/login', { body: { email, password } })
  if (response.status !== 200)
    throw new Error(`login failed: ${response.status} ${JSON.stringify(response.body)}`)
  return sessionCookie(response.headers)
}

/** A fresh collab token for the WebSocket. */
export async function collabToken(url: string, cookie: string): Promise<string> {
  const response = await api<{ token: string }>(url, '/api/auth/collab-token', { method: 'POST', cookie })
  if (response.status !== 200) throw new Error(`collab-token failed: ${response.status}`)
  return response.body.token
}

export interface OpenProviderOptions {
  wsUrl: string
  name: string
  token: string | (() => Promise<string>)
  document?: Y.Doc
}

export type Outcome = { kind: 'synced' } | { kind: 'denied'; reason: string } | { kind: 'closed' }

export interface ConnectedProvider {
  provider: HocuspocusProvider
  doc: Y.Doc
  /**
   * Resolves with 'synced' once synced, with the server's reason when authentication is refused, or with
   * 'closed' when the server closed the socket before the first sync.
   */
  outcome: Promise<Outcome>
  /** Every `authenticationFailed` reason seen so far (also after reconnects). */
  denials: string[]
  /** Number of socket closes seen. */
  closes(): number
  destroy(): void
}

/** A provider on its own socket (reconnects quickly), without waiting. */
export function connectProvider(options: OpenProviderOptions): ConnectedProvider {
  const doc = options.document ?? new Y.Doc()
  const denials: string[] = []
  let closeCount = 0
  let settle: (value: Outcome) => void = () => {}
  const outcome = new Promise<Outcome>((resolve) => {
    settle = resolve
  })
  const socket = new HocuspocusProviderWebsocket({
    url: options.wsUrl,
    WebSocketPolyfill: NodeWebSocket,
    delay: 50,
    minDelay: 10,
    maxDelay: 200,
  })
  const provider = new HocuspocusProvider({
    websocketProvider: socket,
    name: options.name,
    document: doc,
    token: options.token,
    onSynced: () => settle({ kind: 'synced' }),
    onAuthenticationFailed: ({ reason }) => {
      denials.push(reason)
      settle({ kind: 'denied', reason })
    },
    onClose: () => {
      closeCount += 1
      if (!provider.isSynced) settle({ kind: 'closed' })
    },
  })
  provider.attach()
  return {
    provider,
    doc,
    outcome,
    denials,
    closes: () => closeCount,
    destroy: () => {
      provider.destroy()
      socket.destroy()
    },
  }
}

const open: ConnectedProvider[] = []

/** Opens a provider and resolves once it is synced; rejects when the server refuses it. */
export async function openProvider(options: OpenProviderOptions): Promise<ConnectedProvider> {
  const connected = connectProvider(options)
  open.push(connected)
  const result = await connected.outcome
  if (result.kind !== 'synced') {
    connected.destroy()
    throw new Error(`provider for ${options.name} refused: ${JSON.stringify(result)}`)
  }
  return connected
}

/** Opens a provider that is expected to be refused by authentication; resolves with the reason. */
export async function expectDenied(options: OpenProviderOptions): Promise<string> {
  const connected = connectProvider(options)
  const result = await connected.outcome
  connected.destroy()
  if (result.kind !== 'denied') throw new Error(`provider for ${options.name} was NOT denied: ${result.kind}`)
  return result.reason
}

/** Opens a provider that must never sync: refused by authentication or its socket closed by the server. */
export async function expectRefused(options: OpenProviderOptions): Promise<Outcome> {
  const connected = connectProvider(options)
  const result = await connected.outcome
  connected.destroy()
  if (result.kind === 'synced') throw new Error(`provider for ${options.name} was NOT refused`)
  return result
}

/** Destroys every provider opened with `openProvider` (call in afterEach). */
export function destroyProviders(): void {
  for (const connected of open.splice(0)) connected.destroy()
}

export interface SeededUser {
  id: string
  email: string
  password: string
}

/** Creates a workspace (idempotent) and a member in it, directly through the server's auth services. */
export async function seedMember(
  server: RapportServer,
  input: {
    workspaceId: string
    email: string
    role: Role
    name?: string
    team?: Team | null
    password?: string
  },
): Promise<SeededUser> {
  await server.auth.createWorkspace({ id: input.workspaceId, name: input.workspaceId })
  const password = input.password ?? 'test-password-123'
  const user = await server.auth.createUser({
    email: input.email,
    name: input.name ?? input.email.split('@')[0] ?? 'user',
    password,
    workspaceId: input.workspaceId,
    role: input.role,
    team: input.team ?? null,
  })
  return { id: user.id, email: user.email, password }
}

/** Logs a seeded user in and returns their cookie and a collab token getter. */
export async function signIn(
  url: string,
  user: SeededUser,
): Promise<{ cookie: string; token: () => Promise<string> }> {
  const cookie = await login(url, user.email, user.password)
  return { cookie, token: () => collabToken(url, cookie) }
}
