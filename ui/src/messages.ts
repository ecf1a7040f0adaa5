// Every user-facing string, in one catalogue (English now; French and Spanish will follow).
const en: Record<string, string> = {
  dayHeading: '{date} · {tz}',
  noDoctors: 'No doctors yet. Add one with: frontdesk-cli staff add --role doctor',
  free: 'No appointments',
  loading: 'Loading today…',
  'status.booked': 'Booked',
  'status.checked-in': 'Checked in',
  'status.in-progress': 'In progress',
  'status.completed': 'Completed',
  'status.cancelled': 'Cancelled',
  'status.no-show': 'No-show',
  'error.validation': 'Check what was entered',
  'error.not_found': 'Not found',
  'error.conflict': 'That clashes with the schedule',
  'error.setup': 'Frontdesk is not set up yet',
  'error.unavailable': 'The schedule is busy',
  'error.internal': 'Something went wrong',
};

export function t(key: string, vars: Record<string, string> = {}): string {
  const template = en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => vars[name] ?? `{${name}}`);
}
