//! The clinic's own wording of the patient e-mails (`mail_templates`): one row per replaced
//! text, read together with the built-in texts of `mail_text` into the effective texts the mail
//! worker sends and the settings screen shows.
//!
//! Each change and each reset is one transaction with its audit row (`mail_template_changed`,
//! detail `{language, key, text}`, `text` null when the default applies again), as provider
//! settings are audited with their value. A text is clinic wording, never patient data.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::audit::{self, AuditAbout, AuditAction};
use super::sql;
use super::Store;
use crate::error::Result;
use crate::mail_text::{self, Language, MailKind, MailTexts, RenderedMail, TextKey};
use crate::model::Actor;

/// One text of the patient e-mails as the settings screen and `mail templates` show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
pub struct MailTemplate {
    pub language: Language,
    pub key: TextKey,
    /// The text in effect: the clinic's own, or the default.
    pub text: String,
    /// The built-in text, which a reset brings back.
    pub default_text: String,
    /// Whether the clinic replaced the default.
    pub overridden: bool,
    /// Who last changed it (a member of staff's name, or `cli:<os user>`), while overridden.
    pub changed_by: Option<String>,
    pub changed_at: Option<DateTime<Utc>>,
    /// The placeholders the text must keep ([`TextKey::required`]), e.g. `link`.
    pub required: Vec<String>,
    /// A subject: one line.
    pub one_line: bool,
}

/// A text being edited and not saved yet, for a preview.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, specta::Type)]
pub struct TextDraft {
    pub key: TextKey,
    pub text: String,
}

#[derive(sqlx::FromRow)]
struct OverrideRow {
    key: String,
    text: String,
    changed_by: String,
    changed_by_name: Option<String>,
    changed_at_ms: i64,
}

impl Store {
    /// The stored overrides of `language` that still pass the rules, by key. One that does not
    /// (written by hand, or by a version with looser rules) is left out, so its default is
    /// sent, and a warning names its language and key (never its text).
    async fn overrides(&self, language: Language) -> Result<Vec<(TextKey, String, OverrideRow)>> {
        let rows: Vec<OverrideRow> = sql::query_as(
            "SELECT m.key, m.text, m.changed_by, s.name AS changed_by_name, m.changed_at_ms
             FROM mail_templates m LEFT JOIN staff s ON m.changed_by = 'staff:' || s.id
             WHERE m.language = $1",
        )
        .bind(language.code())
        .fetch_all(self.reads())
        .await?;
        let mut usable = Vec::new();
        for row in rows {
            match row.key.parse::<TextKey>().and_then(|k| k.check(&row.text).map(|text| (k, text))) {
                Ok((key, text)) => usable.push((key, text, row)),
                Err(_) => tracing::warn!(
                    language = language.code(),
                    key = %row.key,
                    "a stored patient e-mail text breaks the rules; its default is used"
                ),
            }
        }
        Ok(usable)
    }

    /// The texts the patient e-mails of `language` are written in: the defaults, with the
    /// clinic's overrides in place.
    ///
    /// # Errors
    /// [`crate::CoreError::Storage`].
    pub async fn mail_texts(&self, language: Language) -> Result<MailTexts> {
        let mut texts = MailTexts::defaults(language);
        for (key, text, _) in self.overrides(language).await? {
            texts.set(key, text);
        }
        Ok(texts)
    }

    /// Every text of `language`, in the order the messages use them, each with its default and
    /// whether (and by whom) it was changed.
    ///
    /// # Errors
    /// [`crate::CoreError::Storage`].
    pub async fn mail_templates(&self, language: Language) -> Result<Vec<MailTemplate>> {
        let overrides = self.overrides(language).await?;
        Ok(TextKey::ALL
            .into_iter()
            .map(|key| {
                let default_text = language.default_text(key).to_owned();
                match overrides.iter().find(|(k, _, _)| *k == key) {
                    Some((_, text, row)) => MailTemplate {
                        language,
                        key,
                        text: text.clone(),
                        default_text,
                        overridden: true,
                        changed_by: Some(
                            row.changed_by_name.clone().unwrap_or_else(|| row.changed_by.clone()),
                        ),
                        changed_at: DateTime::from_timestamp_millis(row.changed_at_ms),
                        required: required(key),
                        one_line: key.is_subject(),
                    },
                    None => MailTemplate {
                        language,
                        key,
                        text: default_text.clone(),
                        default_text,
                        overridden: false,
                        changed_by: None,
                        changed_at: None,
                        required: required(key),
                        one_line: key.is_subject(),
                    },
                }
            })
            .collect())
    }

