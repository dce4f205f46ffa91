import type { Pipeline } from '@rapport/model'
import type { AccountDealRef } from './activityApi.ts'
import type { ContactOption } from './LogActivityForm.tsx'
import type { SentenceContext } from './timelineSentence.ts'

/**
 * The names a timeline's sentences need, from what the page has loaded: members, the account's contacts and deals
 * (a deal's currency for amounts) and, when given, the pipelines' stage names.
 */
export function timelineContext({
  memberOf,
  contacts,
  deals,
  pipelines,
}: {
  memberOf: (userId: string) => { name: string } | null
  contacts: readonly ContactOption[]
  deals: readonly AccountDealRef[]
  pipelines?: readonly Pipeline[]
}): SentenceContext {
  const contactNames = new Map(contacts.map((c) => [c.id, c.name]))
  const dealsById = new Map(deals.map((d) => [d.id, d]))
  const ctx: SentenceContext = {
    memberName: (id) => memberOf(id)?.name ?? null,
    contactName: (id) => contactNames.get(id) ?? null,
    dealTitle: (id) => dealsById.get(id)?.title ?? null,
    currencyOf: (subject) => (subject.kind === 'deal' ? (dealsById.get(subject.id)?.currency ?? null) : null),
  }
  if (!pipelines) return ctx
  const stages = new Map(pipelines.flatMap((p) => p.stages.map((s) => [s.id, s.name] as const)))
  return { ...ctx, stageName: (id) => stages.get(id) ?? null }
}
