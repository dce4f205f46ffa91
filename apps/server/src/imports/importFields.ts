import {
  ACCOUNT_SIZES,
  ACCOUNT_TIERS,
  AccountCreate,
  ContactCreate,
  type CustomFieldDef,
  type CustomFieldEntity,
  type CustomFieldValue,
  customFieldProblems,
  DealCreate,
  LEAD_SOURCES,
  LEAD_STATUSES,
  TICKET_PRIORITIES,
  TicketCreate,
} from '@rapport/model'
import type { z } from 'zod'

export const IMPORT_KINDS = ['accounts', 'contacts', 'deals', 'tickets'] as const
export type ImportKind = (typeof IMPORT_KINDS)[number]

export type FieldType =
  | 'text'
  | 'email'
  | 'number'
  | 'date'
  | 'select'
  | 'multiselect'
  | 'boolean'
  | 'url'
  | 'user'

export interface ImportField {
  key: string
  label: string
  type: FieldType
  required: boolean
  choices?: string[]
}

export const ENTITY: Record<ImportKind, CustomFieldEntity> = {
  accounts: 'account',
  contacts: 'contact',
  deals: 'deal',
  tickets: 'ticket',
}

const TICKET_STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const

interface BuiltIn extends ImportField {
  /** Normalized header names that map to it besides its key and label. */
  synonyms?: string[]
  /** A lookup, not a record field (account by name, pipeline by name …). */
  lookup?: true
}

