import { z } from 'zod'

export const ROLES = ['admin', 'sales', 'support', 'viewer'] as const
export const Role = z.enum(ROLES)
export type Role = z.infer<typeof Role>

export const TEAMS = ['sales', 'support', 'success'] as const
export const Team = z.enum(TEAMS)
export type Team = z.infer<typeof Team>
