//! Who may do what: the one place that says which roles take each action, that a doctor acts
//! only on their own visits and their own video accounts, and what a doctor reads of other
//! doctors' visits when the clinic keeps to the minimum necessary ([`Sight`]).
//!
//! Every use case of the core (booking, status changes, edits, settings, meetings, e-mail)
//! checks its [`Action`] here before it writes, so the app's commands and the command-line twin
//! cannot drift apart. The app's shell asks the same table for the screens it reads.

use serde::Serialize;

use crate::error::{CoreError, Result};
use crate::model::{Actor, Appointment, Role, StaffId, Status};

/// Something a person does, as far as permission is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// Read the schedule, patients, types, the staff list, connections, meeting and mail
    /// states; join a meeting.
    Read,
    /// Book, move and cancel appointments; add and edit patients; send a patient's e-mail again.
    Book,
    /// Check in, start, complete, no-show: the desk, and a doctor on their own visits.
    ChangeStatus,
    /// Send a failed meeting to the provider again: the desk, and a doctor for their own visits.
    RetryMeeting,
    /// Start a meeting as its host: the visit's doctor, or an admin.
    StartMeeting,
    /// Connect or disconnect a video account: the doctor themselves, or an admin.
    ManageAccount,
    /// Staff, appointment types, clinic and provider settings, e-mail texts, the audit log, updates.
    Administer,
}

const ANYONE: &[Role] = &[Role::Receptionist, Role::Doctor, Role::Admin];
const DESK: &[Role] = &[Role::Receptionist, Role::Admin];
const DOCTORS: &[Role] = &[Role::Doctor, Role::Admin];
const ADMIN: &[Role] = &[Role::Admin];

impl Action {
    /// Every action (the tests walk them all).
    pub const ALL: &'static [Action] = &[
        Action::Read,
        Action::Book,
        Action::ChangeStatus,
        Action::RetryMeeting,
        Action::StartMeeting,
        Action::ManageAccount,
        Action::Administer,
    ];

    /// The roles that may take this action.
    pub fn roles(self) -> &'static [Role] {
        match self {
            Action::Read | Action::ChangeStatus | Action::RetryMeeting => ANYONE,
            Action::Book => DESK,
            Action::StartMeeting | Action::ManageAccount => DOCTORS,
            Action::Administer => ADMIN,
        }
    }

    /// Whether a doctor takes this action only for their own visits (or own accounts).
    pub fn doctors_own_only(self) -> bool {
        matches!(
            self,
            Action::ChangeStatus | Action::RetryMeeting | Action::StartMeeting | Action::ManageAccount
        )
    }

    fn own_only_refusal(self) -> &'static str {
        match self {
            Action::ManageAccount => "a doctor can connect and disconnect only their own accounts",
            Action::RetryMeeting | Action::StartMeeting => {
                "doctors can act only on their own appointments' meetings"
            }
            _ => "doctors can change only their own appointments",
        }
    }
}

impl Actor {
    /// Whether this actor may take `action` at all (before knowing whose visit it is).
    ///
    /// # Errors
    /// [`CoreError::Forbidden`] naming the roles that may.
    pub fn may(&self, action: Action) -> Result<()> {
        let Actor::Staff { role, .. } = self else {
            // The command-line twin and Frontdesk's own workers act with the clinic's rights.
            return Ok(());
        };
        if action.roles().contains(role) {
            return Ok(());
        }
        let allowed: Vec<&str> = action.roles().iter().map(|r| r.as_str()).collect();
        Err(CoreError::Forbidden(format!(
            "only {} can do this; you are signed in as {role}",
            allowed.join(" or ")
        )))
    }

    /// Whether this actor may take `action` on a visit (or account) of `doctor`: the role
    /// rule, and a doctor only on their own.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`].
    pub fn may_for(&self, action: Action, doctor: StaffId) -> Result<()> {
        self.may(action)?;
        match self {
            Actor::Staff { id, role: Role::Doctor } if action.doctors_own_only() && *id != doctor => {
                Err(CoreError::Forbidden(action.own_only_refusal().to_owned()))
            }
            _ => Ok(()),
        }
    }
}

