import type { Activity, ActivitySubject } from '@rapport/model'
import { fieldLabel } from './fieldLabels.ts'

/** Names and formats the sentence needs; every lookup may answer null (unknown or removed). */
export interface SentenceContext {
  memberName(userId: string): string | null
  contactName?(id: string): string | null
  dealTitle?(id: string): string | null
  stageName?(id: string): string | null
  /** The currency of a deal's amount (ISO code), when known. */
  currencyOf?(subject: ActivitySubject): string | null
  /** BCP 47 locale and IANA time zone of dates (tests pin them). */
  locale?: string
  timeZone?: string
}

export interface TimelineParts {
  /** Who: a member's name, "A former member", or "Rapport" for the system. */
  actor: string
  /** The rest of the sentence, starting with the verb. */
  predicate: string
}

const USER_FIELDS = new Set(['ownerId', 'assigneeId', 'toUserId', 'fromUserId'])
const DATE_FIELDS = new Set(['dueDate', 'expectedCloseDate'])
const ENUM_FIELDS = new Set(['status', 'priority', 'tier', 'leadStatus', 'source', 'team', 'size', 'toTeam'])
const QUOTE_MAX = 60
const KIND_WORD: Record<string, string> = {
  account: 'account',
  contact: 'contact',
  deal: 'deal',
  ticket: 'ticket',
  task: 'task',
  handoff: 'handoff',
  notes: 'notes',
}

const sentenceCase = (text: string): string => (text ? text[0]?.toUpperCase() + text.slice(1) : text)
const quote = (text: string): string =>
  `“${text.length > QUOTE_MAX ? `${text.slice(0, QUOTE_MAX).trimEnd()}…` : text}”`

function formatDate(value: string, ctx: SentenceContext): string {
  const date = new Date(`${value}T00:00:00Z`)
  if (Number.isNaN(date.getTime())) return value
  return new Intl.DateTimeFormat(ctx.locale ?? 'en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(date)
}

export function formatMoment(at: number, ctx: Pick<SentenceContext, 'locale' | 'timeZone'>): string {
  return new Intl.DateTimeFormat(ctx.locale ?? 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: ctx.timeZone,
  }).format(new Date(at))
}

export function formatDuration(mins: number): string {
  if (mins < 60) return `${mins} min`
  const h = Math.floor(mins / 60)
  const m = mins % 60
  return m === 0 ? `${h} h` : `${h} h ${m} min`
}

