import { PresenceAvatars } from '../presence/PresenceAvatars.tsx'
import type { Peer } from '../presence/presenceStates.ts'

/** The head of a record's "Details" panel: its title, "Read only" for those who may not edit, who is editing now. */
export function DetailsHead({ readOnly, editors }: { readOnly: boolean; editors: Peer[] }) {
  return (
    <div className="record-page__panel-head">
      <h2 className="panel__title">Details</h2>
      {readOnly && (
        <span className="badge" data-testid="read-only">
          Read only
        </span>
      )}
      <PresenceAvatars peers={editors} label="Editing now" />
    </div>
  )
}
