//! Patient e-mail through a real SMTP server (aiosmtpd on 127.0.0.1, STARTTLS with a
//! certificate made here and trusted through `smtp.ca_file`): the message arrives, its .ics
//! parses alike with Python's icalendar and ical.js at the right UTC instants (across a DST
//! change), a cancellation is `METHOD:CANCEL` with the same UID and a higher SEQUENCE, a server
//! that is down leaves the mail pending and it is then sent exactly once, and a patient without
//! an address gets nothing. Run inside `scripts/session` (the SMTP password is a keyring secret).
#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

mod common;

use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::Clinic;
use serde_json::Value;

const PATIENT_EMAIL: &str = "jane@example.com";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A self-signed certificate for 127.0.0.1 (not a CA: rustls refuses a CA as the server's own).
fn certificate(dir: &Path) -> (PathBuf, PathBuf) {
    let config = dir.join("openssl.cnf");
    std::fs::write(
        &config,
        "[req]\ndistinguished_name = dn\nx509_extensions = v3\nprompt = no\n[dn]\nCN = 127.0.0.1\n\
         [v3]\nbasicConstraints = critical,CA:FALSE\nsubjectAltName = IP:127.0.0.1\n\
         keyUsage = digitalSignature\nextendedKeyUsage = serverAuth\n",
    )
    .unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
        ])
        .arg("-config")
        .arg(&config)
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    (cert, key)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// aiosmtpd writing every message it accepts to a Maildir; STARTTLS required.
struct Smtp {
    child: Child,
}

impl Smtp {
    fn start(port: u16, maildir: &Path, cert: &Path, key: &Path) -> Smtp {
        let child = Command::new(root().join(".venv/bin/python"))
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .arg("--tlscert")
            .arg(cert)
            .arg("--tlskey")
            .arg(key)
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd (scripts/setup installs it in .venv)");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(20), "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        Smtp { child }
    }
}

impl Drop for Smtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A seeded clinic whose SMTP settings point at 127.0.0.1:`port` and trust `cert`.
struct MailClinic {
    clinic: Clinic,
    maildir: PathBuf,
    cert: PathBuf,
    key: PathBuf,
    port: u16,
}

impl MailClinic {
    fn new() -> MailClinic {
        let clinic = Clinic::seeded();
        let (cert, key) = certificate(clinic.path());
        let maildir = clinic.path().join("maildir");
        let port = free_port();
        let c = MailClinic { clinic, maildir, cert, key, port };
        for (k, v) in [
            ("smtp.host", "127.0.0.1".to_owned()),
            ("smtp.port", port.to_string()),
            ("smtp.security", "starttls".to_owned()),
            ("smtp.from", "desk@maple.example".to_owned()),
            ("smtp.ca_file", c.cert.display().to_string()),
        ] {
            c.clinic.run(&["config", "set", k, &v]).ok();
        }
        c
    }

    fn smtp(&self) -> Smtp {
        Smtp::start(self.port, &self.maildir, &self.cert, &self.key)
    }

    fn run_mail(&self) -> Value {
        let run = self.clinic.run(&["--json", "mail", "run", "--once"]);
        run.ok();
        assert!(!run.stderr.contains(PATIENT_EMAIL) && !run.stderr.contains("Jane"), "{}", run.stderr);
        run.json()
    }

    fn mail_state(&self, appointment: &Value) -> Value {
        self.clinic.json(&["show", &appointment["id"].to_string()])["mail"].clone()
    }

    fn sql(&self, statement: &str) {
        self.clinic.sql(statement);
    }
}

