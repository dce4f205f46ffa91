import { Avatar } from '../../ui/Avatar.tsx'
import type { Peer } from './presenceStates.ts'

/** Faces of who else is here. */
export function PresenceAvatars({ peers, label = 'Also here' }: { peers: Peer[]; label?: string }) {
  return (
    <div className="presence" data-testid="presence-avatars" data-count={peers.length}>
      {peers.length > 0 && <span className="presence__label">{label}</span>}
      {peers.map((p) => (
        <span key={p.clientId} data-testid={`presence-${p.user.id}`}>
          <Avatar name={p.user.name} color={p.user.color} size="sm" />
        </span>
      ))}
    </div>
  )
}
