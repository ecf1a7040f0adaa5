//! The clinic's provider settings: which hosts to talk to (public defaults, ZoomGov, national
//! clouds or a local test server), the clinic's own app registrations, and how the browser
//! comes back to the app; and where the clinic's updates come from (`updates.feed`). Plain
//! settings live in the database; secret ones only in the keyring.

use frontdesk_core::Provider;
use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Result, SettingsError};

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
    /// `own` or `any`: whether the providers' addresses may name other hosts than theirs.
    HostPolicy,
}

/// Every provider setting, by its key. This is the one list of setting keys: code names a
/// setting by its variant, and the key text (`zoom.api_base`) exists only in [`Setting::spec`]
/// and in the serde names below (which the UI's generated bindings carry).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, specta::Type)]
pub enum Setting {
    #[serde(rename = "zoom.auth_base")]
    ZoomAuthBase,
    #[serde(rename = "zoom.api_base")]
    ZoomApiBase,
    #[serde(rename = "zoom.client_id")]
    ZoomClientId,
    #[serde(rename = "zoom.client_secret")]
    ZoomClientSecret,
    #[serde(rename = "zoom.redirect")]
    ZoomRedirect,
    #[serde(rename = "zoom.bounce_url")]
    ZoomBounceUrl,
    #[serde(rename = "zoom.s2s_account_id")]
    ZoomS2sAccountId,
    #[serde(rename = "zoom.s2s_client_id")]
    ZoomS2sClientId,
    #[serde(rename = "zoom.s2s_client_secret")]
    ZoomS2sClientSecret,
    #[serde(rename = "microsoft.auth_base")]
    MicrosoftAuthBase,
    #[serde(rename = "microsoft.graph_base")]
    MicrosoftGraphBase,
    #[serde(rename = "microsoft.client_id")]
    MicrosoftClientId,
    #[serde(rename = "microsoft.tenant")]
    MicrosoftTenant,
    #[serde(rename = "microsoft.redirect")]
    MicrosoftRedirect,
    #[serde(rename = "smtp.host")]
    SmtpHost,
    #[serde(rename = "smtp.port")]
    SmtpPort,
    #[serde(rename = "smtp.security")]
    SmtpSecurity,
    #[serde(rename = "smtp.user")]
    SmtpUser,
    #[serde(rename = "smtp.password")]
    SmtpPassword,
    #[serde(rename = "smtp.from")]
    SmtpFrom,
    #[serde(rename = "smtp.ca_file")]
    SmtpCaFile,
    #[serde(rename = "providers.hosts")]
    ProviderHosts,
    #[serde(rename = "updates.feed")]
    UpdateFeed,
}

/// Microsoft's sign-in and Graph hosts: worldwide, US Government (L4, L5/DoD) and China (21Vianet).
const MICROSOFT_HOSTS: [&str; 8] = [
    "login.microsoftonline.com",
    "graph.microsoft.com",
    "login.microsoftonline.us",
    "graph.microsoft.us",
    "dod-graph.microsoft.us",
    "login.partner.microsoftonline.cn",
    "login.chinacloudapi.cn",
    "microsoftgraph.chinacloudapi.cn",
];

/// A setting's key, default, shape and description.
struct Spec {
    key: &'static str,
    default: Option<&'static str>,
    shape: Shape,
    about: &'static str,
}

const fn spec(key: &'static str, default: Option<&'static str>, shape: Shape, about: &'static str) -> Spec {
    Spec { key, default, shape, about }
}

impl Setting {
    /// Every setting, in the order `config list` shows them.
    pub const ALL: [Setting; 23] = [
        Setting::ZoomAuthBase,
        Setting::ZoomApiBase,
        Setting::ZoomClientId,
        Setting::ZoomClientSecret,
        Setting::ZoomRedirect,
        Setting::ZoomBounceUrl,
        Setting::ZoomS2sAccountId,
        Setting::ZoomS2sClientId,
        Setting::ZoomS2sClientSecret,
        Setting::MicrosoftAuthBase,
        Setting::MicrosoftGraphBase,
        Setting::MicrosoftClientId,
        Setting::MicrosoftTenant,
        Setting::MicrosoftRedirect,
        Setting::SmtpHost,
        Setting::SmtpPort,
        Setting::SmtpSecurity,
        Setting::SmtpUser,
        Setting::SmtpPassword,
        Setting::SmtpFrom,
        Setting::SmtpCaFile,
        Setting::ProviderHosts,
        Setting::UpdateFeed,
    ];

