/** How a contact is named in the service desk: full name, else e-mail, else a placeholder. */
export function contactLabel(contact: { firstName: string; lastName: string; email: string }): string {
  const name = `${contact.firstName} ${contact.lastName}`.trim()
  return name || contact.email || 'Unnamed contact'
}
