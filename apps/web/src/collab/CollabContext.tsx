import { createContext, type ReactNode, useContext } from 'react'
import type { DocRegistry } from './DocRegistry.ts'

export interface CollabMember {
  userId: string
  workspaceId: string
  role: 'admin' | 'sales' | 'support' | 'viewer'
}

export interface CollabContextValue {
  registry: DocRegistry
  member: CollabMember
}

const Ctx = createContext<CollabContextValue | null>(null)

export function CollabProvider({ value, children }: { value: CollabContextValue; children: ReactNode }) {
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>
}

export function useCollab(): CollabContextValue {
  const value = useContext(Ctx)
  if (!value) throw new Error('useCollab() outside <CollabProvider>')
  return value
}
