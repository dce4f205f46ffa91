import { z } from 'zod'
import { idString } from '../ids.ts'
import { Role, Team } from '../roles.ts'
import { userId } from './recordBase.ts'

/** A user's membership of a workspace. Stored by the server (metadata store), not in a Yjs document. */
export const Member = z.object({
  userId,
  workspaceId: idString,
  role: Role,
  name: z.string().trim().min(1).max(200),
  email: z.email().max(320),
  team: Team.nullable(),
  color: z.string().regex(/^#[0-9a-f]{6}$/i, 'expected #rrggbb'),
})
export type Member = z.infer<typeof Member>

const PALETTE = ['#e11d48', '#d97706', '#16a34a', '#0891b2', '#2563eb', '#7c3aed', '#c026d3', '#0d9488']

/** A stable caret/presence colour for a user id. */
export function colorForUser(id: string): string {
  let hash = 0
  for (let i = 0; i < id.length; i++) hash = (hash * 31 + id.charCodeAt(i)) >>> 0
  return PALETTE[hash % PALETTE.length] ?? '#2563eb'
}
