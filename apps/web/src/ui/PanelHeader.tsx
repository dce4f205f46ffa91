import type { ReactNode } from 'react'

export interface PanelAction {
  label: string
  testId: string
  onClick: () => void
}

/** A panel's title with, on its right, one ghost button (when `action` is given: e.g. "New ticket"). */
export function PanelHeader({ title, action }: { title: ReactNode; action?: PanelAction | null }) {
  return (
    <div className="panel__header">
      <h2 className="panel__title">{title}</h2>
      {action && (
        <button type="button" className="btn btn--ghost" data-testid={action.testId} onClick={action.onClick}>
          {action.label}
        </button>
      )}
    </div>
  )
}
