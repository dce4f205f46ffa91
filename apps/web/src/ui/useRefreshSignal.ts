import { useCallback, useEffect, useRef, useState } from 'react'

/**
 * A number that grows when `refresh()` is called (at most once per `minIntervalMs`) and when the window gets the focus
 * back (a record may have been created in another tab). List it in the dependencies of the effect that fetches a
 * picker's options: the picker asks the server again when it is opened instead of showing the list it fetched first.
 */
export function useRefreshSignal(minIntervalMs = 2_000): [number, () => void] {
  const [signal, setSignal] = useState(0)
  const last = useRef(0)
  const refresh = useCallback(() => {
    const now = Date.now()
    if (now - last.current < minIntervalMs) return
    last.current = now
    setSignal((n) => n + 1)
  }, [minIntervalMs])
  useEffect(() => {
    window.addEventListener('focus', refresh)
    return () => window.removeEventListener('focus', refresh)
  }, [refresh])
  return [signal, refresh]
}
