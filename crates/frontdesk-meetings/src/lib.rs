//! Frontdesk's telehealth meetings at Zoom and Microsoft Teams: [`MeetingApi`], the one provider
//! trait (implemented by [`api::Zoom`] and [`api::Teams`], with the clinic's meeting rules), the
//! calls by provider on a doctor's account ([`MeetingCalls`]), and the meetings channel of the
//! job runner ([`Meetings`], run as the [`Worker`]) with `reconcile`. It calls the providers only
//! through `frontdesk-accounts`, and has no window toolkit.

pub mod api;
pub mod custodian;
pub mod error;
pub mod outbox;

pub use api::{MarkedMeeting, Meeting, MeetingApi, MeetingCalls, MeetingSpec};
pub use custodian::Custodian;
pub use error::CallError;
pub use outbox::{reconcile, Meetings, Orphan, PassReport, Reconciled, Worker};
