import { useCallback, useEffect, useState } from 'react'
import * as Y from 'yjs'
import { LOCAL_ORIGIN } from './localOrigin.ts'

export interface UndoControls {
  undo: () => void
  redo: () => void
  canUndo: boolean
  canRedo: boolean
}

function isEditableTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName)
}

/** True for Ctrl/Cmd+Z (undo) and Ctrl/Cmd+Shift+Z or Ctrl+Y (redo). */
export function undoShortcut(
  e: Pick<KeyboardEvent, 'key' | 'ctrlKey' | 'metaKey' | 'shiftKey'>,
): 'undo' | 'redo' | null {
  if (!(e.ctrlKey || e.metaKey)) return null
  const key = e.key.toLowerCase()
  if (key === 'z') return e.shiftKey ? 'redo' : 'undo'
  if (key === 'y' && !e.shiftKey) return 'redo'
  return null
}

/**
 * Per-user undo over the given top-level maps of `doc`: tracks ONLY this tab's `LOCAL_ORIGIN`, so remote edits are
 * never undone. Binds Ctrl/Cmd+Z and Shift+Z outside text inputs (Tiptap has its own history).
 */
export function useUndoManager(doc: Y.Doc | null, mapNames: readonly string[], enabled = true): UndoControls {
  const [manager, setManager] = useState<Y.UndoManager | null>(null)
  const [, setTick] = useState(0)
  const names = mapNames.join('\u0000')

  useEffect(() => {
    if (!doc || !enabled) {
      setManager(null)
      return
    }
    const scope = names.split('\u0000').map((n) => doc.getMap(n))
    const um = new Y.UndoManager(scope, { trackedOrigins: new Set([LOCAL_ORIGIN]), captureTimeout: 400 })
    const bump = () => setTick((t) => t + 1)
    um.on('stack-item-added', bump)
    um.on('stack-item-popped', bump)
    um.on('stack-cleared', bump)
    setManager(um)
    return () => um.destroy()
  }, [doc, names, enabled])

  const undo = useCallback(() => {
    manager?.undo()
  }, [manager])
  const redo = useCallback(() => {
    manager?.redo()
  }, [manager])

  useEffect(() => {
    if (!manager) return
    const onKey = (e: KeyboardEvent) => {
      if (isEditableTarget(e.target)) return
      const action = undoShortcut(e)
      if (!action) return
      e.preventDefault()
      if (action === 'undo') manager.undo()
      else manager.redo()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [manager])

  return { undo, redo, canUndo: manager?.canUndo() ?? false, canRedo: manager?.canRedo() ?? false }
}
