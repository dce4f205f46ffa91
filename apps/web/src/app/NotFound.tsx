import { NAV_ITEMS } from './route.ts'

/** The section a path was meant for (its first segment), when there is one: `#/accounts/x/y` → Accounts. */
const sectionOf = (path: string) => {
  const first = path.replace(/^#?\/?/, '').split('/')[0]
  return NAV_ITEMS.find((item) => item.href === `#/${first}` || item.href.startsWith(`#/${first}/`))
}

/** A path that leads nowhere: says so in plain words and links back to its section, or home. */
export function NotFound({ path }: { path: string }) {
  const section = sectionOf(path)
  return (
    <div className="empty not-found" data-testid="not-found">
      <p>
        Nothing lives at <code>{path}</code>.
      </p>
      {section ? (
        <a href={section.href} data-testid="not-found-back">
          Back to {section.label.toLowerCase()}
        </a>
      ) : (
        <a href="#/pipelines" data-testid="not-found-back">
          Back to the pipelines
        </a>
      )}
    </div>
  )
}