    fn spec(self) -> Spec {
        use Shape::*;
        match self {
            Setting::ZoomAuthBase => spec(
                "zoom.auth_base",
                Some("https://zoom.us"),
                BaseUrl,
                "Zoom sign-in host (ZoomGov: https://zoomgov.com)",
            ),
            Setting::ZoomApiBase => spec(
                "zoom.api_base",
                Some("https://api.zoom.us/v2"),
                BaseUrl,
                "Zoom API base (ZoomGov: https://api.zoomgov.com/v2)",
            ),
            Setting::ZoomClientId => {
                spec("zoom.client_id", None, Identifier, "the clinic's Zoom OAuth app client ID")
            }
            Setting::ZoomClientSecret => spec(
                "zoom.client_secret",
                None,
                Secret,
                "its client secret (not needed for a public PKCE client ID)",
            ),
            Setting::ZoomRedirect => spec(
                "zoom.redirect",
                Some("loopback"),
                Redirect,
                "how the browser comes back: loopback or deep-link",
            ),
            Setting::ZoomBounceUrl => spec(
                "zoom.bounce_url",
                None,
                PageUrl,
                "the clinic's https page that forwards Zoom's answer to frontdesk:// (deep-link)",
            ),
            Setting::ZoomS2sAccountId => {
                spec("zoom.s2s_account_id", None, Identifier, "Zoom Server-to-Server app: account ID")
            }
            Setting::ZoomS2sClientId => {
                spec("zoom.s2s_client_id", None, Identifier, "Zoom Server-to-Server app: client ID")
            }
            Setting::ZoomS2sClientSecret => {
                spec("zoom.s2s_client_secret", None, Secret, "Zoom Server-to-Server app: client secret")
            }
            Setting::MicrosoftAuthBase => spec(
                "microsoft.auth_base",
                Some("https://login.microsoftonline.com"),
                BaseUrl,
                "Microsoft sign-in host",
            ),
            Setting::MicrosoftGraphBase => spec(
                "microsoft.graph_base",
                Some("https://graph.microsoft.com/v1.0"),
                BaseUrl,
                "Microsoft Graph base",
            ),
            Setting::MicrosoftClientId => spec(
                "microsoft.client_id",
                None,
                Identifier,
                "the clinic's Microsoft Entra app (application) ID",
            ),
            Setting::MicrosoftTenant => spec(
                "microsoft.tenant",
                Some("organizations"),
                Tenant,
                "Microsoft tenant: organizations, a tenant ID or domain",
            ),
            Setting::MicrosoftRedirect => spec(
                "microsoft.redirect",
                Some("loopback"),
                Redirect,
                "how the browser comes back: loopback or deep-link",
            ),
            Setting::SmtpHost => spec("smtp.host", None, Host, "the clinic's SMTP server for patient e-mail"),
            Setting::SmtpPort => {
                spec("smtp.port", None, Port, "its port (default 587 with starttls, 465 with tls)")
            }
            Setting::SmtpSecurity => spec(
                "smtp.security",
                Some("starttls"),
                Security,
                "starttls, tls, or none (only for a server on 127.0.0.1)",
            ),
            Setting::SmtpUser => {
                spec("smtp.user", None, Identifier, "the SMTP user name (none: send without signing in)")
            }
            Setting::SmtpPassword => spec("smtp.password", None, Secret, "the clinic's SMTP password"),
            Setting::SmtpFrom => spec("smtp.from", None, Email, "the address patient e-mail comes from"),
            Setting::SmtpCaFile => spec(
                "smtp.ca_file",
                None,
                File,
                "a PEM file of an extra root certificate to trust for SMTP (a clinic's private CA)",
            ),
            Setting::ProviderHosts => spec(
                "providers.hosts",
                Some("own"),
                HostPolicy,
                "own: Zoom and Microsoft addresses must be theirs; any: allow others (every desk shows it)",
            ),
            Setting::UpdateFeed => spec(
                "updates.feed",
                None,
                PageUrl,
                "the https address of the update feed (latest.json) the clinic hosts; none: no updates offered",
            ),
        }
    }