function listWords(items: string[]): string {
  if (items.length <= 1) return items.join('')
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`
}

const member = (id: string, ctx: SentenceContext): string => ctx.memberName(id) ?? 'a former member'

/** One field value in words: names for ids, formatted amounts and dates, sentence-cased choices, quoted text. */
export function formatValue(
  field: string,
  value: unknown,
  ctx: SentenceContext,
  subject?: ActivitySubject,
): string {
  if (value === null || value === undefined || value === '') return 'nothing'
  if (USER_FIELDS.has(field) && typeof value === 'string') return member(value, ctx)
  if (field === 'contactId' && typeof value === 'string') return ctx.contactName?.(value) ?? 'a contact'
  if (field === 'contactIds' && Array.isArray(value))
    return value.length === 0
      ? 'nobody'
      : listWords(value.map((id) => ctx.contactName?.(String(id)) ?? 'a contact'))
  if (field === 'dealId' && typeof value === 'string') return quote(ctx.dealTitle?.(value) ?? 'a deal')
  if (field === 'stage' && typeof value === 'string') return ctx.stageName?.(value) ?? 'a removed stage'
  if (field === 'amount' && typeof value === 'number') {
    const currency = subject ? ctx.currencyOf?.(subject) : null
    const locale = ctx.locale ?? 'en-GB'
    return currency
      ? new Intl.NumberFormat(locale, { style: 'currency', currency, maximumFractionDigits: 2 }).format(value)
      : new Intl.NumberFormat(locale, { maximumFractionDigits: 2 }).format(value)
  }
  if (DATE_FIELDS.has(field) && typeof value === 'string') return formatDate(value, ctx)
  if (field.endsWith('At') && typeof value === 'number') return formatMoment(value, ctx)
  if (typeof value === 'boolean') {
    if (field === 'done') return value ? 'done' : 'not done'
    if (field === 'archived') return value ? 'archived' : 'active'
    return value ? 'yes' : 'no'
  }
  if (ENUM_FIELDS.has(field) && typeof value === 'string') return sentenceCase(value.replace(/[_-]/g, ' '))
  if (typeof value === 'number') return new Intl.NumberFormat(ctx.locale ?? 'en-GB').format(value)
  if (typeof value === 'string') return quote(value)
  if (Array.isArray(value)) return value.length === 1 ? '1 item' : `${value.length} items`
  return 'new values'
}

/** The record's title from the server's text (`changed a, b of <title>`, `created deal <title>`), if it says. */
function titleFrom(activity: Activity): string | null {
  const fields = activity.changes.map((c) => c.label ?? c.field).join(', ')
  const changed = `changed ${fields} of `
  if (activity.text.startsWith(changed)) return activity.text.slice(changed.length) || null
  const made = /^(?:created|deleted) \w+ (.+)$/s.exec(activity.text)
  return made?.[1] ?? null
}

/** " on deal “Renewal”" for a change of a record other than the account itself. */
function onSubject(activity: Activity, ctx: SentenceContext): string {
  const { kind, id } = activity.subject
  if (kind === 'account' || kind === 'notes') return ''
  const title =
    (kind === 'deal' ? ctx.dealTitle?.(id) : kind === 'contact' ? ctx.contactName?.(id) : null) ??
    titleFrom(activity)
  return title ? ` on ${KIND_WORD[kind]} ${quote(title)}` : ` on a ${KIND_WORD[kind]}`
}

function loggedPredicate(activity: Activity, ctx: SentenceContext): string {
  const article = activity.type === 'email' ? 'an' : 'a'
  const details = activity.details
  let predicate = `logged ${article} ${activity.type}`
  if (details && details.contactIds.length > 0)
    predicate += ` with ${listWords(details.contactIds.map((id) => ctx.contactName?.(id) ?? 'a contact'))}`
  if (details?.durationMins) predicate += ` (${formatDuration(details.durationMins)})`
  if (details?.dealId) predicate += ` about deal ${quote(ctx.dealTitle?.(details.dealId) ?? 'a deal')}`
  return activity.text.trim() ? `${predicate}: ${activity.text.trim()}` : predicate
}

/**
 * A timeline entry as a sentence in plain words: "Sam Sales changed Amount from €20,000 to €25,000", "Riley
 * Support logged a call with Jo Smith (15 min): Left a voicemail". Never shows field keys or ids.
 */
export function timelineParts(activity: Activity, ctx: SentenceContext): TimelineParts {
  const actor =
    activity.actorId === null ? 'Rapport' : (ctx.memberName(activity.actorId) ?? 'A former member')
  const value = (field: string, v: unknown) => formatValue(field, v, ctx, activity.subject)
  switch (activity.type) {
    case 'call':
    case 'email':
    case 'meeting':
      return { actor, predicate: loggedPredicate(activity, ctx) }
    case 'stage_change': {
      const change = activity.changes.find((c) => c.field === 'stage')
      if (!change) return { actor, predicate: activity.text }
      const title =
        ctx.dealTitle?.(activity.subject.id) ??
        titleFrom(activity) ??
        /^moved (.+) from /s.exec(activity.text)?.[1]
      const stage = (id: unknown) => (typeof id === 'string' ? (ctx.stageName?.(id) ?? null) : null)
      const from = stage(change.before)
      const to = stage(change.after)
      if (!from || !to) return { actor, predicate: activity.text }
      return { actor, predicate: `moved deal ${quote(title ?? 'a deal')} from ${from} to ${to}` }
    }
    case 'field_change': {
      if (activity.changes.length === 0) {
        const made = /^(created|deleted) (\w+) /.exec(activity.text)
        const title = titleFrom(activity)
        if (made && title) return { actor, predicate: `${made[1]} ${made[2]} ${quote(title)}` }
        return { actor, predicate: activity.text }
      }
      const kind = activity.subject.kind
      // A custom field change carries its label (the field is `cf:<fieldId>`).
      const named = (c: (typeof activity.changes)[number]) => c.label ?? fieldLabel(c.field, kind)
      const lost = activity.changes.filter((c) => c.overruledBy)
      if (lost.length > 0) {
        const parts = lost.map((c) => {
          const by = c.overruledBy
          const who = by?.actorId ? member(by.actorId, ctx) : 'someone else'
          return `set ${named(c)} to ${value(c.field, c.after)} at the same time as ${who} set it to ${value(c.field, by?.value)}, which was kept`
        })
        return { actor, predicate: `${listWords(parts)}${onSubject(activity, ctx)}` }
      }
      const parts = activity.changes.map((c) =>
        c.before === undefined || c.before === null || c.before === ''
          ? `set ${named(c)} to ${value(c.field, c.after)}`
          : c.after === undefined || c.after === null || c.after === ''
            ? `cleared ${named(c)} (was ${value(c.field, c.before)})`
            : `changed ${named(c)} from ${value(c.field, c.before)} to ${value(c.field, c.after)}`,
      )
      return { actor, predicate: `${listWords(parts)}${onSubject(activity, ctx)}` }
    }
    default:
      return { actor, predicate: activity.text.trim() || 'made a change' }
  }
}

/** `timelineParts` as one string. */
export function timelineSentence(activity: Activity, ctx: SentenceContext): string {
  const { actor, predicate } = timelineParts(activity, ctx)
  return `${actor} ${predicate}`
}