const BUILT_IN: Record<ImportKind, BuiltIn[]> = {
  accounts: [
    {
      key: 'name',
      label: 'Name',
      type: 'text',
      required: true,
      synonyms: ['company', 'companyname', 'account', 'accountname', 'organization', 'organisation'],
    },
    {
      key: 'domain',
      label: 'Domain',
      type: 'text',
      required: false,
      synonyms: ['companydomain', 'emaildomain'],
    },
    { key: 'industry', label: 'Industry', type: 'text', required: false, synonyms: ['sector'] },
    {
      key: 'size',
      label: 'Size',
      type: 'select',
      required: false,
      choices: [...ACCOUNT_SIZES],
      synonyms: ['employees', 'companysize'],
    },
    { key: 'tier', label: 'Tier', type: 'select', required: false, choices: [...ACCOUNT_TIERS] },
    {
      key: 'phone',
      label: 'Phone',
      type: 'text',
      required: false,
      synonyms: ['telephone', 'phonenumber', 'tel'],
    },
    { key: 'website', label: 'Website', type: 'text', required: false, synonyms: ['url', 'web', 'homepage'] },
    { key: 'city', label: 'City', type: 'text', required: false, synonyms: ['town'] },
    { key: 'country', label: 'Country', type: 'text', required: false },
  ],
  contacts: [
    {
      key: 'firstName',
      label: 'First name',
      type: 'text',
      required: false,
      synonyms: ['first', 'givenname', 'forename', 'vorname', 'prenom'],
    },
    {
      key: 'lastName',
      label: 'Last name',
      type: 'text',
      required: false,
      synonyms: ['last', 'surname', 'familyname', 'nachname', 'nom'],
    },
    {
      key: 'email',
      label: 'Email',
      type: 'email',
      required: false,
      synonyms: ['e-mail', 'mail', 'emailaddress', 'e-mailaddress', 'workemail'],
    },
    {
      key: 'phone',
      label: 'Phone',
      type: 'text',
      required: false,
      synonyms: ['telephone', 'phonenumber', 'tel', 'mobile', 'mobilephone'],
    },
    {
      key: 'title',
      label: 'Title',
      type: 'text',
      required: false,
      synonyms: ['jobtitle', 'position', 'role'],
    },
    {
      key: 'leadStatus',
      label: 'Lead status',
      type: 'select',
      required: false,
      choices: [...LEAD_STATUSES],
      synonyms: ['status'],
    },
    {
      key: 'source',
      label: 'Source',
      type: 'select',
      required: false,
      choices: [...LEAD_SOURCES],
      synonyms: ['leadsource'],
    },
    { key: 'score', label: 'Score', type: 'number', required: false, synonyms: ['leadscore'] },
    {
      key: 'accountName',
      label: 'Account name',
      type: 'text',
      required: false,
      lookup: true,
      synonyms: ['company', 'companyname', 'account', 'organization', 'organisation', 'employer'],
    },
    {
      key: 'accountDomain',
      label: 'Account domain',
      type: 'text',
      required: false,
      lookup: true,
      synonyms: ['companydomain', 'domain'],
    },
  ],
  deals: [
    {
      key: 'title',
      label: 'Title',
      type: 'text',
      required: true,
      synonyms: ['deal', 'dealname', 'name', 'opportunity'],
    },
    {
      key: 'amount',
      label: 'Amount',
      type: 'number',
      required: false,
      synonyms: ['value', 'dealvalue', 'revenue'],
    },
    { key: 'currency', label: 'Currency', type: 'text', required: false },
    {
      key: 'expectedCloseDate',
      label: 'Expected close date',
      type: 'date',
      required: false,
      synonyms: ['closedate', 'expectedclose'],
    },
    {
      key: 'pipeline',
      label: 'Pipeline',
      type: 'text',
      required: false,
      lookup: true,
      synonyms: ['pipelinename'],
    },
    {
      key: 'stage',
      label: 'Stage',
      type: 'text',
      required: false,
      lookup: true,
      synonyms: ['dealstage', 'stagename'],
    },
    {
      key: 'accountName',
      label: 'Account name',
      type: 'text',
      required: false,
      lookup: true,
      synonyms: ['company', 'companyname', 'account', 'organization'],
    },
  ],
  tickets: [
    {
      key: 'subject',
      label: 'Subject',
      type: 'text',
      required: true,
      synonyms: ['title', 'summary', 'ticket'],
    },
    {
      key: 'description',
      label: 'Description',
      type: 'text',
      required: false,
      synonyms: ['body', 'details', 'message'],
    },
    { key: 'priority', label: 'Priority', type: 'select', required: false, choices: [...TICKET_PRIORITIES] },
    { key: 'status', label: 'Status', type: 'select', required: false, choices: [...TICKET_STATUSES] },
    {
      key: 'accountName',
      label: 'Account name',
      type: 'text',
      required: false,
      lookup: true,
      synonyms: ['company', 'companyname', 'account', 'organization'],
    },
    {
      key: 'contactEmail',
      label: 'Contact email',
      type: 'email',
      required: false,
      lookup: true,
      synonyms: ['email', 'e-mail', 'requester', 'requesteremail', 'customeremail'],
    },
  ],
}

/** Lower case, no spaces, underscores or dots: "E-mail Address" → "e-mailaddress". */
export const normalizeHeader = (header: string): string =>
  header
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\s_.]+/g, '')

const CF_TYPE: Record<CustomFieldDef['type'], FieldType> = {
  text: 'text',
  number: 'number',
  currency: 'number',
  date: 'date',
  boolean: 'boolean',
  select: 'select',
  multiselect: 'multiselect',
  user: 'user',
  url: 'url',
  email: 'email',
}

/** The importable fields of `kind`: built-in fields and lookups, then the workspace's custom fields (`cf.<id>`). */
export function importFields(kind: ImportKind, customFields: readonly CustomFieldDef[]): ImportField[] {
  const fields: ImportField[] = BUILT_IN[kind].map(({ key, label, type, required, choices }) => ({
    key,
    label,
    type,
    required,
    ...(choices ? { choices } : {}),
  }))
  for (const def of customFields) {
    if (def.entity !== ENTITY[kind]) continue
    fields.push({
      key: `cf.${def.id}`,
      label: def.label,
      type: CF_TYPE[def.type],
      required: def.required,
      ...(def.type === 'select' || def.type === 'multiselect' ? { choices: [...def.options] } : {}),
    })
  }
  return fields
}