    /// The key as the command line, the database and the keyring name it (`zoom.api_base`).
    pub fn as_str(self) -> &'static str {
        self.spec().key
    }

    /// The value used while none is set.
    pub fn default_value(self) -> Option<&'static str> {
        self.spec().default
    }

    /// What the setting is, for `config` help and the settings screen.
    pub fn about(self) -> &'static str {
        self.spec().about
    }

    /// The provider whose calls carry a doctor's tokens to this address, for the settings that
    /// are such an address (OAuth and API hosts).
    pub fn token_address_of(self) -> Option<Provider> {
        match self {
            Setting::ZoomAuthBase | Setting::ZoomApiBase => Some(Provider::Zoom),
            Setting::MicrosoftAuthBase | Setting::MicrosoftGraphBase => Some(Provider::Microsoft),
            _ => None,
        }
    }

    /// Whether `value` (a normalised address of this setting) names one of its provider's own
    /// hosts, or this computer (for tests): Zoom's `zoom.us` and ZoomGov's `zoomgov.com` and their
    /// subdomains; Microsoft's sign-in and Graph hosts, in its worldwide and national clouds. Any
    /// other setting's value passes.
    pub fn is_providers_own(self, value: &str) -> bool {
        let Some(provider) = self.token_address_of() else { return true };
        let Some(host) = Url::parse(value).ok().and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        else {
            return false;
        };
        if matches!(host.as_str(), "127.0.0.1" | "localhost" | "[::1]") {
            return true;
        }
        match provider {
            Provider::Zoom => frontdesk_core::model::is_zoom_host(&host),
            Provider::Microsoft => MICROSOFT_HOSTS.contains(&host.as_str()),
        }
    }

    /// Whether the value is a secret (kept in the keyring, never shown).
    pub fn is_secret(self) -> bool {
        self.spec().shape == Shape::Secret
    }

    /// A refusal of a value for this setting; the setting travels with it as data.
    pub fn invalid(self, message: impl Into<String>) -> SettingsError {
        SettingsError::InvalidSetting { setting: self, message: message.into() }
    }
}

impl std::fmt::Display for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Setting {
    type Err = SettingsError;

    /// The setting whose key is `name` (as typed on the command line).
    fn from_str(name: &str) -> Result<Setting> {
        Setting::ALL.into_iter().find(|s| s.as_str() == name).ok_or_else(|| {
            let known: Vec<&str> = Setting::ALL.iter().map(|s| s.as_str()).collect();
            SettingsError::Core(frontdesk_core::CoreError::invalid(format!(
                "\"{}\" is not a setting; the settings are {}",
                printable(name),
                known.join(", ")
            )))
        })
    }
}

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

/// Checks and normalises a value for `setting` (trims it; drops a base URL's trailing slash).
///
/// # Errors
/// [`SettingsError::InvalidSetting`] naming `setting`, with a message that says what is expected.
pub fn normalise(setting: Setting, value: &str) -> Result<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(setting.invalid("give a value"));
    }
    let shape = setting.spec().shape;
    match shape {
        Shape::BaseUrl => base_url(setting, value).map(|url| url.trim_end_matches('/').to_owned()),
        Shape::PageUrl => base_url(setting, value),
        Shape::Identifier => {
            if value.len() > 200 || !value.chars().all(|c| c.is_ascii_graphic()) {
                return Err(
                    setting.invalid("expected an ID of letters, digits and punctuation, without spaces")
                );
            }
            Ok(value.to_owned())
        }
        Shape::Redirect => RedirectMode::parse(value)
            .map(|_| value.to_owned())
            .ok_or_else(|| setting.invalid("choose loopback or deep-link")),
        Shape::Tenant => {
            if value.eq_ignore_ascii_case("consumers") {
                return Err(setting.invalid(
                    "personal Microsoft accounts cannot create Teams meetings; use organizations or the clinic's tenant",
                ));
            }
            if value.len() > 100
                || !value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
            {
                return Err(
                    setting.invalid("expected organizations, a tenant ID or a domain such as clinic.example")
                );
            }
            Ok(value.to_owned())
        }
        Shape::Secret => {
            if value.len() > 1000 || value.chars().any(char::is_control) {
                return Err(
                    setting.invalid("that does not look like a secret (too long or has control characters)")
                );
            }
            Ok(value.to_owned())
        }
        Shape::HostPolicy => match value {
            "own" | "any" => Ok(value.to_owned()),
            _ => Err(setting.invalid("choose own (the providers' own addresses only) or any")),
        },
        Shape::Host | Shape::Port | Shape::Security | Shape::Email | Shape::File => {
            smtp_shape(setting, shape, value)
        }
    }
}

fn smtp_shape(setting: Setting, shape: Shape, value: &str) -> Result<String> {
    let ok = match shape {
        Shape::Host => {
            value.len() <= 253
                && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':'))
        }
        Shape::Port => value.parse::<u16>().is_ok_and(|p| p > 0),
        Shape::Security => SmtpSecurity::parse(value).is_some(),
        Shape::Email => frontdesk_core::validate::optional_email(frontdesk_core::Field::EMAIL, Some(value))
            .is_ok_and(|e| e.is_some()),
        Shape::File => std::path::Path::new(value).is_absolute() && !value.chars().any(char::is_control),
        _ => true,
    };
    if ok {
        return Ok(value.to_owned());
    }
    Err(setting.invalid(match shape {
        Shape::Host => "expected a host name such as smtp.clinic.example or an IP address",
        Shape::Port => "expected a port number from 1 to 65535",
        Shape::Security => "choose starttls, tls or none",
        Shape::Email => "expected an e-mail address such as desk@clinic.example",
        _ => "expected the full path of a file",
    }))
}

