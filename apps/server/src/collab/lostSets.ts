import * as Y from 'yjs'

/** A field set that arrived in a transaction and lost at once to a concurrent set of the same field. */
export interface LostSet {
  recordId: string
  field: string
  /** The losing value: it never became the field's value. */
  value: unknown
  /** The field's value after the transaction (the concurrent set that was kept). */
  keptValue: unknown
  /** Yjs client ids of the losing and the kept sets. */
  lostClient: number
  keptClient: number
}

/** How far back a key's history is searched for sets that arrived in the transaction. */
const MAX_WALK = 500

const isNew = (txn: Y.Transaction, item: Y.Item): boolean =>
  item.id.clock >= (txn.beforeState.get(item.id.client) ?? 0)

const contains = (item: Y.Item, id: Y.ID): boolean =>
  id.client === item.id.client && id.clock >= item.id.clock && id.clock < item.id.clock + item.length

/** The Yjs client ids whose clocks this transaction advanced. */
const clientsWithNewContent = (txn: Y.Transaction): Set<number> => {
  const clients = new Set<number>()
  for (const [client, clock] of txn.afterState)
    if (clock > (txn.beforeState.get(client) ?? 0)) clients.add(client)
  return clients
}

/**
 * The sets of record fields in `collection` (`Y.Map<recordId, Y.Map<field, value>>`) that `txn` integrated and
 * deleted at once because a concurrent set of the same field sits to their right (Yjs orders concurrent map sets by
 * client id; the rightmost is the value). The server never sees such a set as a change of the record. A set that a
 * later set overwrote knowingly (that set's `origin` is this one: the writer had seen it, e.g. the same user typing
 * offline) is not a loss. Call from the document's `afterTransaction` event: later in the transaction's cleanup
 * Yjs garbage-collects the deleted values.
 */
export function lostSetsOf(txn: Y.Transaction, collection: Y.Map<unknown>): LostSet[] {
  const lost: LostSet[] = []
  // A reported set is new in this transaction and by another client than the kept one, so when the transaction
  // brought content of one client only (a client's own live edit: the common case) and that client's set is kept,
  // there is nothing to find: the walk below (up to MAX_WALK items, before Hocuspocus broadcasts) is skipped.
  const newClients = clientsWithNewContent(txn)
  for (const [type, keys] of txn.changed) {
    const recordItem = type._item
    if (!recordItem || recordItem.deleted || recordItem.parent !== collection) continue
    const recordId = recordItem.parentSub
    if (recordId === null || !(type instanceof Y.Map)) continue
    for (const field of keys) {
      if (field === null) continue
      const current = type._map.get(field)
      if (!current || current.deleted) continue
      if (newClients.size === 0 || (newClients.size === 1 && newClients.has(current.id.client))) continue
      const origins: Y.ID[] = current.origin ? [current.origin] : []
      let item = current.left
      for (let steps = 0; item && steps < MAX_WALK; steps += 1, item = item.left) {
        const candidate = item
        if (candidate.origin) origins.push(candidate.origin)
        if (!isNew(txn, candidate) || !candidate.deleted) continue
        if (candidate.id.client === current.id.client) continue
        if (origins.some((id) => contains(candidate, id))) continue
        if (!(candidate.content instanceof Y.ContentAny)) continue
        const values = candidate.content.getContent()
        lost.push({
          recordId,
          field,
          value: values[values.length - 1],
          keptValue: type.get(field),
          lostClient: candidate.id.client,
          keptClient: current.id.client,
        })
      }
    }
  }
  return lost
}
