import type { DuplicateKind } from './duplicatesApi.ts'
import { useDuplicateCheck } from './useDuplicateCheck.ts'
import './duplicates.css'

const MAX_SHOWN = 3

/**
 * Beside a create form: the existing records the draft looks like, with the evidence and a link to each. The user
 * may still create the record.
 */
export function DuplicateWarning({ kind, record }: { kind: DuplicateKind; record: Record<string, unknown> }) {
  const matches = useDuplicateCheck(kind, record)
  if (matches.length === 0) return null
  const noun = kind === 'accounts' ? 'account' : 'contact'
  return (
    <div className="notice notice--warn dupe-warning" role="status" data-testid="duplicate-warning">
      <strong>
        {matches.length === 1
          ? `This looks like an existing ${noun}:`
          : `This looks like ${matches.length} existing ${kind}:`}
      </strong>
      <ul>
        {matches.slice(0, MAX_SHOWN).map((m) => (
          <li key={m.id} data-testid={`duplicate-match-${m.id}`}>
            <a href={`#/${kind}/${m.id}`} target="_blank" rel="noreferrer">
              {m.label}
            </a>{' '}
            <span className="muted">— {m.evidence.join(', ')}</span>
          </li>
        ))}
      </ul>
      <span className="muted">You can still create it.</span>
    </div>
  )
}
