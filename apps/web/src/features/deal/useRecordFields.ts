import type { HocuspocusProvider } from '@hocuspocus/provider'
import { useCallback, useEffect } from 'react'
import type * as Y from 'yjs'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { usePeers, usePresenceField } from '../presence/usePeers.ts'
import { useFieldErrors } from './useFieldErrors.ts'

/**
 * The field plumbing of a record page (deal, contact): presence per field (`editing: '<prefix><field>'`, cleared on
 * unmount), validation messages per field, and `write(field, patch)`, one model command that clears the field's
 * message or shows a plain-words one when the model refuses the value. `common(field)` is what every field takes.
 */
export function useRecordFields<P>({
  doc,
  provider,
  locked,
  id,
  prefix,
  update,
}: {
  doc: Y.Doc | null
  provider: HocuspocusProvider | null
  /** Read-only, not yet live, or no document: nothing is written. */
  locked: boolean
  id: string
  prefix: string
  update: (doc: Y.Doc, id: string, patch: P, origin: unknown) => void
}) {
  const peers = usePeers(provider)
  const setPresence = usePresenceField(provider)
  useEffect(() => () => setPresence('editing', null), [setPresence])
  const editors = peers.filter((p) => p.editing?.startsWith(prefix))
  const presence = (field: string) => {
    const p = peers.find((x) => x.editing === `${prefix}${field}`)
    return {
      editingBy: p ? { name: p.user.name, color: p.user.color } : null,
      onEditing: (on: boolean) => setPresence('editing', on ? `${prefix}${field}` : null),
    }
  }
  const { errors, set: setError } = useFieldErrors()
  const write = useCallback(
    (field: string, patch: P) => {
      if (!doc || locked) return
      try {
        update(doc, id, patch, LOCAL_ORIGIN)
        setError(field, null)
      } catch {
        setError(field, 'This change could not be saved. Check the value and try again.')
      }
    },
    [doc, locked, id, update, setError],
  )
  const common = (field: string) => ({ readOnly: locked, error: errors[field] ?? null, ...presence(field) })
  return { editors, presence, setError, write, common }
}
