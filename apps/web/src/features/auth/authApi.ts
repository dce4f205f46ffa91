import { BoardSnapshot, Role } from '@rapport/model'
import { z } from 'zod'
import { takeEarlyResponse } from './earlyRequests.ts'

export const SessionUser = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  color: z.string(),
})

export const SessionMember = z.object({
  userId: z.string(),
  name: z.string(),
  email: z.string(),
  role: Role,
  team: z.string().nullable().optional(),
  color: z.string(),
})
export type SessionMember = z.infer<typeof SessionMember>

/** What `POST /api/auth/login` and `GET /api/auth/me` return. */
export const Session = z.object({
  user: SessionUser,
  workspace: z.object({ id: z.string(), name: z.string() }),
  role: Role,
  members: z.array(SessionMember),
})
export type Session = z.infer<typeof Session>

export const CollabToken = z.object({ token: z.string(), expiresAt: z.number() })
export type CollabToken = z.infer<typeof CollabToken>

export const SearchItem = z.object({
  kind: z.string(),
  id: z.string(),
  title: z.string(),
  subtitle: z.string().nullable().optional(),
  accountId: z.string().nullable().optional(),
})
export type SearchItem = z.infer<typeof SearchItem>

const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) })

export type ApiErrorKind = 'unauthorized' | 'forbidden' | 'unreachable' | 'invalid' | 'server'

/** Every failed API call becomes one of these, so screens can show a clear message. */
export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** One API call: JSON in and out, the answer checked against `schema`; failures become an `ApiError`. */
export async function request<T>(path: string, schema: z.ZodType<T>, init: RequestInit = {}): Promise<T> {
  let res: Response
  try {
    const early = init.method === undefined ? takeEarlyResponse(path) : null
    res = await (early ??
      fetch(path, {
        credentials: 'same-origin',
        ...init,
        headers: { 'content-type': 'application/json', ...init.headers },
      }))
  } catch {
    throw new ApiError(
      'unreachable',
      0,
      'unreachable',
      'The server cannot be reached. Check your connection.',
    )
  }
  const body: unknown = await res.json().catch(() => null)
  if (!res.ok) {
    const parsed = ErrorBody.safeParse(body)
    const code = parsed.success ? parsed.data.error.code : `http_${res.status}`
    const message = parsed.success ? parsed.data.error.message : `Request failed (${res.status})`
    const kind: ApiErrorKind =
      res.status === 401
        ? 'unauthorized'
        : res.status === 403
          ? 'forbidden'
          : res.status === 502 || res.status === 503 || res.status === 504
            ? 'unreachable'
            : res.status < 500
              ? 'invalid'
              : 'server'
    throw new ApiError(kind, res.status, code, message)
  }
  const parsed = schema.safeParse(body)
  if (!parsed.success)
    throw new ApiError('server', res.status, 'bad_response', 'The server sent an unexpected response.')
  return parsed.data
}

export const authApi = {
  login: (email: string, password: string): Promise<Session> =>
    request('/api/auth/login', Session, { method: 'POST', body: JSON.stringify({ email, password }) }),
  logout: (): Promise<unknown> => request('/api/auth/logout', z.unknown(), { method: 'POST', body: '{}' }),
  me: (): Promise<Session> => request('/api/auth/me', Session),
  collabToken: (): Promise<CollabToken> =>
    request('/api/auth/collab-token', CollabToken, { method: 'POST', body: '{}' }),
  /** Any GET of the API, its answer checked against `schema`. */
  get: <T>(path: string, schema: z.ZodType<T>): Promise<T> => request(path, schema),
  /** A page of `GET /api/<kind>` (`{ items, total }`), each item checked against `schema`. */
  list: <T>(path: string, schema: z.ZodType<T>): Promise<{ items: T[]; total: number }> =>
    request(path, z.object({ items: z.array(schema), total: z.number() })),
  boardSnapshot: (pipelineId: string): Promise<BoardSnapshot> =>
    request(`/api/pipelines/${encodeURIComponent(pipelineId)}/board`, BoardSnapshot),
  search: (q: string): Promise<{ items: SearchItem[] }> =>
    request(`/api/search?q=${encodeURIComponent(q)}`, z.object({ items: z.array(SearchItem) })),
}