/// What a person may do with one visit, by the table above and the visit's state: the app
/// offers exactly these (and the core refuses the rest whatever is asked).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, specta::Type)]
pub struct VisitRights {
    /// Move it to another time (those who book, while it is booked or checked in).
    pub reschedule: bool,
    /// Cancel it (those who book, while the lifecycle allows).
    pub cancel: bool,
    /// Check in, start, complete, no-show (the desk, admins, and its own doctor).
    pub change_status: bool,
    /// Start its meeting as the host (its own doctor, or an admin).
    pub start_meeting: bool,
    /// Send its failed meeting to the provider again (the desk, admins, and its own doctor).
    pub retry_meeting: bool,
    /// Send the patient's e-mail again (those who book).
    pub resend_mail: bool,
}

impl Actor {
    /// What this actor may do with `visit` now.
    pub fn rights_on(&self, visit: &Appointment) -> VisitRights {
        let on = |action: Action| self.may_for(action, visit.doctor_id).is_ok();
        VisitRights {
            reschedule: on(Action::Book) && visit.status.is_movable(),
            cancel: on(Action::Book) && visit.status.can_become(Status::Cancelled),
            change_status: on(Action::ChangeStatus),
            start_meeting: on(Action::StartMeeting),
            retry_meeting: on(Action::RetryMeeting),
            resend_mail: on(Action::Book),
        }
    }

    /// The statuses this actor may give `visit` next: what the lifecycle allows, and what
    /// [`Actor::rights_on`] lets them do (cancelling is booking work; the rest, status work).
    pub fn next_statuses(&self, visit: &Appointment) -> Vec<Status> {
        let rights = self.rights_on(visit);
        Status::ALL
            .iter()
            .copied()
            .filter(|s| visit.status.can_become(*s))
            .filter(|s| if *s == Status::Cancelled { rights.cancel } else { rights.change_status })
            .collect()
    }
}

/// What a person reads of the clinic's visits and patients. Under the clinic's minimum-necessary
/// setting ([`crate::Clinic::own_patients_only`]) a doctor reads only their own patients: their
/// visits in full, other doctors' visits as busy time (no patient, no type), and the records of
/// patients who have a visit with them. Everyone else, and every doctor otherwise, reads all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sight {
    Everything,
    /// This doctor's own visits and patients only.
    OwnPatients(StaffId),
}

impl Sight {
    /// Whether visits of `doctor` show with their patient and type (else as busy time).
    pub fn sees_visits_of(self, doctor: StaffId) -> bool {
        match self {
            Sight::Everything => true,
            Sight::OwnPatients(own) => own == doctor,
        }
    }

    /// Refuses opening a visit of `doctor` that this sight shows only as busy time.
    ///
    /// # Errors
    /// [`CoreError::Forbidden`].
    pub fn check_visit_of(self, doctor: StaffId) -> Result<()> {
        if self.sees_visits_of(doctor) {
            return Ok(());
        }
        Err(CoreError::Forbidden(OTHER_PATIENT.to_owned()))
    }
}

/// Why a doctor may not open another doctor's visit or patient under the minimum-necessary setting.
pub(crate) const OTHER_PATIENT: &str =
    "this is another doctor's patient: the clinic shows each doctor only their own patients";