/// The messages in the Maildir, oldest first: subject, recipient, Message-ID, text and .ics.
fn messages(maildir: &Path) -> Vec<Value> {
    if !maildir.join("new").is_dir() {
        return Vec::new();
    }
    let script = r#"
import email, json, pathlib, sys
from email import policy
out = []
for p in sorted(pathlib.Path(sys.argv[1], "new").iterdir(), key=lambda p: p.stat().st_mtime_ns):
    m = email.message_from_bytes(p.read_bytes(), policy=policy.default)
    ics = None
    ctype = None
    for part in m.iter_attachments():
        if part.get_content_type() == "text/calendar":
            ics = part.get_content()
            ctype = str(part["Content-Type"])
    out.append({"subject": str(m["subject"]), "to": str(m["to"]), "message_id": str(m["message-id"]),
                "body": m.get_body(("plain",)).get_content(), "ics": ics, "ics_type": ctype})
print(json.dumps(out))
"#;
    let out =
        Command::new(root().join(".venv/bin/python")).arg("-c").arg(script).arg(maildir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap()
}

/// Parses an .ics text with both independent parsers and checks they agree.
fn ics_events(dir: &Path, ics: &str) -> Value {
    let file = dir.join("invite.ics");
    std::fs::File::create(&file).unwrap().write_all(ics.as_bytes()).unwrap();
    let parse = |cmd: &mut Command| -> Value {
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let python = parse(
        Command::new(root().join(".venv/bin/python")).arg(root().join("tests/ics_events.py")).arg(&file),
    );
    let ical_js = parse(Command::new("node").arg(root().join("tests/peers/ics_events.mjs")).arg(&file));
    assert_eq!(python, ical_js, "the two parsers read the file differently: {ics}");
    python
}

fn book(c: &MailClinic, patient: &str, kind: &str, at: &str) -> Value {
    c.clinic.json(&["book", "--patient", patient, "--doctor", "1", "--type", kind, "--at", at])
}

#[test]
fn invitation_update_and_cancellation_arrive_at_the_right_instants_across_dst() {
    let c = MailClinic::new();
    let _smtp = c.smtp();
    // Saturday 2026-03-07 09:30 in Toronto is EST (-5): 14:30Z.
    let a = book(&c, "1", "2", "2026-03-07T09:30");
    assert_eq!(c.mail_state(&a)["state"], "pending");
    assert_eq!(c.run_mail()["sent"], 1);
    let state = c.mail_state(&a);
    assert_eq!(state["state"], "sent", "{state}");
    assert_eq!(state["sent_method"], "REQUEST");

    let got = messages(&c.maildir);
    assert_eq!(got.len(), 1);
    let first = &got[0];
    assert_eq!(first["to"], PATIENT_EMAIL);
    let body = first["body"].as_str().unwrap();
    for needle in [
        "Maple Clinic",
        "Dr Ada Lee",
        "Saturday, March 7, 2026 at 09:30",
        "America/Toronto, EST",
        "call the clinic",
    ] {
        assert!(body.contains(needle), "{needle:?} missing from {body}");
    }
    assert!(!body.contains("Jane"), "the message does not name the patient: {body}");
    let ics_type = first["ics_type"].as_str().unwrap().replace('"', "");
    assert!(ics_type.starts_with("text/calendar") && ics_type.contains("method=REQUEST"), "{ics_type}");
    let ics = first["ics"].as_str().unwrap();
    assert!(ics.contains("BEGIN:VTIMEZONE") && ics.contains("TZID:America/Toronto"), "{ics}");
    assert!(ics.contains("DTSTART;TZID=America/Toronto:20260307T093000"), "{ics}");
    assert_eq!(ics.matches("PRODID:").count(), 1, "{ics}");
    let parsed = ics_events(c.clinic.path(), ics);
    assert_eq!(parsed["method"], "REQUEST");
    let event = &parsed["events"][0];
    assert_eq!(event["start"], "2026-03-07T14:30:00.000Z");
    assert_eq!(event["end"], "2026-03-07T15:30:00.000Z");
    assert_eq!(event["sequence"], 0);
    let uid = event["uid"].as_str().unwrap().to_owned();
    assert!(uid.starts_with(&format!("appointment-{}@", a["id"])), "{uid}");

    // Moved across the change to daylight time: Monday 09:30 is EDT (-4), 13:30Z.
    c.clinic.run(&["move", &a["id"].to_string(), "--at", "2026-03-09T09:30"]).ok();
    assert_eq!(c.run_mail()["sent"], 1);
    let got = messages(&c.maildir);
    assert_eq!(got.len(), 2);
    assert!(got[1]["body"].as_str().unwrap().contains("has moved"), "{}", got[1]["body"]);
    let moved = ics_events(c.clinic.path(), got[1]["ics"].as_str().unwrap());
    assert_eq!(moved["method"], "REQUEST");
    assert_eq!(moved["events"][0]["uid"], uid.as_str());
    assert_eq!(moved["events"][0]["start"], "2026-03-09T13:30:00.000Z");
    assert_eq!(moved["events"][0]["sequence"], 1);

    // Cancelled: METHOD:CANCEL, the same UID, a higher SEQUENCE, and the reason in the text.
    c.clinic.run(&["cancel", &a["id"].to_string(), "--reason", "Doctor away"]).ok();
    assert_eq!(c.run_mail()["sent"], 1);
    let got = messages(&c.maildir);
    assert_eq!(got.len(), 3);
    let body = got[2]["body"].as_str().unwrap();
    assert!(body.contains("has been cancelled") && body.contains("Reason: Doctor away"), "{body}");
    let cancelled = ics_events(c.clinic.path(), got[2]["ics"].as_str().unwrap());
    assert_eq!(cancelled["method"], "CANCEL");
    assert_eq!(cancelled["events"][0]["uid"], uid.as_str());
    assert_eq!(cancelled["events"][0]["sequence"], 2);
    assert_eq!(c.mail_state(&a)["sent_method"], "CANCEL");
    // Nothing more to send; the list is empty.
    assert_eq!(c.run_mail()["sent"], 0);
    assert_eq!(c.clinic.json(&["mail", "list"]), serde_json::json!([]));
}

#[test]
fn smtp_down_keeps_the_mail_pending_then_it_is_sent_exactly_once() {
    let c = MailClinic::new();
    let a = book(&c, "1", "2", "2026-05-04T10:00");
    let report = c.run_mail();
    assert_eq!(report["waiting"], 1, "{report}");
    let state = c.mail_state(&a);
    assert_eq!(state["state"], "pending", "{state}");
    assert!(state["reason"].as_str().unwrap().contains("unavailable"), "{state}");
    assert!(!state.to_string().contains(PATIENT_EMAIL));
    let listed = c.clinic.json(&["mail", "list"]);
    assert_eq!(listed[0]["appointment_id"], a["id"]);
    assert_eq!(listed[0]["tries"], 1);

    let _smtp = c.smtp();
    assert_eq!(c.run_mail()["sent"], 1);
    assert_eq!(c.run_mail()["sent"], 0);
    assert_eq!(c.mail_state(&a)["state"], "sent");
    let got = messages(&c.maildir);
    assert_eq!(got.len(), 1, "exactly one message: {got:?}");
    let event = &ics_events(c.clinic.path(), got[0]["ics"].as_str().unwrap())["events"][0];
    assert_eq!(event["start"], "2026-05-04T14:00:00.000Z");

    // Resend sends the same change again: same Message-ID, UID and SEQUENCE, so harmless.
    c.clinic.run(&["mail", "resend", &a["id"].to_string()]).ok();
    assert_eq!(c.run_mail()["sent"], 1);
    let got = messages(&c.maildir);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0]["message_id"], got[1]["message_id"]);
    // Each message sent is one audit row, with ids and never the address.
    let audit = c.clinic.json(&["audit"]);
    let sent: Vec<&Value> = audit.as_array().unwrap().iter().filter(|r| r["action"] == "mail_sent").collect();
    assert_eq!(sent.len(), 2, "{audit}");
    assert!(sent.iter().all(|r| r["appointment_id"] == a["id"] && r["actor"] == "system:mail"), "{audit}");
    assert!(sent.iter().all(|r| !r.to_string().contains('@')), "{audit}");
}

