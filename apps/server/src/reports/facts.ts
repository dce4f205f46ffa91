import type { CurrencySettings, Pipeline, Team } from '@rapport/model'
import type { ActivityFact, HandoffFact, StageChange } from '../recordIndex/RecordIndex.ts'

/*
 * What the report figures read (issue #13): compact facts of the workspace's non-archived records and the index's
 * report facts. The figures (figures.ts) are pure functions of these and a context; the facts come from the record
 * index (ReportService.ts) — and, in the property test, straight from the documents (the oracle).
 */

export interface DealFact {
  id: string
  title: string
  pipelineId: string
  stage: string
  status: 'open' | 'won' | 'lost'
  amount: number
  currency: string
  ownerId: string | null
  accountId: string | null
  contactIds: string[]
  createdAt: number
  /** When the deal entered its stage: the close time of a won or lost deal. */
  stageEnteredAt: number
  /** `YYYY-MM-DD` or null. */
  expectedCloseDate: string | null
  lostReason: string | null
}

export interface TicketFact {
  id: string
  subject: string
  status: 'new' | 'open' | 'waiting' | 'resolved'
  priority: 'low' | 'normal' | 'high' | 'urgent'
  assigneeId: string | null
  accountId: string | null
  createdAt: number
  firstResponseAt: number | null
  resolvedAt: number | null
  slaDueAt: number | null
  csat: number | null
}

export interface AccountFact {
  id: string
  name: string
  tier: string
  industry: string
  ownerId: string | null
  createdAt: number
}

export interface ContactFact {
  id: string
  name: string
  source: string
  leadStatus: string
  ownerId: string | null
  createdAt: number
}

export interface ReportFacts {
  deals: DealFact[]
  tickets: TicketFact[]
  accounts: AccountFact[]
  contacts: ContactFact[]
  stageHistory: StageChange[]
  handoffs: HandoffFact[]
  activities: ActivityFact[]
}

export type FactSet = keyof ReportFacts

export const PERIODS = ['month', 'quarter', 'year', 'all', 'custom'] as const
export type Period = (typeof PERIODS)[number]

/** Filters as applied: the period resolved to calendar days (UTC), `from`/`to` inclusive, null for `all`. */
export interface AppliedFilters {
  period: Period
  from: string | null
  to: string | null
  pipelineId: string | null
  ownerId: string | null
  team: Team | null
}

export interface ReportMember {
  userId: string
  name: string
  team: Team | null
}

export interface ReportContext {
  filters: AppliedFilters
  pipelines: readonly Pipeline[]
  /** The workspace's currency settings when it has rates (amounts converted), else null (per currency). */
  currency: CurrencySettings | null
  members: readonly ReportMember[]
  now: number
}