impl Actor {
    /// What this actor reads, given the clinic's minimum-necessary setting.
    pub fn sight(&self, own_patients_only: bool) -> Sight {
        match self {
            Actor::Staff { id, role: Role::Doctor } if own_patients_only => Sight::OwnPatients(*id),
            _ => Sight::Everything,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn staff(id: i64, role: Role) -> Actor {
        Actor::Staff { id: StaffId(id), role }
    }

    /// The whole table, for every action: who may, and a doctor only on their own.
    #[test]
    fn each_action_names_its_roles_and_doctors_act_on_their_own() {
        let own = StaffId(7);
        let other = StaffId(8);
        for &action in Action::ALL {
            for &role in Role::ALL {
                let me = staff(own.0, role);
                let allowed = action.roles().contains(&role);
                assert_eq!(me.may(action).is_ok(), allowed, "{action:?} as {role}");
                assert_eq!(me.may_for(action, own).is_ok(), allowed, "{action:?} as {role} on own");
                let on_other = me.may_for(action, other);
                let expect = allowed && !(role == Role::Doctor && action.doctors_own_only());
                assert_eq!(on_other.is_ok(), expect, "{action:?} as {role} on another doctor's");
                if let Err(e) = on_other {
                    assert_eq!(e.kind(), ErrorKind::Forbidden);
                }
            }
            let cli = Actor::Tool { tool: "cli", user: "it".into() };
            assert!(cli.may_for(action, other).is_ok(), "the command line acts with the clinic's rights");
        }
    }

    #[test]
    fn the_rules_as_the_clinic_knows_them() {
        let doctor = staff(1, Role::Doctor);
        let desk = staff(2, Role::Receptionist);
        assert!(doctor.may(Action::Book).is_err(), "doctors do not book");
        assert!(desk.may_for(Action::ChangeStatus, StaffId(1)).is_ok(), "the desk checks patients in");
        assert!(desk.may(Action::StartMeeting).is_err(), "only the doctor or an admin hosts");
        assert!(desk.may(Action::Administer).is_err());
        assert!(doctor.may_for(Action::ManageAccount, StaffId(1)).is_ok());
        let refusal = doctor.may(Action::Administer).unwrap_err().to_string();
        assert_eq!(refusal, "only admin can do this; you are signed in as doctor");
    }

    fn visit(doctor: StaffId, status: Status) -> Appointment {
        let start = chrono::DateTime::from_timestamp(1_783_344_600, 0).unwrap_or_default();
        Appointment {
            id: crate::model::AppointmentId(1),
            patient_id: crate::model::PatientId(1),
            doctor_id: doctor,
            type_id: crate::model::TypeId(1),
            start,
            end: start + chrono::Duration::minutes(30),
            tz: chrono_tz::UTC,
            local_start: start.fixed_offset(),
            duration_minutes: 30,
            topic: None,
            description: None,
            status,
            cancel_reason: None,
            meeting: None,
        }
    }

    /// What the app offers on a visit is the table applied to it: a doctor is offered nothing
    /// the core would refuse (no drag, no cancel, nothing on another doctor's visit).
    #[test]
    fn rights_on_a_visit_are_the_table_applied_to_it() {
        let (own, other) = (StaffId(7), StaffId(8));
        for &role in Role::ALL {
            let me = staff(own.0, role);
            for &status in Status::ALL {
                for doctor in [own, other] {
                    let v = visit(doctor, status);
                    let rights = me.rights_on(&v);
                    let books = role != Role::Doctor;
                    let theirs = role != Role::Doctor || doctor == own;
                    let case = format!("{role} on {status:?} of {doctor:?}");
                    assert_eq!(rights.reschedule, books && status.is_movable(), "{case}");
                    assert_eq!(rights.cancel, books && status.can_become(Status::Cancelled), "{case}");
                    assert_eq!(rights.change_status, theirs, "{case}");
                    assert_eq!(rights.retry_meeting, theirs, "{case}");
                    assert_eq!(rights.resend_mail, books, "{case}");
                    let hosts = role == Role::Admin || (role == Role::Doctor && doctor == own);
                    assert_eq!(rights.start_meeting, hosts, "{case}");
                    for next in me.next_statuses(&v) {
                        assert!(status.can_become(next), "{case}: {next:?}");
                        assert!(if next == Status::Cancelled { books } else { theirs }, "{case}: {next:?}");
                    }
                }
            }
        }
        let doctor = staff(own.0, Role::Doctor);
        assert_eq!(
            doctor.next_statuses(&visit(own, Status::Booked)),
            [Status::CheckedIn, Status::InProgress, Status::NoShow],
            "their own visit, but no cancel"
        );
        assert!(doctor.next_statuses(&visit(other, Status::Booked)).is_empty());
        let desk = staff(1, Role::Receptionist);
        assert!(desk.next_statuses(&visit(other, Status::Booked)).contains(&Status::Cancelled));
    }

    /// Under the minimum-necessary setting a doctor reads only their own visits; nobody else is
    /// narrowed, and without the setting nobody is.
    #[test]
    fn only_doctors_are_narrowed_and_only_when_the_clinic_asks() {
        let (own, other) = (StaffId(7), StaffId(8));
        for &role in Role::ALL {
            let me = staff(own.0, role);
            assert_eq!(me.sight(false), Sight::Everything, "{role} without the setting");
            let sight = me.sight(true);
            assert!(sight.sees_visits_of(own));
            assert_eq!(sight.sees_visits_of(other), role != Role::Doctor, "{role} with the setting");
            assert_eq!(sight.check_visit_of(other).is_ok(), role != Role::Doctor);
        }
        let cli = Actor::Tool { tool: "cli", user: "it".into() };
        assert_eq!(cli.sight(true), Sight::Everything, "the command line reads with the clinic's rights");
        let refusal = staff(own.0, Role::Doctor).sight(true).check_visit_of(other).unwrap_err();
        assert_eq!(refusal.kind(), ErrorKind::Forbidden);
        assert!(refusal.to_string().contains("only their own patients"), "{refusal}");
    }
}