    /// Replaces the default of one text with the clinic's own wording, after checking it
    /// ([`TextKey::check`]), and records who did it in the audit log, in one transaction. A
    /// text equal to the default is not kept as an override: the text follows the default again.
    ///
    /// # Errors
    /// [`crate::CoreError::InvalidField`] naming `key` when the text breaks a rule;
    /// [`crate::CoreError::Storage`].
    pub async fn set_mail_template(
        &self,
        actor: &Actor,
        language: Language,
        key: TextKey,
        text: &str,
    ) -> Result<MailTemplate> {
        actor.may(crate::access::Action::Administer)?;
        let text = key.check(text)?;
        let kept = (text != language.default_text(key)).then_some(text);
        self.write_mail_template(actor, language, key, kept.as_deref()).await
    }

    /// Brings back the default of one text (deleting the clinic's own wording, if any), and
    /// records it in the audit log, in one transaction.
    ///
    /// # Errors
    /// [`crate::CoreError::Storage`].
    pub async fn reset_mail_template(
        &self,
        actor: &Actor,
        language: Language,
        key: TextKey,
    ) -> Result<MailTemplate> {
        actor.may(crate::access::Action::Administer)?;
        self.write_mail_template(actor, language, key, None).await
    }

    async fn write_mail_template(
        &self,
        actor: &Actor,
        language: Language,
        key: TextKey,
        text: Option<&str>,
    ) -> Result<MailTemplate> {
        let now = self.now();
        let mut tx = self.write().await?;
        match text {
            Some(text) => {
                sql::query(
                    "INSERT INTO mail_templates (language, key, text, changed_by, changed_at_ms)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (language, key) DO UPDATE SET text = excluded.text,
                       changed_by = excluded.changed_by, changed_at_ms = excluded.changed_at_ms",
                )
                .bind(language.code())
                .bind(key.as_str())
                .bind(text)
                .bind(actor.to_string())
                .bind(now.timestamp_millis())
                .execute(&mut tx)
                .await?;
            }
            None => {
                sql::query("DELETE FROM mail_templates WHERE language = $1 AND key = $2")
                    .bind(language.code())
                    .bind(key.as_str())
                    .execute(&mut tx)
                    .await?;
            }
        }
        let detail = serde_json::json!({ "language": language, "key": key, "text": text });
        audit::append(&mut tx, now, actor, AuditAction::MailTemplateChanged, AuditAbout::NOTHING, &detail)
            .await?;
        tx.commit().await?;
        let all = self.mail_templates(language).await?;
        Ok(all.into_iter().find(|t| t.key == key).unwrap_or_else(|| MailTemplate {
            language,
            key,
            text: text.unwrap_or(language.default_text(key)).to_owned(),
            default_text: language.default_text(key).to_owned(),
            overridden: text.is_some(),
            changed_by: None,
            changed_at: None,
            required: required(key),
            one_line: key.is_subject(),
        }))
    }

    /// A message of `kind` in `language` as the clinic's texts write it, with `drafts` (texts
    /// being edited, checked as a save checks them) in place of the saved ones, filled with
    /// sample facts ([`mail_text::preview`]): the clinic's name and zone, no patient.
    ///
    /// # Errors
    /// [`crate::CoreError::InvalidField`] naming a draft's key when it breaks a rule;
    /// [`crate::CoreError::NotInitialized`]; [`crate::CoreError::Storage`].
    pub async fn preview_mail(
        &self,
        language: Language,
        kind: MailKind,
        drafts: &[TextDraft],
    ) -> Result<RenderedMail> {
        let clinic = self.require_clinic().await?;
        let mut texts = self.mail_texts(language).await?;
        for draft in drafts {
            texts.set(draft.key, draft.key.check(&draft.text)?);
        }
        Ok(mail_text::preview(&texts, kind, &clinic.name, clinic.tz, self.now()))
    }
}

fn required(key: TextKey) -> Vec<String> {
    key.required().iter().map(|p| (*p).to_owned()).collect()
}
