/**
 * Who called a function inside the slowest rounds (not part of `pnpm bench`): reads a profile and rounds kept by
 * importTail.ts (`IMPORT_KEEP_PROFILE=1`) and prints, for samples whose own function matches `PROFILE_MATCH` (a
 * regular expression on "name file:line"), the `PROFILE_DEPTH` (default 8) innermost frames of their stacks, by time.
 *
 *   PROFILE_MATCH='executeQuery' npx tsx bench/profileCallers.ts <profile> <rounds.json>
 */
import { readFileSync } from 'node:fs'
import { eachSampleInWindows, frameLabel, profileTree, readProfile, topLines } from './lib/profileWindows.ts'

const [profileFile, roundsFile] = process.argv.slice(2)
if (!profileFile || !roundsFile) throw new Error('usage: profileCallers.ts <profile> <rounds.json>')
const match = new RegExp(process.env.PROFILE_MATCH ?? '.')
const depth = Number(process.env.PROFILE_DEPTH ?? 8)
const profile = readProfile(profileFile)
const windows = JSON.parse(readFileSync(roundsFile, 'utf8')) as Array<[number, number]>
const tree = profileTree(profile)
const stacks = new Map<string, number>()
eachSampleInWindows(
  profile,
  windows,
  (node, dt) => {
    if (!match.test(frameLabel(node))) return
    const frames: string[] = []
    for (
      let n: number | undefined = node.id;
      n !== undefined && frames.length < depth;
      n = tree.parent.get(n)
    )
      frames.push(frameLabel(tree.byId.get(n)))
    const key = frames.join('  ←  ')
    stacks.set(key, (stacks.get(key) ?? 0) + dt)
  },
  tree,
)
for (const line of topLines(stacks, 15)) console.log(line)
