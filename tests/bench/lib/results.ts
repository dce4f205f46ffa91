import type { BigWorkspaceResult } from '../bigWorkspace.ts'
import type { BrowserResult } from '../browser.ts'
import type { LatencyResult } from '../latency.ts'
import type { ThroughputResult } from '../throughput.ts'

export type MachineInfo = {
  cpu: string
  cores: number
  memoryGiB: number
  node: string
  platform: string
  versions: Record<string, string>
}

export type ServerRun = {
  server: string
  startMs: number | null
  latency: LatencyResult[]
  throughput: ThroughputResult[]
  error: string | null
}

export type BenchResults = {
  startedAt: string
  finishedAt: string
  quick: boolean
  machine: MachineInfo
  servers: ServerRun[]
  bigWorkspace: (BigWorkspaceResult & { error?: string }) | null
  browser: BrowserResult | { error: string } | null
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]?.slice(0, 300) || error.name : String(error)
}
