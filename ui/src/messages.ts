// Every user-facing string, in one catalogue (English now; French and Spanish will follow), and
// the date and time formats of the clinic's locale.

const en = {
  'app.title': 'Frontdesk',
  'app.loading': 'Opening the schedule…',
  'setup.title': 'Welcome to Frontdesk',
  'setup.intro': 'Set up your clinic and the first admin account. You can add staff afterwards.',
  'setup.clinic': 'Clinic name',
  'setup.tz': 'Clinic time zone',
  'setup.admin': 'Your name (admin)',
  'setup.pin': 'Choose a PIN (4 to 12 digits)',
  'setup.submit': 'Create clinic',
  'signin.title': 'Who is at the desk?',
  'signin.pin': 'PIN',
  'signin.submit': 'Sign in',
  'signin.nopin': 'no PIN yet',
  'nav.calendar': 'Calendar',
  'nav.patients': 'Patients',
  'nav.staff': 'Staff',
  'nav.types': 'Appointment types',
  'nav.settings': 'Settings',
  'nav.audit': 'Audit log',
  'nav.accounts': 'Video visits',
  'nav.lock': 'Lock',
  'nav.help': 'Shortcuts',
  'cal.today': 'Today',
  'cal.prev': 'Previous',
  'cal.next': 'Next',
  'cal.day': 'Day',
  'cal.week': 'Week',
  'cal.book': 'New booking',
  'cal.print': 'Print day sheet',
  'print.time': 'Time',
  'print.doctor': 'Doctor',
  'print.patient': 'Patient',
  'print.type': 'Type',
  'print.mode': 'Mode',
  'print.status': 'Status',
  'print.empty': 'No appointments this day',
  'cal.noDoctors': 'No doctors yet. An admin can add them under Staff.',
  'cal.otherDoctor': 'Moving an appointment to another doctor is not possible; cancel it and book again.',
  'cal.doctors': 'Doctors shown',
  'cal.doctorsPage': 'Doctors {first}–{last} of {total}',
  'cal.prevDoctors': 'Previous doctors',
  'cal.nextDoctors': 'Next doctors',
  'book.title': 'New booking',
  'book.patient': 'Patient',
  'book.patientHint': 'Type a name, phone or date of birth',
  'book.noMatch': 'No patient found',
  'book.type': 'Type',
  'book.doctor': 'Doctor',
  'book.date': 'Date',
  'book.time': 'Time',
  'book.tz': 'Time zone',
  'book.fold': 'This time happens twice tonight',
  'book.foldEarlier': 'Earlier (before the clocks go back)',
  'book.foldLater': 'Later (after the clocks go back)',
  'book.overlap': 'Book anyway (double booking)',
  'book.topic': 'Topic (optional)',
  'book.submit': 'Book',
  'book.cancel': 'Close',
  'book.pickPatient': 'Pick a patient from the list',
  'panel.close': 'Close',
  'panel.history': 'History',
  'history.booked': 'Booked',
  'history.moved': 'Moved',
  'history.status': 'Status changed',
  'history.cancelled': 'Cancelled',
  'panel.bookedIn': 'booked in {tz}',
  'panel.reason': 'Reason for cancelling',
  'panel.confirmCancel': 'Cancel appointment',
  'meeting.title': '{service} meeting',
  'meeting.state.pending': 'Meeting pending',
  'meeting.state.ready': 'Meeting ready',
  'meeting.state.failed': 'Meeting failed',
  'meeting.state.cancelled': 'Meeting cancelled',
  'meeting.short.queued': 'sending',
  'meeting.short.offline': 'offline',
  'meeting.short.quota': 'daily limit',
  'meeting.short.not_connected': 'not connected',
  'meeting.short.retrying': 'retrying',
  'meeting.why.queued': 'Being created in {service}; this takes a few seconds.',
  'meeting.why.offline': 'Waiting for the network: it goes as soon as {service} can be reached.',
  'meeting.why.quota': '{service}’s daily limit reached — goes at 00:00 UTC.',
  'meeting.why.quotaAt': '{service}’s daily limit reached — goes at 00:00 UTC ({time} here).',
  'meeting.why.not_connected': '{doctor}’s {service} account isn’t connected. The meeting is made once it is (Video visits).',
  'meeting.why.retrying': '{service} asked to wait; Frontdesk tries again shortly.',
  'meeting.why.retryingAt': '{service} asked to wait; Frontdesk tries again at {time}.',
  'meeting.why.failed': '{service} refused the meeting.',
  'meeting.why.cancelled': 'The visit was cancelled, so its meeting was removed.',
  'meeting.join': 'Join meeting',
  'meeting.start': 'Start meeting as host',
  'meeting.retry': 'Retry',
  'meeting.opened': 'Opened in {service} or the web browser.',
  'meeting.startedHost': 'Opened in {service} or the web browser, as the host.',
  'action.checked-in': 'Check in',
  'action.in-progress': 'Start',
  'action.completed': 'Complete',
  'action.no-show': 'No-show',
  'action.booked': 'Undo check-in',
  'action.cancelled': 'Cancel…',
  'status.booked': 'Booked',
  'status.checked-in': 'Checked in',
  'status.in-progress': 'In progress',
  'status.completed': 'Completed',
  'status.cancelled': 'Cancelled',
  'status.no-show': 'No-show',
  'mode.in-person': 'In person',
  'mode.zoom': 'Zoom',
  'mode.teams': 'Teams',
  'role.receptionist': 'Receptionist',
  'role.doctor': 'Doctor',
  'role.admin': 'Admin',
  'dir.search': 'Search',
  'dir.add': 'Add',
  'dir.save': 'Save',
  'dir.edit': 'Edit',
  'dir.new': 'New',
  'dir.saved': 'Saved',
  'dir.name': 'Name',
  'dir.email': 'E-mail',
  'dir.phone': 'Phone',
  'dir.dob': 'Date of birth',
  'dir.note': 'Note',
  'dir.role': 'Role',
  'dir.active': 'Active',
  'dir.newPin': 'New PIN (leave empty to keep)',
  'dir.minutes': 'Minutes',
  'dir.mode': 'Mode',
  'dir.lockMinutes': 'Lock after (minutes without use)',
  'dir.reminderMinutes': 'Remind the doctor (minutes before a visit)',
  'dir.locale': 'Language and region (e.g. en-CA, fr-CA)',
  'dir.searchHint': 'Name, phone, e-mail or date of birth',
  'status.online': 'Network: connected',
  'status.offline': 'Network: offline — the schedule still works; changes are saved on this computer',
  'status.signedIn': 'Signed in as {name} ({role})',
  'help.title': 'Keyboard shortcuts',
  'help.close': 'Close (Esc)',
  'key.new': 'New booking',
  'key.today': 'Go to today',
  'key.prevNext': 'Previous / next day or week',
  'key.doctorPage': 'Previous / next page of doctors',
  'key.dayWeek': 'Day view / week view',
  'key.search': 'Search patients',
  'key.status': 'Selected appointment: check in, start, complete, no-show',
  'key.cancel': 'Selected appointment: cancel (asks for a reason)',
  'key.print': 'Print the day sheet',
  'key.lock': 'Lock the desk now',
  'key.help': 'Show this list',
  'key.accounts': 'Video visits: connect Zoom or Microsoft Teams',
  'settings.providersMoved': 'Zoom and Microsoft Teams settings are on the Video visits screen.',
  'settings.openProviders': 'Open provider settings',
  'acct.zoom': 'Zoom',
  'acct.microsoft': 'Microsoft Teams',
  'acct.zoomCompany': 'Zoom',
  'acct.microsoftCompany': 'Microsoft',
  'acct.introAdmin': 'Each doctor connects their own Zoom or Microsoft Teams account, so that video visits booked for them get a meeting in that account. You can start the connection here for any doctor; they sign in with their own account.',
  'acct.introDoctor': 'Connect your Zoom or Microsoft Teams account so that your video visits get a meeting in it. You sign in at Zoom or Microsoft, in your web browser.',
  'acct.caption': 'Video-visit accounts by doctor',
  'acct.doctor': 'Doctor',
  'acct.connectedAs': 'Connected as {email}',
  'acct.connected': 'Connected',
  'acct.viaS2s': 'Through the clinic’s Zoom Server-to-Server app',
  'acct.disconnected': 'Disconnected — reconnect',
  'acct.none': 'Not connected',
  'acct.connect': 'Connect',
  'acct.reconnect': 'Reconnect',
  'acct.disconnect': 'Disconnect',
  'acct.connectFor': 'Connect {service} for {doctor}',
  'acct.reconnectFor': 'Reconnect {service} for {doctor}',
  'acct.disconnectFor': 'Disconnect {service} for {doctor}',
  'acct.s2s': 'Use the clinic’s Zoom Server-to-Server app',
  'acct.s2sFor': 'Use the clinic’s Zoom Server-to-Server app for {doctor}',
  'acct.notSetUp': '{service} is not set up yet: enter the clinic’s {company} client ID under Provider settings below.',
  'acct.confirmTitle': 'Disconnect {service} for {doctor}?',
  'acct.confirmText': 'Frontdesk deletes its access from this computer and asks {company} to revoke it. Visits already booked keep their meetings; new {service} visits for {doctor} cannot get a meeting until the account is connected again.',
  'acct.keep': 'Keep connected',
  'acct.revoked': '{service} disconnected for {doctor}. {company} confirmed that Frontdesk’s access is revoked.',
  'acct.notRevoked': '{service} disconnected for {doctor} on this computer. {company} did not confirm the revocation: {note}',
  'acct.notRevokedNoNote': '{service} disconnected for {doctor} on this computer, but {company} did not confirm the revocation. To be sure, remove Frontdesk from the account’s connected apps at {company}.',
  'acct.s2sTitle': 'Use the clinic’s Zoom Server-to-Server app for {doctor}',
  'acct.s2sText': 'Frontdesk creates {doctor}’s meetings through the clinic’s own Zoom app, as this Zoom user. No sign-in is needed; the user must be in the clinic’s Zoom account.',
  'acct.s2sEmail': '{doctor}’s Zoom e-mail',
  'acct.s2sSubmit': 'Use this Zoom user',
  'acct.s2sDone': 'Zoom connected for {doctor} as {email}, through the clinic’s Server-to-Server app.',
  'acct.close': 'Close',
  'alert.item': '{service} disconnected for {doctor}',
  'alert.admin': '{items} — reconnect',
  'alert.many': '{count} video-visit accounts need reconnecting',
  'alert.own': 'Your {services} account is disconnected — reconnect',
  'alert.ownBoth': 'Your {services} accounts are disconnected — reconnect',
  'acct.cancel': 'Cancel',
  'wiz.title': 'Connect {service} for {doctor}',
  'wiz.progress': 'Progress',
  'wiz.stepExplain': 'Before you start',
  'wiz.stepSignIn': 'Sign in',
  'wiz.stepDone': 'Connected',
  'wiz.lead': 'Frontdesk will create {service} meetings for {doctor}’s video visits. Here is what happens:',
  'wiz.explain1': 'Your web browser opens the {company} sign-in page.',
  'wiz.explain2': 'Sign in with {doctor}’s clinic account and approve Frontdesk.',
  'wiz.explain3': 'Come back here: Frontdesk shows which account is connected.',
  'wiz.factsTitle': 'Good to know',
  'wiz.factKeyring': 'Frontdesk keeps the access only in this computer’s keyring (the system’s password store), never in the schedule.',
  'wiz.factAccount': 'Meetings are created in that {company} account.',
  'wiz.factPrivacy': 'Patient names are never sent to {company}: meeting titles carry initials only.',
  'wiz.open': 'Open {company} sign-in',
  'wiz.opening': 'Opening the browser…',
  'wiz.waiting': 'Approve Frontdesk in your browser…',
  'wiz.waitingHint': 'Finish signing in on the {company} page. This window updates by itself when you are done.',
  'wiz.link': 'Browser did not open? Copy this link into it:',
  'wiz.copy': 'Copy link',
  'wiz.copied': 'Link copied',
  'wiz.copyFailed': 'Could not copy: select the link and copy it yourself',
  'wiz.connectedAs': 'Connected as {email}',
  'wiz.doneHint': '{service} meetings for {doctor}’s video visits are now created in this account. You can close the browser tab.',
  'wiz.done': 'Done',
  'wiz.failedTitle': 'Not connected',
  'wiz.failedHint': 'Nothing was changed. Check that you signed in with the right account, then try again.',
  'wiz.unknownError': 'The sign-in did not finish.',
  'wiz.retry': 'Try again',
  'ps.title': 'Provider settings',
  'ps.intro': 'The clinic’s own Zoom and Microsoft app registrations. The defaults suit zoom.us and Microsoft’s public cloud; change the hosts only for ZoomGov or a national cloud.',
  'ps.zoom': 'Zoom',
  'ps.zoomS2s': 'Zoom Server-to-Server app (optional)',
  'ps.zoomS2sHint': 'Lets Frontdesk create meetings for any doctor in the clinic’s Zoom account, without each doctor signing in.',
  'ps.microsoft': 'Microsoft Teams',
  'ps.authBase': 'Sign-in host',
  'ps.apiBase': 'API host',
  'ps.graphBase': 'Graph host',
  'ps.clientId': 'Client ID',
  'ps.appId': 'Application (client) ID',
  'ps.clientSecret': 'Client secret',
  'ps.secretStored': 'stored — leave blank to keep',
  'ps.secretHint': 'Kept in this computer’s keyring; never shown again.',
  'ps.redirect': 'Return from sign-in by',
  'ps.loopback': 'Loopback (recommended)',
  'ps.deepLink': 'Deep link (frontdesk://)',
  'ps.bounce': 'Bounce page address',
  'ps.bounceHint': 'Needed only for a deep link: the clinic’s https page (ui/oauth-bounce) registered at Zoom as the redirect URL.',
  'ps.accountId': 'Account ID',
  'ps.tenant': 'Tenant',
  'ps.tenantHint': 'organizations, the clinic’s tenant ID, or its domain.',
  'ps.save': 'Save provider settings',
  'ps.saved': 'Provider settings saved',
  'error.validation': 'Please check what was entered',
  'error.not_found': 'Not found',
  'error.conflict': 'That clashes with the schedule',
  'error.setup': 'Frontdesk cannot open its data',
  'error.unauthenticated': 'Please sign in',
  'audit.filters': 'Audit log filters',
  'audit.person': 'Person',
  'audit.anyone': 'Anyone',
  'audit.patient': 'Patient',
  'audit.patientHint': 'Name or id',
  'audit.pickPatient': 'Choose a patient from the list, or type an id',
  'audit.from': 'From',
  'audit.to': 'To',
  'audit.apply': 'Show',
  'audit.time': 'Time',
  'audit.action': 'Action',
  'audit.appointment': 'Appointment',
  'audit.none': 'Nothing recorded for these filters',
  'audit.system': 'System',
  'audit.appointment_booked': 'Booked an appointment',
  'audit.appointment_moved': 'Moved an appointment',
  'audit.appointment_cancelled': 'Cancelled an appointment',
  'audit.appointment_status': 'Changed an appointment status',
  'audit.setting_changed': 'Changed a provider setting',
  'audit.connected': 'Connected a video account',
  'audit.disconnected': 'Disconnected a video account',
  'audit.meeting_ready': 'Meeting made',
  'audit.meeting_cancelled': 'Meeting removed',
  'audit.meeting_failed': 'Meeting could not be made',
  'error.forbidden': 'Not allowed for your role',
  'error.unavailable': 'The schedule is busy; try again',
  'error.internal': 'Something went wrong',
} as const;

