/**
 * The transaction origin of every edit this tab makes. Undo managers track only this origin, so remote
 * edits (and edits applied from IndexedDB or the server) are never undone.
 */
export const LOCAL_ORIGIN: { readonly source: 'rapport-web' } = Object.freeze({ source: 'rapport-web' })

export function isLocalOrigin(origin: unknown): boolean {
  return origin === LOCAL_ORIGIN
}