#[test]
fn a_patient_without_an_email_gets_no_mail_and_the_state_says_so() {
    let c = MailClinic::new();
    let _smtp = c.smtp();
    let a = book(&c, "2", "2", "2026-05-04T11:00");
    let state = c.mail_state(&a);
    assert_eq!(state["state"], "skipped", "{state}");
    assert!(state["reason"].as_str().unwrap().contains("no e-mail address"), "{state}");
    assert_eq!(c.run_mail()["sent"], 0);
    assert!(messages(&c.maildir).is_empty());
    c.clinic.run(&["mail", "resend", &a["id"].to_string()]).refused("no e-mail address");
}

#[test]
fn a_telehealth_invitation_waits_for_the_join_link_and_speaks_the_clinic_language() {
    let c = MailClinic::new();
    let _smtp = c.smtp();
    c.sql("UPDATE clinic SET locale = 'fr-CA'");
    let a = book(&c, "1", "1", "2026-05-04T10:00");
    assert_eq!(c.run_mail()["sent"], 0);
    let state = c.mail_state(&a);
    assert_eq!(state["state"], "pending");
    assert!(state["reason"].as_str().unwrap().contains("join link"), "{state}");
    assert!(messages(&c.maildir).is_empty());

    let link = "https://zoom.example/j/123456789?pwd=abc";
    c.sql(&format!(
        "UPDATE meetings SET state = 'ready', waiting = NULL, zoom_id = 123456789, join_url = '{link}' WHERE appointment_id = {}",
        a["id"]
    ));
    assert_eq!(c.run_mail()["sent"], 1);
    let got = messages(&c.maildir);
    assert_eq!(got.len(), 1);
    let body = got[0]["body"].as_str().unwrap();
    assert!(body.contains("lundi 4 mai 2026 à 10:00 (heure America/Toronto, EDT)"), "{body}");
    assert!(body.contains(link) && body.contains("téléphoner à la clinique"), "{body}");
    let event = &ics_events(c.clinic.path(), got[0]["ics"].as_str().unwrap())["events"][0];
    assert_eq!(event["location"], link);
    assert_eq!(event["url"], link);
    assert_eq!(event["start"], "2026-05-04T14:00:00.000Z");
}

