//! The clinic's own wording of the patient e-mails, on both engines (see `engines`): an override is what
//! the message says, a reset brings the default back, refused texts name their field and change
//! nothing, and each change is one audit row.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests panic on purpose

mod engines;

use chrono::{DateTime, Utc};
use engines::TestDb;
use frontdesk_core::mail_text::{render, Language, MailFacts, MailKind, TextKey};
use frontdesk_core::store::{Engine, TextDraft};
use frontdesk_core::{Actor, CoreError, StaffId, Store};

async fn clinic(engine: Engine) -> (TestDb, Store) {
    let db = TestDb::new(engine).await;
    let store = db.open(std::sync::Arc::new(frontdesk_core::SystemClock)).await;
    store.init_clinic("Maple Clinic", "America/Toronto").await.unwrap();
    (db, store)
}

on_both_engines!(
    an_override_is_what_the_message_says_and_a_reset_brings_the_default_back,
    each_change_and_reset_is_one_audit_row,
    a_refused_text_names_its_field_and_changes_nothing,
    the_preview_uses_the_saved_texts_and_the_drafts_without_saving_them,
    a_stored_text_that_breaks_the_rules_is_not_sent,
);

fn admin() -> Actor {
    Actor::Staff { id: StaffId(1), role: frontdesk_core::Role::Admin }
}

fn facts() -> MailFacts<'static> {
    MailFacts {
        clinic: "Maple Clinic",
        doctor: "Dr Ada Lee",
        type_name: "Consult",
        start: DateTime::parse_from_rfc3339("2026-05-04T14:00:00Z").unwrap().with_timezone(&Utc),
        tz: chrono_tz::America::Toronto,
        join_url: Some("https://zoom.example/j/1"),
        reason: None,
    }
}

async fn template_rows(db: &TestDb) -> i64 {
    db.count("SELECT COUNT(*) FROM mail_templates").await
}

async fn audit_rows(store: &Store) -> Vec<serde_json::Value> {
    store
        .audit_log(&Default::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action.as_str() == "mail_template_changed")
        .map(|e| {
            assert_eq!(e.actor, "staff:1");
            e.detail
        })
        .collect()
}

async fn an_override_is_what_the_message_says_and_a_reset_brings_the_default_back(engine: Engine) {
    let (db, store) = clinic(engine).await;
    let join = "Pour la consultation vidéo, cliquez ici : {link}";
    let saved = store.set_mail_template(&admin(), Language::Fr, TextKey::Join, join).await.unwrap();
    assert!(saved.overridden && saved.text == join, "{saved:?}");
    assert_eq!(saved.changed_by.as_deref(), Some("staff:1"));
    assert!(saved.default_text.starts_with("Il s'agit d'une consultation vidéo"));

    let texts = store.mail_texts(Language::Fr).await.unwrap();
    let mail = render(&texts, MailKind::New, &facts());
    assert!(mail.body.contains("cliquez ici : https://zoom.example/j/1"), "{}", mail.body);
    assert!(!mail.body.contains("Il s'agit"), "{}", mail.body);
    // Only French changed.
    let en = render(&store.mail_texts(Language::En).await.unwrap(), MailKind::New, &facts());
    assert!(en.body.contains("This is a video visit"), "{}", en.body);
    let listed = store.mail_templates(Language::Fr).await.unwrap();
    assert_eq!(listed.len(), TextKey::ALL.len());
    assert_eq!(listed.iter().filter(|t| t.overridden).map(|t| t.key).collect::<Vec<_>>(), [TextKey::Join]);

    let reset = store.reset_mail_template(&admin(), Language::Fr, TextKey::Join).await.unwrap();
    assert!(!reset.overridden && reset.text == reset.default_text && reset.changed_by.is_none(), "{reset:?}");
    let mail = render(&store.mail_texts(Language::Fr).await.unwrap(), MailKind::New, &facts());
    assert!(mail.body.contains("Il s'agit d'une consultation vidéo"), "{}", mail.body);
    assert_eq!(template_rows(&db).await, 0);
}

