/** How a record field is named to people (sentence case), by record kind where the name differs. */
const LABELS: Record<string, string> = {
  name: 'Name',
  domain: 'Domain',
  industry: 'Industry',
  city: 'City',
  country: 'Country',
  phone: 'Phone',
  website: 'Website',
  size: 'Size',
  tier: 'Tier',
  ownerId: 'Owner',
  team: 'Team',
  customFields: 'Custom fields',
  firstName: 'First name',
  lastName: 'Last name',
  email: 'Email',
  leadStatus: 'Lead status',
  source: 'Source',
  score: 'Score',
  title: 'Title',
  amount: 'Amount',
  currency: 'Currency',
  expectedCloseDate: 'Expected close date',
  status: 'Status',
  lostReason: 'Lost reason',
  contactIds: 'Contacts',
  stage: 'Stage',
  subject: 'Subject',
  description: 'Description',
  priority: 'Priority',
  assigneeId: 'Assignee',
  slaDueAt: 'SLA due',
  firstResponseAt: 'First response',
  resolvedAt: 'Resolved',
  csat: 'Customer satisfaction',
  contactId: 'Contact',
  accountId: 'Account',
  done: 'Done',
  dueDate: 'Due date',
  dueAt: 'Due',
  dealId: 'Deal',
  ticketId: 'Ticket',
  archived: 'Archived',
  pipelineId: 'Pipeline',
  toUserId: 'Receiver',
  toTeam: 'Receiving team',
}

/** `contact.title` is a job title; everything else keeps its common label; unknown keys are spelled out. */
export function fieldLabel(field: string, kind?: string): string {
  if (field === 'title' && kind === 'contact') return 'Job title'
  const known = LABELS[field]
  if (known) return known
  const words = field
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .trim()
  return words ? words[0]?.toUpperCase() + words.slice(1) : field
}