fn base_url(setting: Setting, value: &str) -> Result<String> {
    // Found by fuzzing: a space or a control character inside was kept as typed (the parser
    // skips or encodes it), and a value ending in " /" changed again when saved a second time.
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(setting.invalid("give the address without spaces"));
    }
    let url =
        Url::parse(value).map_err(|_| setting.invalid("expected a web address such as https://zoom.us"))?;
    let local = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if url.scheme() != "https" && !(url.scheme() == "http" && local) {
        return Err(setting.invalid("the address must start with https:// (http:// only for this computer)"));
    }
    if url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(setting.invalid("give the address without ?, # or a user name"));
    }
    // The text as typed (parsing would add a `/` to a bare host).
    Ok(value.to_owned())
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
pub fn redirect_mode(value: Option<&str>) -> RedirectMode {
    value.and_then(RedirectMode::parse).unwrap_or(RedirectMode::Loopback)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(setting: Setting, value: &str) -> (Setting, String) {
        match normalise(setting, value).unwrap_err() {
            SettingsError::InvalidSetting { setting, message } => (setting, message),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn base_urls_must_be_https_unless_local() {
        let k = Setting::ZoomApiBase;
        assert_eq!(normalise(k, " https://api.zoomgov.com/v2/ ").unwrap(), "https://api.zoomgov.com/v2");
        assert_eq!(normalise(k, "http://127.0.0.1:4010/v2").unwrap(), "http://127.0.0.1:4010/v2");
        let page = Setting::ZoomBounceUrl;
        assert_eq!(normalise(page, "https://clinic.example/zoom/").unwrap(), "https://clinic.example/zoom/");
        for bad in
            ["http://api.zoom.us/v2", "ftp://x", "zoom.us", "https://u:p@zoom.us", "https://zoom.us/?a=1", ""]
        {
            assert!(normalise(k, bad).is_err(), "{bad}");
        }
        // Found by fuzzing (tests/fuzz, target settings): kept as typed, then changed on a second save.
        for bad in ["https:/0apittjs:5/a\0 /", "https://api.zoom.us/v2 /", "https://api.zoom .us/v2"] {
            assert!(normalise(k, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn provider_hosts_are_the_providers_own() {
        for (setting, own) in [
            (Setting::ZoomApiBase, "https://api.zoom.us/v2"),
            (Setting::ZoomAuthBase, "https://zoomgov.com"),
            (Setting::MicrosoftGraphBase, "https://graph.microsoft.us/v1.0"),
            (Setting::MicrosoftAuthBase, "https://login.partner.microsoftonline.cn"),
            (Setting::ZoomApiBase, "http://127.0.0.1:4010"),
        ] {
            assert!(setting.is_providers_own(own), "{own}");
        }
        for (setting, other) in [
            (Setting::ZoomApiBase, "https://zoom.us.evil.example/v2"),
            (Setting::ZoomApiBase, "https://notzoom.us/v2"),
            (Setting::MicrosoftGraphBase, "https://graph.microsoft.com.evil.example"),
            (Setting::MicrosoftAuthBase, "https://api.zoom.us"),
        ] {
            assert!(!setting.is_providers_own(other), "{other}");
        }
    }

    #[test]
    fn a_refusal_names_its_setting_as_data_and_on_the_command_line() {
        let (setting, message) = refusal(Setting::ZoomApiBase, "http://api.zoom.us/v2");
        assert_eq!(setting, Setting::ZoomApiBase);
        assert!(message.starts_with("the address must start with https://"), "{message}");
        let line = normalise(Setting::ZoomApiBase, "http://api.zoom.us/v2").unwrap_err().to_string();
        assert!(line.starts_with("zoom.api_base: the address"), "{line}");
    }

    #[test]
    fn consumers_tenant_is_refused_with_the_reason() {
        let (setting, message) = refusal(Setting::MicrosoftTenant, "consumers");
        assert_eq!(setting, Setting::MicrosoftTenant);
        assert!(message.contains("personal Microsoft accounts"), "{message}");
        assert!(normalise(Setting::MicrosoftTenant, "clinic.example").is_ok());
    }

    #[test]
    fn keys_are_listed_once_and_parse_back() {
        for setting in Setting::ALL {
            assert_eq!(setting.as_str().parse::<Setting>().unwrap(), setting);
            assert_eq!(serde_json::to_value(setting).unwrap(), setting.as_str());
        }
        let err = "zoom.colour".parse::<Setting>().unwrap_err().to_string();
        assert!(err.contains("zoom.client_id"), "{err}");
        assert!(Setting::ZoomClientSecret.is_secret());
        assert!(!Setting::ZoomClientId.is_secret());
    }
}
