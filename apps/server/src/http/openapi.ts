import {
  AccountCreate,
  AccountPatch,
  BoardSnapshotQuery,
  ContactCreate,
  ContactPatch,
  DealCreate,
  DealPatch,
  LogActivityInput,
  LogActivityPatch,
  TicketCreate,
  TicketMessageInput,
  TicketPatch,
} from '@rapport/model'
import { Hono } from 'hono'
import { z } from 'zod'
import { archiveRouteDocs } from '../archive/archiveRoutes.ts'
import { boardFacesRouteDocs } from '../board/boardFacesRoute.ts'
import { duplicateRouteDocs } from '../duplicates/duplicateRoutes.ts'
import { exportRouteDocs } from '../export/exportRoutes.ts'
import { feedRouteDocs } from '../feed/feedRoutes.ts'
import { importRouteDocs } from '../imports/importRoutes.ts'
import { dashboardRouteDocs } from '../reports/dashboardRoutes.ts'
import { reportRouteDocs } from '../reports/reportRoutes.ts'
import { settingsRouteDocs } from '../settings/settingsRoutes.ts'
import { taskRouteDocs } from '../tasks/taskRoutes.ts'
import { TimelineQuery } from '../timeline/timelineRoutes.ts'
import { workspaceRouteDocs } from '../workspaces/workspaceRoutes.ts'
import type { AppEnv } from './app.ts'
import { DEFAULT_MAX_BODY_BYTES } from './bodyLimit.ts'
import { accountRouteDocs } from './routes/account.ts'
import { LoginBody, SignupInviteBody } from './routes/auth.ts'
import { HandoffCreateBody, HandoffReturnBody, HandoffSendBody } from './routes/handoffs.ts'
import { ApiTokenBody, InvitationBody, MemberPatchBody } from './routes/members.ts'
import { LIST_KINDS, listQuerySchemas } from './routes/recordQueries.ts'
import { DealMove, SearchQuery, TicketMove } from './routes/records.ts'
import { roomStateRouteDocs } from './routes/roomState.ts'

export interface RouteDoc {
  summary: string
  query?: z.ZodObject
  body?: z.ZodType
  /** A body that is not JSON (an upload): its content type, e.g. `text/csv`. */
  rawBody?: string
}

/** Documentation of the routes whose inputs we validate with zod, keyed by `METHOD /api/path/{param}`. */
export function recordRouteDocs(): Record<string, RouteDoc> {
  const docs: Record<string, RouteDoc> = {
    'GET /api/search': { summary: 'Full-text search over records and note text', query: SearchQuery },
    'GET /api/pipelines/{pipelineId}/board': {
      summary: 'A read-only snapshot of a pipeline board: per stage the count, totals and first deals',
      query: BoardSnapshotQuery,
    },
    'POST /api/accounts': { summary: 'Create an account', body: AccountCreate },
    'PATCH /api/accounts/{id}': { summary: 'Update an account', body: AccountPatch },
    'POST /api/contacts': { summary: 'Create a contact', body: ContactCreate },
    'PATCH /api/contacts/{id}': { summary: 'Update a contact', body: ContactPatch },
    'POST /api/deals': { summary: 'Create a deal at the end of its stage', body: DealCreate },
    'PATCH /api/deals/{id}': { summary: 'Update a deal', body: DealPatch },
    'POST /api/deals/{id}/move': { summary: 'Move a deal to a stage (and index)', body: DealMove },
    'POST /api/tickets': { summary: 'Create a ticket', body: TicketCreate },
    'PATCH /api/tickets/{id}': { summary: 'Update a ticket', body: TicketPatch },
    'POST /api/tickets/{id}/move': { summary: 'Move a ticket to a status (and index)', body: TicketMove },
    'POST /api/auth/login': { summary: 'Log in (sets the session cookie)', body: LoginBody },
    'POST /api/auth/signup-invite': { summary: 'Accept an invitation', body: SignupInviteBody },
    'POST /api/invitations': { summary: 'Invite a member (admin)', body: InvitationBody },
    'PATCH /api/members/{userId}': {
      summary: "Change a member's role or team (admin)",
      body: MemberPatchBody,
    },
    'POST /api/api-tokens': { summary: 'Create an API token', body: ApiTokenBody },
    'POST /api/accounts/{accountId}/handoffs': { summary: 'Create a handoff draft', body: HandoffCreateBody },
    'GET /api/accounts/{accountId}/history': { summary: "Versions of an account room's notes and fields" },
    'GET /api/accounts/{accountId}/history/{versionId}': { summary: 'One version beside the current state' },
    'POST /api/accounts/{accountId}/history/{versionId}/restore': {
      summary: 'Write a version of the notes over the current notes, as a new edit',
    },
    'GET /api/accounts/{accountId}/timeline': {
      summary: "A page of an account's timeline, newest first (`before` = the previous page's `nextBefore`)",
      query: TimelineQuery,
    },
    'POST /api/accounts/{accountId}/activities': {
      summary: 'Log a call, email or meeting on the account (the caller is its author)',
      body: LogActivityInput,
    },
    'GET /api/accounts/{accountId}/activities/{activityId}': { summary: 'One timeline entry' },
    'PATCH /api/accounts/{accountId}/activities/{activityId}': {
      summary: 'Change a logged call, email or meeting (its author or an admin)',
      body: LogActivityPatch,
    },
    'DELETE /api/accounts/{accountId}/activities/{activityId}': {
      summary: 'Remove a logged call, email or meeting from the timeline (archived; its author or an admin)',
    },
    'GET /api/tickets/{id}/messages': {
      summary: "A ticket's conversation: replies and internal notes, oldest first",
    },
    'POST /api/tickets/{id}/messages': {
      summary: 'Reply to a ticket or add an internal note (the caller is its author)',
      body: TicketMessageInput,
    },
    'POST /api/accounts/{accountId}/handoffs/{handoffId}/send': {
      summary: 'Send a handoff',
      body: HandoffSendBody,
    },
    'POST /api/accounts/{accountId}/handoffs/{handoffId}/return': {
      summary: 'Send a handoff back with a comment',
      body: HandoffReturnBody,
    },
  }
  Object.assign(
    docs,
    workspaceRouteDocs,
    accountRouteDocs,
    settingsRouteDocs,
    taskRouteDocs,
    archiveRouteDocs,
    feedRouteDocs,
    exportRouteDocs,
    duplicateRouteDocs,
    importRouteDocs,
    dashboardRouteDocs,
    reportRouteDocs,
    boardFacesRouteDocs,
    roomStateRouteDocs,
  )
  for (const kind of LIST_KINDS) {
    docs[`GET /api/${kind}`] = {
      summary: `List ${kind} (filter, sort, paginate); \`cf.<fieldId>=<value>\` filters on a custom field`,
      query: listQuerySchemas[kind],
    }
    docs[`GET /api/${kind}/{id}`] = { summary: `One ${kind.slice(0, -1)}` }
  }
  return docs
}

