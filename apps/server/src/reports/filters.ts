import { idString, TEAMS, type Team } from '@rapport/model'
import { z } from 'zod'
import { badRequest } from '../errors.ts'
import type { AppliedFilters, Period, ReportMember } from './facts.ts'
import { PERIODS } from './facts.ts'

/*
 * Report filters (docs/schema.md "Reports"): `period` month | quarter | year | all | custom (with `from` and `to`,
 * YYYY-MM-DD, inclusive), `pipelineId`, `ownerId`, `team`. Workspaces have no time zone setting: periods, months and
 * weeks are calendar days in UTC.
 */

const DAY = /^\d{4}-\d{2}-\d{2}$/
const day = z
  .string()
  .regex(DAY, 'must be a date YYYY-MM-DD')
  .refine((s) => isDay(s), 'is not a calendar date')

export const ReportQuery = z.object({
  period: z.enum(PERIODS).default('all'),
  from: day.optional(),
  to: day.optional(),
  pipelineId: idString.optional(),
  ownerId: idString.optional(),
  team: z.enum(TEAMS).optional(),
  format: z.enum(['json', 'csv']).default('json'),
})
export type ReportQuery = z.infer<typeof ReportQuery>

export const DrillQuery = ReportQuery.omit({ format: true }).extend({
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(200).default(50),
})
export type DrillQuery = z.infer<typeof DrillQuery>

function isDay(s: string): boolean {
  const t = Date.parse(`${s}T00:00:00Z`)
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === s
}

/** `YYYY-MM-DD` of a time (UTC). */
export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10)
/** `YYYY-MM` of a time (UTC). */
export const monthOf = (ms: number): string => new Date(ms).toISOString().slice(0, 7)
/** The Monday (`YYYY-MM-DD`, UTC) of the ISO week of a time. */
export function weekOf(ms: number): string {
  const d = new Date(ms)
  const dow = (d.getUTCDay() + 6) % 7
  return dayOf(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - dow))
}

/** The period's first and last day (inclusive), null for `all`. */
export function resolvePeriod(
  period: Period,
  now: number,
  from?: string,
  to?: string,
): { from: string | null; to: string | null } {
  const d = new Date(now)
  const y = d.getUTCFullYear()
  const m = d.getUTCMonth()
  const span = (start: number, months: number) => ({
    from: dayOf(Date.UTC(y, start, 1)),
    to: dayOf(Date.UTC(y, start + months, 0)),
  })
  if (period !== 'custom' && (from !== undefined || to !== undefined))
    throw badRequest('from and to are only given with period=custom.', 'invalid_input')
  switch (period) {
    case 'all':
      return { from: null, to: null }
    case 'month':
      return span(m, 1)
    case 'quarter':
      return span(m - (m % 3), 3)
    case 'year':
      return span(0, 12)
    case 'custom': {
      if (from === undefined || to === undefined)
        throw badRequest('period=custom needs both from and to (YYYY-MM-DD).', 'invalid_input')
      if (from > to) throw badRequest(`from (${from}) is after to (${to}).`, 'invalid_input')
      return { from, to }
    }
  }
}

/** The applied filters of a parsed query (the pipeline must exist: checked by the caller, who knows them). */
export function applyFilters(query: Omit<ReportQuery, 'format'>, now: number): AppliedFilters {
  const { from, to } = resolvePeriod(query.period, now, query.from, query.to)
  return {
    period: query.period,
    from,
    to,
    pipelineId: query.pipelineId ?? null,
    ownerId: query.ownerId ?? null,
    team: (query.team ?? null) as Team | null,
  }
}

/** Whether a time falls in the filters' period (days inclusive, UTC). */
export function inPeriod(filters: AppliedFilters, ms: number | null | undefined): boolean {
  if (ms === null || ms === undefined) return false
  if (filters.from === null || filters.to === null) return true
  const d = dayOf(ms)
  return d >= filters.from && d <= filters.to
}

/** Whether a `YYYY-MM-DD` date falls in the period. */
export function dayInPeriod(filters: AppliedFilters, date: string | null): boolean {
  if (date === null) return false
  if (filters.from === null || filters.to === null) return true
  return date >= filters.from && date <= filters.to
}

/**
 * The user ids the owner/team filters admit (`ownerId` and the members of `team`, both when both are given), or null
 * when neither is given. A record without an owner passes only when there is no such filter.
 */
export function ownerSet(filters: AppliedFilters, members: readonly ReportMember[]): Set<string> | null {
  if (filters.ownerId === null && filters.team === null) return null
  let ids =
    filters.team === null
      ? null
      : new Set(members.filter((m) => m.team === filters.team).map((m) => m.userId))
  if (filters.ownerId !== null)
    ids = ids === null || ids.has(filters.ownerId) ? new Set([filters.ownerId]) : new Set()
  return ids ?? new Set()
}
