//! The clinic's provider settings: which hosts to talk to (public defaults, ZoomGov, national
//! clouds or a local test server), the clinic's own app registrations, and how the browser
//! comes back to the app. Plain settings live in the database; secret ones only in the keyring.

use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{AccountError, Result};

/// How the browser hands the authorization answer back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "kebab-case")]
pub enum RedirectMode {
    /// `http://127.0.0.1:<port>/callback`, a listener the app opens for the flow (RFC 8252).
    Loopback,
    /// `frontdesk://oauth/<provider>/callback`; for Zoom through the clinic's https bounce page.
    DeepLink,
}

impl RedirectMode {
    fn parse(text: &str) -> Option<RedirectMode> {
        match text {
            "loopback" => Some(RedirectMode::Loopback),
            "deep-link" => Some(RedirectMode::DeepLink),
            _ => None,
        }
    }
}

/// What a setting holds, which decides how its value is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// An https base URL (http only for this computer); a trailing `/` is dropped.
    BaseUrl,
    /// An https page address, kept exactly as given (it is registered as a redirect URI).
    PageUrl,
    /// An OAuth client ID or account ID.
    Identifier,
    /// `loopback` or `deep-link`.
    Redirect,
    /// A Microsoft tenant: `organizations`, a tenant ID or a domain.
    Tenant,
    /// A secret: accepted only from standard input on the command line, kept in the keyring.
    Secret,
    /// A host name or IP address (the SMTP server).
    Host,
    /// A TCP port, 1 to 65535.
    Port,
    /// `starttls`, `tls` or `none` (none only for 127.0.0.1: checked when sending).
    Security,
    /// An e-mail address (the clinic's sending address).
    Email,
    /// An absolute path to a file (a PEM certificate).
    File,
}

/// One setting: its key, default and shape.
#[derive(Debug, Clone, Copy)]
pub struct SettingKey {
    pub key: &'static str,
    pub default: Option<&'static str>,
    shape: Shape,
    /// What the setting is, for `config` help and the settings screen.
    pub about: &'static str,
}

impl SettingKey {
    /// Whether the value is a secret (kept in the keyring, never shown).
    pub fn is_secret(&self) -> bool {
        self.shape == Shape::Secret
    }
}

const fn key(
    key: &'static str,
    default: Option<&'static str>,
    shape: Shape,
    about: &'static str,
) -> SettingKey {
    SettingKey { key, default, shape, about }
}

/// Every provider setting.
pub const KEYS: &[SettingKey] = &[
    key(
        "zoom.auth_base",
        Some("https://zoom.us"),
        Shape::BaseUrl,
        "Zoom sign-in host (ZoomGov: https://zoomgov.com)",
    ),
    key(
        "zoom.api_base",
        Some("https://api.zoom.us/v2"),
        Shape::BaseUrl,
        "Zoom API base (ZoomGov: https://api.zoomgov.com/v2)",
    ),
    key("zoom.client_id", None, Shape::Identifier, "the clinic's Zoom OAuth app client ID"),
    key(
        "zoom.client_secret",
        None,
        Shape::Secret,
        "its client secret (not needed for a public PKCE client ID)",
    ),
    key(
        "zoom.redirect",
        Some("loopback"),
        Shape::Redirect,
        "how the browser comes back: loopback or deep-link",
    ),
    key(
        "zoom.bounce_url",
        None,
        Shape::PageUrl,
        "the clinic's https page that forwards Zoom's answer to frontdesk:// (deep-link)",
    ),
    key("zoom.s2s_account_id", None, Shape::Identifier, "Zoom Server-to-Server app: account ID"),
    key("zoom.s2s_client_id", None, Shape::Identifier, "Zoom Server-to-Server app: client ID"),
    key("zoom.s2s_client_secret", None, Shape::Secret, "Zoom Server-to-Server app: client secret"),
    key(
        "microsoft.auth_base",
        Some("https://login.microsoftonline.com"),
        Shape::BaseUrl,
        "Microsoft sign-in host",
    ),
    key(
        "microsoft.graph_base",
        Some("https://graph.microsoft.com/v1.0"),
        Shape::BaseUrl,
        "Microsoft Graph base",
    ),
    key("microsoft.client_id", None, Shape::Identifier, "the clinic's Microsoft Entra app (application) ID"),
    key(
        "microsoft.tenant",
        Some("organizations"),
        Shape::Tenant,
        "Microsoft tenant: organizations, a tenant ID or domain",
    ),
    key(
        "microsoft.redirect",
        Some("loopback"),
        Shape::Redirect,
        "how the browser comes back: loopback or deep-link",
    ),
    key("smtp.host", None, Shape::Host, "the clinic's SMTP server for patient e-mail"),
    key("smtp.port", None, Shape::Port, "its port (default 587 with starttls, 465 with tls)"),
    key(
        "smtp.security",
        Some("starttls"),
        Shape::Security,
        "starttls, tls, or none (only for a server on 127.0.0.1)",
    ),
    key("smtp.user", None, Shape::Identifier, "the SMTP user name (none: send without signing in)"),
    key("smtp.password", None, Shape::Secret, "the clinic's SMTP password"),
    key("smtp.from", None, Shape::Email, "the address patient e-mail comes from"),
    key(
        "smtp.ca_file",
        None,
        Shape::File,
        "a PEM file of an extra root certificate to trust for SMTP (a clinic's private CA)",
    ),
];

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS, which is required.
    StartTls,
    /// TLS from the first byte (SMTPS).
    Tls,
    /// No encryption: only for a server on this computer.
    None,
}

