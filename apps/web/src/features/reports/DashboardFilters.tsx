import { TEAMS } from '@rapport/model'
import { useDoc } from '../../collab/useDoc.ts'
import { useSession } from '../auth/SessionContext.tsx'
import { useWorkspaceSettings } from '../pipeline/useWorkspaceSettings.ts'
import { PERIODS, type Period, type ReportFilters } from './reportsApi.ts'

const PERIOD_LABEL: Record<Period, string> = {
  month: 'This month',
  quarter: 'This quarter',
  year: 'This year',
  all: 'All time',
  custom: 'Custom…',
}

/** Period, pipeline, owner and team: applied to every widget of the dashboard. */
export function DashboardFilters({
  filters,
  onChange,
}: {
  filters: ReportFilters
  onChange: (next: ReportFilters) => void
}) {
  const { session } = useSession()
  const ws = useDoc({ workspaceId: session.workspace.id, kind: 'workspace' })
  const settings = useWorkspaceSettings(ws.ready ? ws.doc : null)
  const set = (patch: Partial<ReportFilters>) => onChange({ ...filters, ...patch })
  const orNull = (value: string) => (value === '' ? null : value)
  return (
    <div className="dash-filters" data-testid="dashboard-filters">
      <label className="dash-filter">
        <span>Period</span>
        <select
          value={filters.period}
          onChange={(e) => set({ period: e.target.value as Period })}
          data-testid="filter-period"
        >
          {PERIODS.map((p) => (
            <option key={p} value={p}>
              {PERIOD_LABEL[p]}
            </option>
          ))}
        </select>
      </label>
      {filters.period === 'custom' && (
        <>
          <label className="dash-filter">
            <span>From</span>
            <input
              type="date"
              value={filters.from}
              onChange={(e) => set({ from: e.target.value })}
              data-testid="filter-from"
            />
          </label>
          <label className="dash-filter">
            <span>To</span>
            <input
              type="date"
              value={filters.to}
              onChange={(e) => set({ to: e.target.value })}
              data-testid="filter-to"
            />
          </label>
        </>
      )}
      <label className="dash-filter">
        <span>Pipeline</span>
        <select
          value={filters.pipelineId ?? ''}
          onChange={(e) => set({ pipelineId: orNull(e.target.value) })}
          data-testid="filter-pipeline"
        >
          <option value="">All pipelines</option>
          {(settings?.pipelines ?? []).map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <label className="dash-filter">
        <span>Owner</span>
        <select
          value={filters.ownerId ?? ''}
          onChange={(e) => set({ ownerId: orNull(e.target.value) })}
          data-testid="filter-owner"
        >
          <option value="">Everyone</option>
          {session.members.map((m) => (
            <option key={m.userId} value={m.userId}>
              {m.name}
            </option>
          ))}
        </select>
      </label>
      <label className="dash-filter">
        <span>Team</span>
        <select
          value={filters.team ?? ''}
          onChange={(e) => set({ team: orNull(e.target.value) })}
          data-testid="filter-team"
        >
          <option value="">All teams</option>
          {TEAMS.map((t) => (
            <option key={t} value={t}>
              {t[0]?.toUpperCase()}
              {t.slice(1)}
            </option>
          ))}
        </select>
      </label>
    </div>
  )
}
