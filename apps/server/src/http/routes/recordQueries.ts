import {
  ACCOUNT_SIZES,
  ACCOUNT_TIERS,
  DEAL_STATUSES,
  LEAD_SOURCES,
  LEAD_STATUSES,
  TEAMS,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
} from '@rapport/model'
import { z } from 'zod'

/** The record kinds with REST list/get/create/update endpoints. */
export const LIST_KINDS = ['accounts', 'contacts', 'deals', 'tickets'] as const
export type ListKind = (typeof LIST_KINDS)[number]

/** `cf.<fieldId>` / `-cf.<fieldId>`: a custom field of the kind (its definition says how it sorts). */
const CUSTOM_FIELD_SORT = /^-?cf\.[A-Za-z0-9_-]{1,64}$/

/** `field` or `-field` of `fields`, or a custom field (`cf.<fieldId>`). */
const sortOf = <const F extends readonly [string, ...string[]]>(fields: F) =>
  z
    .union([
      z.enum([...fields, ...fields.map((f) => `-${f}`)] as [string, ...string[]]),
      z.string().regex(CUSTOM_FIELD_SORT),
    ])
    .optional()

/** An empty filter value (`ownerId=`) asks for records where the field is empty (null). */
function emptyIsNull(value: string | undefined): string | null | undefined {
  return value === '' ? null : value
}

const page = {
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
  offset: z.coerce.number().int().min(0).default(0),
  archived: z.enum(['false', 'true', 'all']).default('false'),
  ownerId: z.string().max(64).optional().transform(emptyIsNull),
}
const id = z.string().min(1).max(64)
/** `accountId=` (empty): records without an account. */
const idOrNone = z
  .union([z.literal(''), id])
  .optional()
  .transform(emptyIsNull)

/** Query strings of `GET /api/<kind>`: text query, equality filters, `sort` (`field` or `-field`), paging. */
export const listQuerySchemas = {
  accounts: z.object({
    ...page,
    team: z.enum(TEAMS).optional(),
    tier: z.enum(ACCOUNT_TIERS).optional(),
    size: z.enum(ACCOUNT_SIZES).optional(),
    industry: z.string().max(100).optional(),
    city: z.string().max(100).optional(),
    country: z.string().max(100).optional(),
    sort: sortOf([
      'name',
      'domain',
      'industry',
      'city',
      'country',
      'tier',
      'team',
      'size',
      'owner',
      'createdAt',
      'updatedAt',
    ]),
  }),
  contacts: z.object({
    ...page,
    accountId: idOrNone,
    leadStatus: z.enum(LEAD_STATUSES).optional(),
    source: z.enum(LEAD_SOURCES).optional(),
    sort: sortOf([
      'lastName',
      'firstName',
      'email',
      'title',
      'accountName',
      'source',
      'score',
      'leadStatus',
      'owner',
      'createdAt',
      'updatedAt',
    ]),
  }),
  deals: z.object({
    ...page,
    accountId: id.optional(),
    pipelineId: id.optional(),
    stage: id.optional(),
    status: z.enum(DEAL_STATUSES).optional(),
    sort: sortOf([
      'title',
      'amount',
      'expectedCloseDate',
      'stageEnteredAt',
      'status',
      'accountName',
      'owner',
      'createdAt',
      'updatedAt',
    ]),
  }),
  tickets: z.object({
    ...page,
    accountId: id.optional(),
    contactId: id.optional(),
    status: z.enum(TICKET_STATUSES).optional(),
    priority: z.enum(TICKET_PRIORITIES).optional(),
    assigneeId: id.optional(),
    sort: sortOf([
      'subject',
      'priority',
      'slaDueAt',
      'status',
      'accountName',
      'owner',
      'assignee',
      'createdAt',
      'updatedAt',
    ]),
  }),
} as const