impl SmtpSecurity {
    /// Parses a setting's value.
    pub fn parse(text: &str) -> Option<SmtpSecurity> {
        match text {
            "starttls" => Some(SmtpSecurity::StartTls),
            "tls" => Some(SmtpSecurity::Tls),
            "none" => Some(SmtpSecurity::None),
            _ => None,
        }
    }
}

/// The setting named `name`.
///
/// # Errors
/// [`AccountError::Core`] (validation) naming the known keys.
pub fn setting(name: &str) -> Result<&'static SettingKey> {
    KEYS.iter().find(|k| k.key == name).ok_or_else(|| {
        let known: Vec<&str> = KEYS.iter().map(|k| k.key).collect();
        invalid(format!("\"{}\" is not a setting; the settings are {}", printable(name), known.join(", ")))
    })
}

/// Checks and normalises a value for `setting` (trims it; drops a base URL's trailing slash).
///
/// # Errors
/// [`AccountError::Core`] (validation) with a message that says what is expected.
pub fn normalise(setting: &SettingKey, value: &str) -> Result<String> {
    let value = value.trim();
    let name = setting.key;
    if value.is_empty() {
        return Err(invalid(format!("{name}: give a value")));
    }
    match setting.shape {
        Shape::BaseUrl => base_url(name, value).map(|url| url.trim_end_matches('/').to_owned()),
        Shape::PageUrl => base_url(name, value),
        Shape::Identifier => {
            if value.len() > 200 || !value.chars().all(|c| c.is_ascii_graphic()) {
                return Err(invalid(format!(
                    "{name}: expected an ID of letters, digits and punctuation, without spaces"
                )));
            }
            Ok(value.to_owned())
        }
        Shape::Redirect => RedirectMode::parse(value)
            .map(|_| value.to_owned())
            .ok_or_else(|| invalid(format!("{name}: choose loopback or deep-link"))),
        Shape::Tenant => {
            if value.eq_ignore_ascii_case("consumers") {
                return Err(invalid(format!(
                    "{name}: personal Microsoft accounts cannot create Teams meetings; use organizations or the clinic's tenant"
                )));
            }
            if value.len() > 100
                || !value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
            {
                return Err(invalid(format!(
                    "{name}: expected organizations, a tenant ID or a domain such as clinic.example"
                )));
            }
            Ok(value.to_owned())
        }
        Shape::Secret => {
            if value.len() > 1000 || value.chars().any(char::is_control) {
                return Err(invalid(format!(
                    "{name}: that does not look like a secret (too long or has control characters)"
                )));
            }
            Ok(value.to_owned())
        }
        Shape::Host | Shape::Port | Shape::Security | Shape::Email | Shape::File => {
            smtp_shape(setting.shape, name, value)
        }
    }
}