#[test]
fn the_clinic_own_french_wording_is_what_the_patient_receives() {
    let c = MailClinic::new();
    let _smtp = c.smtp();
    c.sql("UPDATE clinic SET locale = 'fr-CA'");
    let set = |key: &str, text: &str| {
        c.clinic.run(&["mail", "template", "set", "fr", key, text]).ok();
    };
    set("subject_new", "Rendez-vous confirmé : {date} à {time}");
    set("booked", "Nous vous attendons le {date} à {time} chez {clinic}, avec {doctor}.");
    let a = book(&c, "1", "2", "2026-05-04T10:00");
    assert_eq!(c.run_mail()["sent"], 1);
    let got = messages(&c.maildir);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["subject"], "Rendez-vous confirmé : lundi 4 mai 2026 à 10:00");
    let body = got[0]["body"].as_str().unwrap();
    assert!(
        body.contains("Nous vous attendons le lundi 4 mai 2026 à 10:00 chez Maple Clinic, avec Dr Ada Lee."),
        "{body}"
    );
    // The texts not changed keep their default, and the invitation carries the same words.
    assert!(body.starts_with("Bonjour,") && body.contains("téléphoner à la clinique"), "{body}");
    assert!(!body.contains("aura lieu"), "{body}");
    let ics = got[0]["ics"].as_str().unwrap().replace("\r\n ", "").replace("\n ", "");
    assert!(ics.contains("Nous vous attendons le lundi 4 mai"), "{ics}");

    // Back to the default, the update after a move speaks the built-in words again.
    c.clinic.run(&["mail", "template", "reset", "fr", "booked"]).ok();
    c.clinic.run(&["move", &a["id"].to_string(), "--at", "2026-05-04T11:00"]).ok();
    assert_eq!(c.run_mail()["sent"], 1);
    let moved = messages(&c.maildir)[1]["body"].as_str().unwrap().to_owned();
    assert!(moved.contains("a été déplacé. Il aura lieu le lundi 4 mai 2026 à 11:00"), "{moved}");
}

#[test]
fn a_refusal_fails_the_mail_with_the_reason_and_plain_smtp_is_only_for_this_computer() {
    let c = MailClinic::new();
    let _smtp = c.smtp();
    // The server requires STARTTLS; a plain send is refused with 530.
    c.clinic.run(&["config", "set", "smtp.security", "none"]).ok();
    let a = book(&c, "1", "2", "2026-05-04T10:00");
    assert_eq!(c.run_mail()["failed"], 1);
    let state = c.mail_state(&a);
    assert_eq!(state["state"], "failed", "{state}");
    assert!(state["reason"].as_str().unwrap().contains("530"), "{state}");
    assert!(!state.to_string().contains(PATIENT_EMAIL));

    // Plain SMTP to another host is refused before anything is sent.
    c.clinic.run(&["config", "set", "smtp.host", "smtp.maple.example"]).ok();
    c.clinic.run(&["mail", "resend", &a["id"].to_string()]).ok();
    assert_eq!(c.run_mail()["waiting"], 1);
    assert!(c.mail_state(&a)["reason"].as_str().unwrap().contains("only for a server on 127.0.0.1"));
    c.clinic.run(&["config", "set", "smtp.security", "plain"]).refused("starttls, tls or none");
    c.clinic.run(&["config", "set", "smtp.port", "70000"]).refused("port");
}

