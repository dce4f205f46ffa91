/**
 * Who called a function inside the slowest rounds (not part of `pnpm bench`): reads a profile and rounds kept by
 * importTail.ts (`IMPORT_KEEP_PROFILE=1`) and prints, for samples whose own function matches `PROFILE_MATCH` (a
 * regular expression on "name file:line"), the `PROFILE_DEPTH` (default 8) innermost frames of their stacks, by time.
 *
 *   PROFILE_MATCH='executeQuery' npx tsx bench/profileCallers.ts <profile> <rounds.json>
 */
import { readFileSync } from 'node:fs'
import { readProfile, shortFile, topLines } from './lib/profileWindows.ts'

const [profileFile, roundsFile] = process.argv.slice(2)
if (!profileFile || !roundsFile) throw new Error('usage: profileCallers.ts <profile> <rounds.json>')
const match = new RegExp(process.env.PROFILE_MATCH ?? '.')
const depth = Number(process.env.PROFILE_DEPTH ?? 8)
const profile = readProfile(profileFile)
const windows = (JSON.parse(readFileSync(roundsFile, 'utf8')) as Array<[number, number]>).sort(
  (a, b) => a[0] - b[0],
)
const parent = new Map<number, number>()
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
const label = (id: number): string => {
  const f = byId.get(id)?.callFrame
  return f ? `${f.functionName || '(anon)'} ${shortFile(f.url)}:${f.lineNumber + 1}` : '?'
}
const stacks = new Map<string, number>()
let time = profile.startTime
let k = 0
for (let i = 0; i < profile.samples.length; i++) {
  time += profile.timeDeltas[i] ?? 0
  while (k < windows.length && (windows[k]?.[1] ?? 0) < time) k++
  const window = windows[k]
  if (!window || time < window[0]) continue
  const id = profile.samples[i] ?? 0
  if (!match.test(label(id))) continue
  const frames: string[] = []
  for (let n: number | undefined = id; n !== undefined && frames.length < depth; n = parent.get(n))
    frames.push(label(n))
  const key = frames.join('  ←  ')
  stacks.set(key, (stacks.get(key) ?? 0) + (profile.timeDeltas[i + 1] ?? 0))
}
for (const line of topLines(stacks, 15)) console.log(line)