fn smtp_shape(shape: Shape, name: &str, value: &str) -> Result<String> {
    let ok = match shape {
        Shape::Host => {
            value.len() <= 253
                && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
        }
        Shape::Port => value.parse::<u16>().is_ok_and(|p| p > 0),
        Shape::Security => SmtpSecurity::parse(value).is_some(),
        Shape::Email => frontdesk_core::validate::optional_email(Some(value)).is_ok_and(|e| e.is_some()),
        Shape::File => std::path::Path::new(value).is_absolute() && !value.chars().any(char::is_control),
        _ => true,
    };
    if ok {
        return Ok(value.to_owned());
    }
    Err(invalid(match shape {
        Shape::Host => format!("{name}: expected a host name such as smtp.clinic.example or an IP address"),
        Shape::Port => format!("{name}: expected a port number from 1 to 65535"),
        Shape::Security => format!("{name}: choose starttls, tls or none"),
        Shape::Email => format!("{name}: expected an e-mail address such as desk@clinic.example"),
        _ => format!("{name}: expected the full path of a file"),
    }))
}

fn base_url(name: &str, value: &str) -> Result<String> {
    let url = Url::parse(value)
        .map_err(|_| invalid(format!("{name}: expected a web address such as https://zoom.us")))?;
    let local = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if url.scheme() != "https" && !(url.scheme() == "http" && local) {
        return Err(invalid(format!(
            "{name}: the address must start with https:// (http:// only for this computer)"
        )));
    }
    if url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(invalid(format!("{name}: give the address without ?, # or a user name")));
    }
    // The text as typed (parsing would add a `/` to a bare host).
    Ok(value.to_owned())
}

fn invalid(message: String) -> AccountError {
    AccountError::Core(frontdesk_core::CoreError::invalid(message))
}

fn printable(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(64).collect()
}

/// The provider settings as the settings screen shows them: secrets only as "set" or not.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, specta::Type)]
pub struct ProviderSettings {
    pub zoom_auth_base: String,
    pub zoom_api_base: String,
    pub zoom_client_id: Option<String>,
    pub zoom_redirect: RedirectMode,
    pub zoom_bounce_url: Option<String>,
    pub zoom_s2s_account_id: Option<String>,
    pub zoom_s2s_client_id: Option<String>,
    pub microsoft_auth_base: String,
    pub microsoft_graph_base: String,
    pub microsoft_client_id: Option<String>,
    pub microsoft_tenant: String,
    pub microsoft_redirect: RedirectMode,
    /// Whether a Zoom client secret is in the keyring (its value is never shown).
    #[serde(default)]
    pub zoom_client_secret_set: bool,
    #[serde(default)]
    pub zoom_s2s_client_secret_set: bool,
}

/// A value read from the settings, with its default applied.
pub(crate) fn redirect_mode(value: Option<&str>) -> RedirectMode {
    value.and_then(RedirectMode::parse).unwrap_or(RedirectMode::Loopback)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_must_be_https_unless_local() {
        let k = setting("zoom.api_base").unwrap();
        assert_eq!(normalise(k, " https://api.zoomgov.com/v2/ ").unwrap(), "https://api.zoomgov.com/v2");
        assert_eq!(normalise(k, "http://127.0.0.1:4010/v2").unwrap(), "http://127.0.0.1:4010/v2");
        let page = setting("zoom.bounce_url").unwrap();
        assert_eq!(normalise(page, "https://clinic.example/zoom/").unwrap(), "https://clinic.example/zoom/");
        for bad in
            ["http://api.zoom.us/v2", "ftp://x", "zoom.us", "https://u:p@zoom.us", "https://zoom.us/?a=1", ""]
        {
            assert!(normalise(k, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn consumers_tenant_is_refused_with_the_reason() {
        let err = normalise(setting("microsoft.tenant").unwrap(), "consumers").unwrap_err();
        assert!(err.to_string().contains("personal Microsoft accounts"), "{err}");
        assert!(normalise(setting("microsoft.tenant").unwrap(), "clinic.example").is_ok());
    }

    #[test]
    fn unknown_keys_name_the_known_ones() {
        let err = setting("zoom.colour").unwrap_err().to_string();
        assert!(err.contains("zoom.client_id"), "{err}");
        assert!(setting("zoom.client_secret").unwrap().is_secret());
        assert!(!setting("zoom.client_id").unwrap().is_secret());
    }
}