const ERROR = {
  description: 'Error',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: { code: { type: 'string' }, message: { type: 'string' } },
            required: ['code', 'message'],
          },
        },
        required: ['error'],
      },
    },
  },
}

/** Every request with a body: the cap is checked first, before authentication (see `http/bodyLimit.ts`). */
const PAYLOAD_TOO_LARGE = {
  description: `\`payload_too_large\`: the body is larger than ${DEFAULT_MAX_BODY_BYTES} bytes (1 MiB); refused from its Content-Length, or as soon as a chunked body passes the cap, before authentication and before it is read`,
  content: ERROR.content,
}
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

const toPath = (path: string): string => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')

/**
 * The OpenAPI 3.1 document: EVERY route registered on the app (so nothing is missing), with parameters and request
 * bodies generated from the zod schemas (`z.toJSONSchema`) where `docs` describes them.
 */
export function openApiDocument(
  routes: ReadonlyArray<{ method: string; path: string }>,
  docs: Record<string, RouteDoc>,
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {}
  for (const route of routes) {
    if (route.method === 'ALL' || !route.path.startsWith('/api/') || route.path.includes('*')) continue
    const path = toPath(route.path)
    const method = route.method.toLowerCase()
    const doc = docs[`${route.method} ${path}`]
    const parameters: unknown[] = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }))
    if (doc?.query) {
      const json = z.toJSONSchema(doc.query, { io: 'input', unrepresentable: 'any' }) as {
        properties?: Record<string, unknown>
        required?: string[]
      }
      for (const [name, schema] of Object.entries(json.properties ?? {})) {
        parameters.push({ name, in: 'query', required: json.required?.includes(name) ?? false, schema })
      }
    }
    const operation: Record<string, unknown> = {
      summary: doc?.summary ?? `${route.method} ${path}`,
      parameters,
      responses: {
        '200': { description: 'OK' },
        ...(BODY_METHODS.has(route.method) ? { '413': PAYLOAD_TOO_LARGE } : {}),
        default: ERROR,
      },
    }
    if (doc?.rawBody) {
      operation.requestBody = {
        required: true,
        content: { [doc.rawBody]: { schema: { type: 'string', format: 'binary' } } },
      }
    }
    if (doc?.body) {
      operation.requestBody = {
        required: true,
        content: {
          'application/json': { schema: z.toJSONSchema(doc.body, { io: 'input', unrepresentable: 'any' }) },
        },
      }
    }
    paths[path] = { ...paths[path], [method]: operation }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Rapport API', version: '0.1.0' },
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'rapport_session' },
        apiToken: { type: 'http', scheme: 'bearer' },
      },
    },
    security: [{ session: [] }, { apiToken: [] }],
    paths,
  }
}

/** `GET /api/openapi.json` over the routes `routes()` returns (the whole app's, read at request time). */
export function openApiRoutes(routes: () => ReadonlyArray<{ method: string; path: string }>): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  const docs = recordRouteDocs()
  app.get('/openapi.json', (c) => c.json(openApiDocument(routes(), docs)))
  return app
}