async fn each_change_and_reset_is_one_audit_row(engine: Engine) {
    let (db, store) = clinic(engine).await;
    store.set_mail_template(&admin(), Language::Es, TextKey::Greeting, "Estimado/a paciente:").await.unwrap();
    let rows = audit_rows(&store).await;
    assert_eq!(
        rows,
        [serde_json::json!({ "language": "es", "key": "greeting", "text": "Estimado/a paciente:" })]
    );
    store.reset_mail_template(&admin(), Language::Es, TextKey::Greeting).await.unwrap();
    let rows = audit_rows(&store).await;
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1], serde_json::json!({ "language": "es", "key": "greeting", "text": null }));
    // Saving the default's own words keeps no override: the text follows the default again.
    let same = store.set_mail_template(&admin(), Language::Es, TextKey::Greeting, " Hola: ").await.unwrap();
    assert!(!same.overridden);
    assert_eq!(template_rows(&db).await, 0);
    assert_eq!(audit_rows(&store).await.len(), 3);
}

fn field_error(e: CoreError) -> (String, String) {
    match e {
        CoreError::InvalidField { field, message } => (field.key().to_owned(), message),
        other => panic!("expected a field error, got {other:?}"),
    }
}

async fn a_refused_text_names_its_field_and_changes_nothing(engine: Engine) {
    let (db, store) = clinic(engine).await;
    let refusals = [
        (TextKey::Join, "Join at {lnk}", "{lnk} is not a placeholder"),
        (TextKey::Join, "Join from the invitation.", "must keep {link}"),
        (TextKey::CancelledReason, "Why: see the letter.", "must keep {reason}"),
        (TextKey::Booked, "Your visit with {doctor}.", "must keep {date}"),
        (TextKey::Greeting, "Dear {patient},", "{patient} is not a placeholder"),
        (TextKey::SubjectNew, "Your visit\r\nBcc: everyone@example.org", "one line"),
        (TextKey::SubjectCancelled, "Cancelled\n{date}", "one line"),
        (TextKey::Attached, "   ", "empty"),
    ];
    for (key, text, why) in refusals {
        let e = store.set_mail_template(&admin(), Language::En, key, text).await.unwrap_err();
        assert_eq!(e.kind(), frontdesk_core::ErrorKind::Validation);
        let (field, message) = field_error(e);
        assert_eq!(field, key.as_str(), "{message}");
        assert!(message.contains(why), "{key}: {message}");
    }
    assert_eq!(template_rows(&db).await, 0);
    assert!(audit_rows(&store).await.is_empty());
}

async fn the_preview_uses_the_saved_texts_and_the_drafts_without_saving_them(engine: Engine) {
    let (db, store) = clinic(engine).await;
    store
        .set_mail_template(&admin(), Language::En, TextKey::SignOff, "Maple Clinic\n12 Elm Street")
        .await
        .unwrap();
    let draft = TextDraft { key: TextKey::SubjectCancelled, text: "Not happening: {date}".into() };
    let mail = store.preview_mail(Language::En, MailKind::Cancelled, &[draft]).await.unwrap();
    assert!(mail.subject.starts_with("Not happening: "), "{}", mail.subject);
    assert!(mail.body.ends_with("Maple Clinic\n12 Elm Street\n"), "{}", mail.body);
    assert!(mail.body.contains("Reason: The doctor is away that day."), "{}", mail.body);
    assert_eq!(template_rows(&db).await, 1, "the draft was not saved");

    let bad = TextDraft { key: TextKey::Join, text: "Join: {url}".into() };
    let (field, _) = field_error(store.preview_mail(Language::En, MailKind::New, &[bad]).await.unwrap_err());
    assert_eq!(field, "join");
}

async fn a_stored_text_that_breaks_the_rules_is_not_sent(engine: Engine) {
    let (db, store) = clinic(engine).await;
    db.exec(
        "INSERT INTO mail_templates (language, key, text, changed_by, changed_at_ms) \
         VALUES ('en', 'subject_new', 'Hi\nBcc: all@example.org', 'cli:someone', 0)",
    )
    .await
    .unwrap();
    let texts = store.mail_texts(Language::En).await.unwrap();
    assert!(!texts.is_overridden(TextKey::SubjectNew));
    assert_eq!(
        render(&texts, MailKind::New, &facts()).subject,
        "Your appointment with Dr Ada Lee on Monday, May 4, 2026"
    );
    // The database refuses what no language or key would read.
    let other = db
        .exec(
            "INSERT INTO mail_templates (language, key, text, changed_by, changed_at_ms) \
             VALUES ('de', 'greeting', 'Hallo', 'cli:someone', 0)",
        )
        .await;
    assert!(other.is_err());
}
