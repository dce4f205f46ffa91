/**
 * What a V8 CPU profile (`--cpu-prof`) shows inside given time windows: the samples whose timestamp falls in one of
 * `windows` ([from, to] in µs of the monotonic clock — `process.hrtime` — which is the profile's own time base),
 * summed by the outermost function of apps/server/src on the stack (which hook, timer or job the work came from) and
 * by self time. Idle samples count as "(idle)". Used by tailProfile.ts (the slowest latency rounds) and
 * importProfileWindows.ts (the import's turns that held the event loop).
 */
import { readFileSync } from 'node:fs'

export type ProfileNode = {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
export type CpuProfile = {
  nodes: ProfileNode[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

export const readProfile = (file: string): CpuProfile => JSON.parse(readFileSync(file, 'utf8')) as CpuProfile

/** A short name for a frame's script: `src/…` (apps/server/src), `npm:<package>`, `node:…` or `(native)`. */
export function shortFile(url: string): string {
  const i = url.indexOf('/apps/server/src/')
  if (i >= 0) return `src/${url.slice(i + '/apps/server/src/'.length)}`
  const m = url.match(/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/)
  if (m?.[1]) return `npm:${m[1]}`
  if (url.startsWith('node:')) return url
  return url === '' ? '(native)' : url.split('/').slice(-2).join('/')
}

export interface WindowBreakdown {
  /** µs of samples inside the windows. */
  totalUs: number
  /** µs by the outermost apps/server/src function on the stack. */
  outermost: Map<string, number>
  /** µs by the sampled function itself. */
  self: Map<string, number>
  /** µs by the outermost function, then the sampled function (what ran inside each hook, timer or job). */
  selfByOutermost: Map<string, Map<string, number>>
}

/** A profile's nodes by id and each node's parent: the stack of a sample is its node and the parents up. */
export interface ProfileTree {
  byId: Map<number, ProfileNode>
  parent: Map<number, number>
}

export function profileTree(profile: CpuProfile): ProfileTree {
  const parent = new Map<number, number>()
  const byId = new Map<number, ProfileNode>()
  for (const node of profile.nodes) {
    byId.set(node.id, node)
    for (const child of node.children ?? []) parent.set(child, node.id)
  }
  return { byId, parent }
}

/** "name file:line" of a node (its function as the breakdowns name it). */
export function frameLabel(node: ProfileNode | undefined): string {
  const frame = node?.callFrame
  return frame ? `${frame.functionName || '(anon)'} ${shortFile(frame.url)}:${frame.lineNumber + 1}` : '?'
}

/** Calls `visit` with every sample inside one of `windows` (µs of the profile's clock): its node and duration (µs). */
export function eachSampleInWindows(
  profile: CpuProfile,
  windows: ReadonlyArray<[number, number]>,
  visit: (node: ProfileNode, dt: number) => void,
  tree: ProfileTree = profileTree(profile),
): void {
  const sorted = [...windows].sort((a, b) => a[0] - b[0])
  let time = profile.startTime
  let k = 0
  for (let i = 0; i < profile.samples.length; i++) {
    time += profile.timeDeltas[i] ?? 0
    while (k < sorted.length && (sorted[k]?.[1] ?? 0) < time) k++
    const window = sorted[k]
    if (!window || time < window[0]) continue
    const node = tree.byId.get(profile.samples[i] ?? 0)
    if (node) visit(node, profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0)
  }
}

export function profileInWindows(
  profile: CpuProfile,
  windows: ReadonlyArray<[number, number]>,
): WindowBreakdown {
  const tree = profileTree(profile)
  const outermost = new Map<string, number>()
  const self = new Map<string, number>()
  const selfByOutermost = new Map<string, Map<string, number>>()
  let totalUs = 0
  eachSampleInWindows(
    profile,
    windows,
    (node, dt) => {
      totalUs += dt
      const selfKey = frameLabel(node)
      self.set(selfKey, (self.get(selfKey) ?? 0) + dt)
      let outer = node.callFrame.functionName === '(idle)' ? '(idle)' : '(no Rapport frame)'
      for (let n: number | undefined = node.id; n !== undefined; n = tree.parent.get(n)) {
        const frame = tree.byId.get(n)?.callFrame
        if (!frame) continue
        const file = shortFile(frame.url)
        if (file.startsWith('src/'))
          outer = `${frame.functionName || '(anon)'} ${file}:${frame.lineNumber + 1}`
      }
      outermost.set(outer, (outermost.get(outer) ?? 0) + dt)
      const inner = selfByOutermost.get(outer) ?? new Map<string, number>()
      inner.set(selfKey, (inner.get(selfKey) ?? 0) + dt)
      selfByOutermost.set(outer, inner)
    },
    tree,
  )
  return { totalUs, outermost, self, selfByOutermost }
}

/** The largest `top` entries of a breakdown map, as lines of ms. */
export function topLines(map: ReadonlyMap<string, number>, top: number): string[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([key, us]) => `${(us / 1000).toFixed(2).padStart(8)}  ${key}`)
}