#[test]
fn a_crash_around_the_send_loses_nothing_and_a_repeat_is_the_same_message() {
    let c = MailClinic::new();
    let _smtp = c.smtp();
    let a = book(&c, "1", "2", "2026-05-04T10:00");
    // Two moves before anything is sent fold into one message carrying the newest SEQUENCE.
    c.clinic.run(&["move", &a["id"].to_string(), "--at", "2026-05-04T11:00"]).ok();
    c.clinic.run(&["move", &a["id"].to_string(), "--at", "2026-05-04T12:00"]).ok();
    let crash = |point: &str| {
        let out = c
            .clinic
            .command()
            .env("FRONTDESK_CRASH_AT", point)
            .args(["mail", "run", "--once"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "the worker stopped at {point}");
    };
    // Killed before the message went: nothing arrived, and the next pass sends it.
    crash("mail:before-send");
    assert!(messages(&c.maildir).is_empty());
    assert_eq!(c.mail_state(&a)["state"], "pending");
    // Killed after the server accepted it, before the app wrote that down: the next pass sends
    // it again, as the very same message (Message-ID, UID, SEQUENCE), which calendars apply once.
    crash("mail:before-record");
    assert_eq!(messages(&c.maildir).len(), 1);
    assert_eq!(c.mail_state(&a)["state"], "pending");
    assert_eq!(c.run_mail()["sent"], 1);
    assert_eq!(c.run_mail()["sent"], 0);
    let got = messages(&c.maildir);
    assert_eq!(got.len(), 2);
    assert_eq!(got[0]["message_id"], got[1]["message_id"]);
    let first = ics_events(c.clinic.path(), got[0]["ics"].as_str().unwrap());
    let second = ics_events(c.clinic.path(), got[1]["ics"].as_str().unwrap());
    assert_eq!(first["events"][0]["uid"], second["events"][0]["uid"]);
    assert_eq!(first["events"][0]["sequence"], 2);
    assert_eq!(second["events"][0]["sequence"], 2);
    assert_eq!(second["events"][0]["start"], "2026-05-04T16:00:00.000Z");
    assert_eq!(c.mail_state(&a)["state"], "sent");
}

#[test]
fn the_password_comes_from_the_keyring_and_a_wrong_one_fails_with_the_reason() {
    let c = MailClinic::new();
    let password = "kestrel-Vane-2209";
    let set_password = |value: &str| {
        // On the clinic's server, the secret goes to the clinic service's keyring.
        let _service = c.clinic.service();
        let mut child = c
            .clinic
            .command()
            .args(["config", "set", "smtp.password", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(format!("{value}\n").as_bytes()).unwrap();
        assert!(child.wait().unwrap().success());
    };
    c.clinic.run(&["config", "set", "smtp.user", "desk"]).ok();
    set_password(password);
    let shown = c.clinic.json(&["config", "get", "smtp.password"]).to_string();
    assert!(shown.contains("set") && !shown.contains("not set") && !shown.contains(password), "{shown}");
    // Stopped when dropped, as aiosmtpd's command line is.
    let _server = Smtp {
        child: Command::new(root().join(".venv/bin/python"))
            .arg(root().join("tests/peers/smtp_auth.py"))
            .arg(c.port.to_string())
            .arg(&c.maildir)
            .arg(&c.cert)
            .arg(&c.key)
            .args(["desk", password])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    };
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", c.port)).is_err() {
        assert!(started.elapsed() < Duration::from_secs(20), "the SMTP server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let a = book(&c, "1", "2", "2026-05-04T10:00");
    assert_eq!(c.run_mail()["sent"], 1);
    assert_eq!(messages(&c.maildir).len(), 1);

    set_password("wrong-password");
    c.clinic.run(&["mail", "resend", &a["id"].to_string()]).ok();
    let run = c.clinic.run(&["--json", "mail", "run", "--once"]);
    run.ok();
    assert_eq!(run.json()["failed"], 1, "{}", run.stdout);
    let state = c.mail_state(&a);
    assert_eq!(state["state"], "failed");
    assert!(state["reason"].as_str().unwrap().contains("535"), "{state}");
    for text in [
        run.stdout.as_str(),
        run.stderr.as_str(),
        &state.to_string(),
        &c.clinic.run(&["config", "list"]).stdout,
    ] {
        assert!(!text.contains(password) && !text.contains("wrong-password"), "{text}");
    }
    assert_eq!(messages(&c.maildir).len(), 1);
}
