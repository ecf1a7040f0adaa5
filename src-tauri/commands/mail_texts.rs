//! The patient e-mails' wording on the admin's Settings screen: list one language's texts,
//! change or reset one (the core checks it and audits it in the same transaction), and preview
//! a message with sample facts. Admins only; the check is here, not in the window.

use frontdesk_core::mail_text::{Language, MailKind, RenderedMail, TextKey};
use frontdesk_core::store::{MailTemplate, TextDraft};
use tauri::State;

use super::store;
use crate::error::AppError;
use crate::AppState;
use frontdesk_core::Action;

/// Every text of `language`, each with its default and whether the clinic changed it.
#[tauri::command]
#[specta::specta]
pub async fn mail_templates(
    state: State<'_, AppState>,
    language: Language,
) -> Result<Vec<MailTemplate>, AppError> {
    state.require(Action::Administer).await?;
    Ok(store(&state)?.mail_templates(language).await?)
}

/// Uses the clinic's own wording for one text. A refused text comes back as a `validation`
/// error whose `field` is the key, so the form shows it beside that text.
#[tauri::command]
#[specta::specta]
pub async fn set_mail_template(
    state: State<'_, AppState>,
    language: Language,
    key: TextKey,
    text: String,
) -> Result<MailTemplate, AppError> {
    let actor = state.actor().await?;
    Ok(store(&state)?.set_mail_template(&actor, language, key, &text).await?)
}

/// Brings back one text's default wording.
#[tauri::command]
#[specta::specta]
pub async fn reset_mail_template(
    state: State<'_, AppState>,
    language: Language,
    key: TextKey,
) -> Result<MailTemplate, AppError> {
    let actor = state.actor().await?;
    Ok(store(&state)?.reset_mail_template(&actor, language, key).await?)
}

/// A message of `kind` as the saved texts, with the unsaved `drafts` in place, write it, filled
/// with sample facts (no patient). A draft that breaks a rule is refused as a save would be.
#[tauri::command]
#[specta::specta]
pub async fn preview_mail(
    state: State<'_, AppState>,
    language: Language,
    kind: MailKind,
    drafts: Vec<TextDraft>,
) -> Result<RenderedMail, AppError> {
    state.require(Action::Administer).await?;
    Ok(store(&state)?.preview_mail(language, kind, &drafts).await?)
}
