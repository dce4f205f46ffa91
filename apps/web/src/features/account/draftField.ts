/**
 * A field being edited keeps a local draft: remote changes never overwrite what the user is typing.
 * `base` is the stored value when editing started (or last adopted).
 */
export interface FieldDraft {
  editing: boolean
  draft: string
  base: string
}

export const IDLE_DRAFT: FieldDraft = { editing: false, draft: '', base: '' }

export function startEditing(stored: string): FieldDraft {
  return { editing: true, draft: stored, base: stored }
}

export function typeDraft(state: FieldDraft, text: string): FieldDraft {
  return { ...state, draft: text }
}

/** What the input shows: the draft while editing, otherwise the live stored value. */
export function shownValue(state: FieldDraft, stored: string): string {
  return state.editing ? state.draft : stored
}

/** True when someone else changed the field while we were editing it. */
export function changedUnderneath(state: FieldDraft, stored: string): boolean {
  return state.editing && stored !== state.base
}

/**
 * The value to write when editing ends, or `null` for no write: an untouched draft never overwrites a remote
 * change made meanwhile, and a draft equal to the stored value is not written again.
 */
export function valueToCommit(state: FieldDraft, stored: string): string | null {
  if (!state.editing) return null
  if (state.draft === state.base) return null
  if (state.draft === stored) return null
  return state.draft
}