/**
 * The automatic mapping: a column maps to the field whose key, label or a synonym it names (normalized), each field
 * at most once (the first column wins), else to `null`.
 */
export function suggestMapping(
  kind: ImportKind,
  columns: readonly string[],
  fields: readonly ImportField[],
): Record<string, string | null> {
  const byName = new Map<string, string>()
  const builtIns = new Map(BUILT_IN[kind].map((f) => [f.key, f]))
  // Keys and labels first, synonyms after: an exact name beats a synonym of another field.
  for (const field of fields) {
    for (const name of [field.key, field.label]) {
      const n = normalizeHeader(name)
      if (!byName.has(n)) byName.set(n, field.key)
    }
  }
  for (const field of fields) {
    for (const synonym of builtIns.get(field.key)?.synonyms ?? []) {
      const n = normalizeHeader(synonym)
      if (!byName.has(n)) byName.set(n, field.key)
    }
  }
  const taken = new Set<string>()
  const mapping: Record<string, string | null> = {}
  for (const column of columns) {
    const key = byName.get(normalizeHeader(column)) ?? null
    if (key !== null && !taken.has(key)) {
      taken.add(key)
      mapping[column] = key
    } else mapping[column] = null
  }
  return mapping
}

export interface FieldError {
  field: string
  message: string
}