export type MessageKey = keyof typeof en;

/** The message for `key`, with `{name}` placeholders filled in. */
export function t(key: MessageKey, vars: Record<string, string> = {}): string {
  return en[key].replace(/\{(\w+)\}/g, (_, name: string) => vars[name] ?? `{${name}}`);
}

/** A key built at run time (e.g. `status.${status}`); unknown keys fall back to the raw text. */
export function tk(key: string, vars: Record<string, string> = {}): string {
  return key in en ? t(key as MessageKey, vars) : key;
}

let locale = 'en-CA';

export function setLocale(tag: string): void {
  locale = tag;
}

// Building an Intl formatter costs far more than using one (a day of 600 appointments needs
// 1,200 conversions): keep one per locale, zone and style.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tag: string, tz: string, style: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${tag}|${tz}|${style}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(tag, { ...options, timeZone: tz });
    formatters.set(key, f);
  }
  return f;
}

/** "A, B and C" (or "A, B et C"), as the clinic's locale joins a list. */
export function formatList(items: string[]): string {
  return new Intl.ListFormat(locale, { style: 'long', type: 'conjunction' }).format(items);
}

/** 09:30 (or 9:30 a.m., as the clinic's locale writes it) for an instant, in `tz`. */
export function formatTime(instant: string, tz: string): string {
  return formatter(locale, tz, 'time', { hour: 'numeric', minute: '2-digit' }).format(new Date(instant));
}

/** "Monday, July 6, 2026" for a calendar date `YYYY-MM-DD`. */
export function formatDate(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  return formatter(locale, 'UTC', 'date', { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' })
    .format(new Date(Date.UTC(y, m - 1, d)));
}

/** The wall time of an instant in `tz`, as `YYYY-MM-DDTHH:MM:SS` (no offset). */
export function wallTime(instant: string, tz: string): string {
  const parts = formatter('en-CA', tz, 'wall', {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23',
  }).formatToParts(new Date(instant));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}`;
}

/** A local Date built from wall-clock fields (as the calendar widget hands them back) as `YYYY-MM-DDTHH:MM`. */
export function wallFromDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}
