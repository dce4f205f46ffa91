import { addChecklistItem, CHECKLIST, checklistFor, collectionMap, updateChecklistItem } from '@rapport/model'
import { useMemo, useState } from 'react'
import type * as Y from 'yjs'
import { LOCAL_ORIGIN } from '../../collab/localOrigin.ts'
import { useLiveRecords } from '../../collab/useLiveRecords.ts'

/** The live checklist of one handoff (shared by everyone in the account room). */
export function HandoffChecklist({
  doc,
  handoffId,
  readOnly,
}: {
  doc: Y.Doc
  handoffId: string
  readOnly: boolean
}) {
  const all = useLiveRecords(doc, CHECKLIST)
  const items = useMemo(() => {
    void all
    return checklistFor(collectionMap(doc, CHECKLIST), handoffId)
  }, [all, doc, handoffId])
  const [text, setText] = useState('')
  const add = () => {
    if (text.trim() === '') return
    addChecklistItem(doc, { handoffId, text }, LOCAL_ORIGIN)
    setText('')
  }
  return (
    <div className="checklist" data-testid="handoff-checklist">
      <ul className="mini-list">
        {items.map((item) => (
          <li key={item.id} className="mini-row">
            <label>
              <input
                type="checkbox"
                checked={item.done}
                disabled={readOnly}
                data-testid={`checklist-${item.id}`}
                onChange={(e) => updateChecklistItem(doc, item.id, { done: e.target.checked }, LOCAL_ORIGIN)}
              />{' '}
              {item.text}
            </label>
          </li>
        ))}
      </ul>
      {!readOnly && (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault()
            add()
          }}
        >
          <input
            className="input"
            value={text}
            placeholder="Add a checklist item"
            maxLength={500}
            data-testid="checklist-input"
            onChange={(e) => setText(e.target.value)}
          />
          <button type="submit" className="btn btn--ghost" data-testid="checklist-add">
            Add
          </button>
        </form>
      )}
    </div>
  )
}
