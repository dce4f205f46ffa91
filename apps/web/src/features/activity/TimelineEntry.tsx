import type { Activity } from '@rapport/model'
import { formatMoment, type SentenceContext, timelineParts } from './timelineSentence.ts'

/** The kind shown beside each type of timeline entry. */
export const TIMELINE_TYPE_LABEL: Readonly<Record<Activity['type'], string>> = {
  call: 'Call',
  email: 'Email',
  meeting: 'Meeting',
  note: 'Notes',
  stage_change: 'Stage',
  field_change: 'Change',
  handoff: 'Handoff',
}

/** The kind shown beside an entry: a record created or deleted says so rather than "Change". */
export function kindLabel(activity: Activity): string {
  if (activity.type === 'field_change' && activity.changes.length === 0)
    return activity.text.startsWith('deleted') ? 'Deleted' : 'Created'
  return TIMELINE_TYPE_LABEL[activity.type]
}

/**
 * One timeline entry: its kind (`label`), the sentence in plain words and when. With `onRemove`, a "Remove" button
 * (a logged call, email or meeting its author or an admin may take off the timeline).
 */
export function TimelineEntry({
  activity: a,
  ctx,
  label,
  onRemove,
}: {
  activity: Activity
  ctx: SentenceContext
  label: string
  onRemove?: () => void
}) {
  const { actor, predicate } = timelineParts(a, ctx)
  return (
    <li
      className={`timeline__item timeline__item--${a.type}`}
      data-testid="timeline-entry"
      data-type={a.type}
    >
      <span className="timeline__type">{label}</span>
      <span className="timeline__text" data-testid="timeline-sentence">
        <strong>{actor}</strong> {predicate}
      </span>
      <time className="muted" dateTime={new Date(a.at).toISOString()}>
        {formatMoment(a.at, {})}
      </time>
      {onRemove && (
        <button
          type="button"
          className="link-button timeline__remove"
          data-testid="timeline-remove"
          aria-label={`Remove this ${a.type} from the timeline`}
          onClick={onRemove}
        >
          Remove
        </button>
      )}
    </li>
  )
}
