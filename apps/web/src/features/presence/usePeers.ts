import type { HocuspocusProvider } from '@hocuspocus/provider'
import { useCallback, useEffect, useState } from 'react'
import { type Peer, peersFromAwareness } from './presenceStates.ts'

/** Everyone else connected to the provider's document, live. */
export function usePeers(provider: HocuspocusProvider | null): Peer[] {
  const [peers, setPeers] = useState<Peer[]>([])
  useEffect(() => {
    const awareness = provider?.awareness
    if (!provider || !awareness) {
      setPeers([])
      return
    }
    const update = () => setPeers(peersFromAwareness(awareness.getStates(), provider.document.clientID))
    update()
    awareness.on('change', update)
    return () => awareness.off('change', update)
  }, [provider])
  return peers
}

/** Sets one field of our awareness state while mounted; cleared on unmount. */
export function usePresenceField(provider: HocuspocusProvider | null) {
  return useCallback(
    (field: 'dragging' | 'editing', value: string | null) => {
      if (provider?.awareness) provider.setAwarenessField(field, value)
    },
    [provider],
  )
}
