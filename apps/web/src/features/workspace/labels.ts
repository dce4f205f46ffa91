import type { Role, Team } from '@rapport/model'

/** Sentence-case labels for roles and teams, shown in selects and tables. */
export const ROLE_LABEL: Record<Role, string> = {
  admin: 'Admin',
  sales: 'Sales',
  support: 'Support',
  viewer: 'Viewer (read only)',
}
export const TEAM_LABEL: Record<Team, string> = { sales: 'Sales', support: 'Support', success: 'Success' }

/** `2026-12-04 18:40` in the browser's time zone; `Never` for null. */
export function formatWhen(ms: number | null): string {
  if (ms === null) return 'Never'
  const d = new Date(ms)
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`
}
