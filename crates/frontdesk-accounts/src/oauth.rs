//! The two providers' OAuth endpoints, built from the clinic's settings, and the calls through
//! the `oauth2` crate: authorization URL with PKCE S256, code exchange, refresh.

use chrono::{DateTime, Utc};
use frontdesk_core::Provider;
use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet, EndpointSet,
    PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, RequestTokenError, Scope, TokenResponse,
    TokenUrl,
};

use crate::error::{AccountError, Result};
use crate::tokens::TokenSet;
use frontdesk_settings::RedirectMode;
use frontdesk_settings::Secret;

/// Microsoft's delegated scopes: the doctor's identity, their online meetings, and
/// `offline_access`, without which no refresh token comes back (and Teams links stop after an hour).
pub const MICROSOFT_SCOPES: &[&str] = &["offline_access", "User.Read", "OnlineMeetings.ReadWrite"];

/// A provider's OAuth client as the clinic registered it.
#[derive(Debug, Clone)]
pub struct Endpoints {
    pub provider: Provider,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub authorize_url: String,
    pub token_url: String,
    /// Zoom's `POST /oauth/revoke`; Microsoft has no revocation endpoint for these tokens.
    pub revoke_url: Option<String>,
    /// Zoom's API base or Graph's base, without a trailing slash.
    pub api_base: String,
    pub redirect: RedirectMode,
    /// The https page that forwards Zoom's answer to the deep link.
    pub bounce_url: Option<String>,
}

type Client = BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

impl Endpoints {
    fn client(&self, redirect_uri: &str) -> Result<Client> {
        let bad = |what: &str| {
            AccountError::refused(self.provider, format!("the {what} in Settings is not a valid address"))
        };
        let mut client = BasicClient::new(ClientId::new(self.client_id.clone()))
            .set_auth_uri(AuthUrl::new(self.authorize_url.clone()).map_err(|_| bad("sign-in host"))?)
            .set_token_uri(TokenUrl::new(self.token_url.clone()).map_err(|_| bad("sign-in host"))?)
            .set_redirect_uri(RedirectUrl::new(redirect_uri.to_owned()).map_err(|_| bad("redirect"))?)
            .set_auth_type(AuthType::BasicAuth);
        if let Some(secret) = &self.client_secret {
            client = client.set_client_secret(ClientSecret::new(secret.expose().to_owned()));
        }
        Ok(client)
    }

    /// The authorization URL for a new flow: PKCE S256 and a random `state`.
    pub fn authorize(&self, redirect_uri: &str) -> Result<Authorization> {
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let client = self.client(redirect_uri)?;
        let mut request = client.authorize_url(CsrfToken::new_random).set_pkce_challenge(challenge);
        if self.provider == Provider::Microsoft {
            request = request
                .add_scopes(MICROSOFT_SCOPES.iter().map(|s| Scope::new((*s).to_owned())))
                .add_extra_param("response_mode", "query");
        }
        let (url, state) = request.url();
        Ok(Authorization { url: url.to_string(), state: state.secret().clone(), verifier })
    }

    /// Exchanges an authorization code for a token pair.
    pub async fn exchange(
        &self,
        http: &reqwest::Client,
        redirect_uri: &str,
        code: &str,
        verifier: PkceCodeVerifier,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, TokenError> {
        let client = self.client(redirect_uri).map_err(TokenError::Setup)?;
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .set_pkce_verifier(verifier)
            .request_async(http)
            .await
            .map_err(TokenError::from)?;
        Ok(token_set(&response, None, now))
    }

    /// Uses `refresh` for a new token pair. The old refresh token is kept only when the provider
    /// sends no new one.
    pub async fn refresh(
        &self,
        http: &reqwest::Client,
        refresh: &Secret,
        now: DateTime<Utc>,
    ) -> Result<TokenSet, TokenError> {
        // The token endpoint does not check the redirect on refresh; any valid URI does.
        let client = self.client("http://127.0.0.1/callback").map_err(TokenError::Setup)?;
        let token = RefreshToken::new(refresh.expose().to_owned());
        let mut request = client.exchange_refresh_token(&token);
        if self.provider == Provider::Microsoft {
            request = request.add_scopes(MICROSOFT_SCOPES.iter().map(|s| Scope::new((*s).to_owned())));
        }
        let response = request.request_async(http).await.map_err(TokenError::from)?;
        Ok(token_set(&response, Some(refresh), now))
    }
}

/// A started authorization: where to send the browser, and what to check the answer against.
pub struct Authorization {
    pub url: String,
    pub state: String,
    pub verifier: PkceCodeVerifier,
}

fn token_set(response: &impl TokenResponse, old_refresh: Option<&Secret>, now: DateTime<Utc>) -> TokenSet {
    let lifetime = response.expires_in().map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    TokenSet {
        access: Secret::new(response.access_token().secret().clone()),
        refresh: response
            .refresh_token()
            .map(|r| Secret::new(r.secret().clone()))
            .or_else(|| old_refresh.cloned()),
        expires_at: crate::tokens::expiry(now, lifetime),
    }
}

/// Why a token request failed, sorted by what to do about it.
#[derive(Debug)]
pub enum TokenError {
    /// The grant is dead (`invalid_grant`, `interaction_required`...): the doctor must reconnect.
    Revoked(String),
    /// The clinic's app credentials or settings were refused (`invalid_client`...).
    Refused(String),
    /// Network failure, server error or an unreadable answer: try again later with the same token.
    Transient(String),
    /// The settings cannot even make a request.
    Setup(AccountError),
}

type OAuthError = RequestTokenError<
    oauth2::HttpClientError<reqwest::Error>,
    oauth2::StandardErrorResponse<BasicErrorResponseType>,
>;

impl From<OAuthError> for TokenError {
    fn from(err: OAuthError) -> TokenError {
        match err {
            RequestTokenError::ServerResponse(response) => {
                let code = response.error().as_ref().to_owned();
                match response.error() {
                    BasicErrorResponseType::InvalidGrant => TokenError::Revoked(code),
                    BasicErrorResponseType::Extension(e)
                        if matches!(
                            e.as_str(),
                            "interaction_required" | "consent_required" | "login_required"
                        ) =>
                    {
                        TokenError::Revoked(code)
                    }
                    BasicErrorResponseType::InvalidClient
                    | BasicErrorResponseType::UnauthorizedClient
                    | BasicErrorResponseType::UnsupportedGrantType
                    | BasicErrorResponseType::InvalidScope
                    | BasicErrorResponseType::InvalidRequest => TokenError::Refused(code),
                    BasicErrorResponseType::Extension(_) => TokenError::Transient(code),
                }
            }
            RequestTokenError::Request(e) => TokenError::Transient(describe_http(&e)),
            RequestTokenError::Parse(_, _) => TokenError::Transient("an answer it could not read".into()),
            RequestTokenError::Other(_) => TokenError::Transient("an empty answer".into()),
        }
    }
}

fn describe_http(err: &oauth2::HttpClientError<reqwest::Error>) -> String {
    match err {
        oauth2::HttpClientError::Reqwest(e) if e.is_timeout() => "no answer in time".into(),
        oauth2::HttpClientError::Reqwest(e) if e.is_connect() => "no connection".into(),
        _ => "the request failed".into(),
    }
}
