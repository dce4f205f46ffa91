/**
 * What held the event loop during an import (not part of `pnpm bench`): reads the `--cpu-prof` profile and the long
 * turns importProfile.ts wrote to GAPS_FILE (its turns that held the main thread's CPU over 5 ms) and prints what ran
 * inside them, by the outermost Rapport function and by self time.
 *
 *   cd tests && GAPS_FILE=/tmp/gaps.json IMPORT_ROWS=20000 node --cpu-prof --cpu-prof-dir=/tmp/prof \
 *     --import tsx bench/importProfile.ts && npx tsx bench/importProfileWindows.ts /tmp/prof/<main>.cpuprofile /tmp/gaps.json
 */
import { readFileSync } from 'node:fs'
import { profileInWindows, readProfile, topLines } from './lib/profileWindows.ts'

const [profileFile, gapsFile] = process.argv.slice(2)
if (!profileFile || !gapsFile)
  throw new Error('usage: importProfileWindows.ts <profile.cpuprofile> <gaps.json>')
const windows = JSON.parse(readFileSync(gapsFile, 'utf8')) as Array<[number, number]>
const inside = profileInWindows(readProfile(profileFile), windows)
console.log(
  `${windows.length} turns over 5 ms, ${(inside.totalUs / 1000).toFixed(0)} ms of samples in them; by the outermost Rapport function (ms):`,
)
for (const line of topLines(inside.outermost, 25)) console.log(line)
console.log('\n… by self time (ms):')
for (const line of topLines(inside.self, 35)) console.log(line)