/** A cell converted to its field's type, or the reason it does not fit, in plain words. */
export function convertCell(
  field: ImportField,
  raw: string,
): { value: CustomFieldValue | undefined } | { error: string } {
  const text = raw.trim()
  if (text === '') return { value: undefined }
  switch (field.type) {
    case 'number': {
      const cleaned = text.replace(/[\s\u00a0']/g, '')
      // "1,234.50", "1.234,50" and "1234,5" all read as numbers.
      const normalized =
        /^-?\d{1,3}(\.\d{3})+(,\d+)?$/.test(cleaned) || /^-?\d+,\d+$/.test(cleaned)
          ? cleaned.replace(/\./g, '').replace(',', '.')
          : cleaned.replace(/,/g, '')
      const n = Number(normalized)
      return Number.isFinite(n) && normalized !== ''
        ? { value: n }
        : { error: `${field.label} must be a number, not "${clip(text)}".` }
    }
    case 'boolean': {
      const t = text.toLowerCase()
      if (['yes', 'true', '1', 'y', 'x', 'ja', 'oui'].includes(t)) return { value: true }
      if (['no', 'false', '0', 'n', 'nein', 'non'].includes(t)) return { value: false }
      return { error: `${field.label} must be yes or no, not "${clip(text)}".` }
    }
    case 'select': {
      const choice = field.choices?.find((c) => c.toLowerCase() === text.toLowerCase())
      return choice !== undefined
        ? { value: choice }
        : {
            error: `${field.label} must be one of: ${(field.choices ?? []).join(', ')} — not "${clip(text)}".`,
          }
    }
    case 'multiselect': {
      const parts = text
        .split(/[;|]/)
        .map((p) => p.trim())
        .filter((p) => p !== '')
      const values: string[] = []
      for (const part of parts) {
        const choice = field.choices?.find((c) => c.toLowerCase() === part.toLowerCase())
        if (choice === undefined)
          return {
            error: `${field.label} must be choices from: ${(field.choices ?? []).join(', ')} — not "${clip(part)}".`,
          }
        if (!values.includes(choice)) values.push(choice)
      }
      return { value: values }
    }
    case 'date': {
      if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return { value: text }
      const dmy = /^(\d{1,2})[./](\d{1,2})[./](\d{4})$/.exec(text)
      if (dmy) return { value: `${dmy[3]}-${dmy[2]?.padStart(2, '0')}-${dmy[1]?.padStart(2, '0')}` }
      return { error: `${field.label} must be a date like 2026-03-31, not "${clip(text)}".` }
    }
    case 'email':
      return { value: text.toLowerCase() === text ? text : text }
    default:
      return { value: text }
  }
}

const clip = (text: string): string => (text.length > 60 ? `${text.slice(0, 57)}…` : text)

export interface MappedRow {
  /** The mapped values by field key (as converted), for the preview. */
  values: Record<string, CustomFieldValue>
  errors: FieldError[]
}

/** The row's cells by field key, converted; unmapped columns are ignored. */
export function mapRow(
  fields: ReadonlyMap<string, ImportField>,
  mapping: Readonly<Record<string, string | null>>,
  row: Readonly<Record<string, string>>,
): MappedRow {
  const values: Record<string, CustomFieldValue> = {}
  const errors: FieldError[] = []
  for (const [column, key] of Object.entries(mapping)) {
    if (key === null) continue
    const field = fields.get(key)
    if (!field) continue
    const converted = convertCell(field, row[column] ?? '')
    if ('error' in converted) errors.push({ field: key, message: converted.error })
    else if (converted.value !== undefined) values[key] = converted.value
  }
  return { values, errors }
}

const CREATE_SCHEMA: Record<ImportKind, z.ZodType> = {
  accounts: AccountCreate,
  contacts: ContactCreate,
  deals: DealCreate,
  tickets: TicketCreate,
}

/** A zod issue of a create schema in plain words, naming the field by its label. */
function plainIssue(kind: ImportKind, issue: z.core.$ZodIssue): FieldError {
  const key = typeof issue.path[0] === 'string' ? issue.path[0] : ''
  const field = BUILT_IN[kind].find((f) => f.key === key)
  const label = field?.label ?? key
  if (key === '') return { field: '', message: `${capitalize(issue.message)}.` }
  switch (issue.code) {
    case 'too_big':
      return { field: key, message: `${label} is too long (at most ${String(issue.maximum)} characters).` }
    case 'too_small':
      return { field: key, message: `${label} is required.` }
    case 'invalid_value':
      return { field: key, message: `${label} must be one of: ${(field?.choices ?? []).join(', ')}.` }
    case 'invalid_format':
      return {
        field: key,
        message:
          field?.type === 'email'
            ? `${label} is not an email address.`
            : `${label} is not in the right format.`,
      }
    default:
      return { field: key, message: `${label} is not valid.` }
  }
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1)

/**
 * Validates a create input against the kind's model schema and the workspace's custom fields: the input to write, or
 * the errors in plain words.
 */
export function validateCreate(
  kind: ImportKind,
  input: Record<string, unknown>,
  customFields: readonly CustomFieldDef[],
  memberIds?: ReadonlySet<string>,
): { input: Record<string, unknown>; errors: FieldError[] } {
  const errors: FieldError[] = []
  const parsed = CREATE_SCHEMA[kind].safeParse(input)
  if (!parsed.success) for (const issue of parsed.error.issues) errors.push(plainIssue(kind, issue))
  const values = (input.customFields ?? {}) as Record<string, CustomFieldValue>
  for (const problem of customFieldProblems(customFields, ENTITY[kind], values, {
    required: 'all',
    memberIds,
  }))
    errors.push({ field: `cf.${problem.fieldId}`, message: problem.message })
  return { input, errors }
}

/** Validates a patch (the update policy): only the given fields, custom fields `required: 'given'`. */
export function validatePatch(
  kind: ImportKind,
  patch: Record<string, unknown>,
  patchSchema: z.ZodType,
  customFields: readonly CustomFieldDef[],
  memberIds?: ReadonlySet<string>,
): FieldError[] {
  const errors: FieldError[] = []
  const parsed = patchSchema.safeParse(patch)
  if (!parsed.success) for (const issue of parsed.error.issues) errors.push(plainIssue(kind, issue))
  const values = (patch.customFields ?? {}) as Record<string, CustomFieldValue>
  for (const problem of customFieldProblems(customFields, ENTITY[kind], values, {
    required: 'given',
    memberIds,
  }))
    errors.push({ field: `cf.${problem.fieldId}`, message: problem.message })
  return errors
}
