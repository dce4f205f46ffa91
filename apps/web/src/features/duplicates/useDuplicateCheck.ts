import { useEffect, useState } from 'react'
import { type DuplicateKind, type DuplicateMatch, duplicatesApi } from './duplicatesApi.ts'

/** One check per pause in typing. */
const CHECK_DELAY_MS = 300

/** Whether a draft has enough in it to look for look-alikes (a name part, an email or a domain). */
export function worthChecking(record: Readonly<Record<string, unknown>>): boolean {
  return ['name', 'firstName', 'lastName', 'email', 'domain', 'website', 'phone'].some((k) => {
    const v = record[k]
    return typeof v === 'string' && v.trim().length >= 2
  })
}

/** The existing records a draft looks like (`POST /api/duplicates/check`), checked while the user types. */
export function useDuplicateCheck(
  kind: DuplicateKind,
  record: Readonly<Record<string, unknown>>,
): DuplicateMatch[] {
  const [matches, setMatches] = useState<DuplicateMatch[]>([])
  const key = JSON.stringify(record)
  // biome-ignore lint/correctness/useExhaustiveDependencies: the draft is compared by its JSON
  useEffect(() => {
    if (!worthChecking(record)) {
      setMatches([])
      return
    }
    let cancelled = false
    const timer = setTimeout(() => {
      duplicatesApi.check(kind, record).then(
        (m) => !cancelled && setMatches(m),
        // The warning is a help, not a gate: a failed check shows nothing.
        () => !cancelled && setMatches([]),
      )
    }, CHECK_DELAY_MS)
    return () => {
      cancelled = true
      clearTimeout(timer)
    }
  }, [kind, key])
  return matches
}
