//! Sealed boxes (X25519 with XSalsa20-Poly1305, libsodium's `crypto_box_seal`, from the
//! `crypto_box` crate): how a secret crosses the clinic's database from one computer to another
//! without anyone who reads the database, or another computer, being able to open it.
//!
//! Each computer that receives secrets has a [`KeyPair`] whose private half stays in its own
//! keyring; its public half is written where others can find it. A sender [`seal`]s to that
//! public key; only the key pair opens the box. Boxes and keys travel as base64 text.

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use crypto_box::aead::OsRng;
use crypto_box::{PublicKey, SecretKey};

use crate::error::{Result, SettingsError};
use crate::secrets::Secret;

/// The longest plaintext sealed: a token pair or a sign-in's code with room to spare.
const MAX_PLAINTEXT: usize = 16 * 1024;

/// A computer's key pair for sealed boxes. The private key never leaves this value and the
/// keyring; `Debug` shows only the public key.
pub struct KeyPair {
    secret: SecretKey,
}

impl std::fmt::Debug for KeyPair {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyPair").field("public_key", &self.public_key()).finish_non_exhaustive()
    }
}

impl KeyPair {
    /// A new random key pair (not stored anywhere).
    pub fn generate() -> KeyPair {
        KeyPair { secret: SecretKey::generate(&mut OsRng) }
    }

    /// The key pair as a keyring entry keeps it (see `Settings::key_pair`).
    pub fn to_secret(&self) -> Secret {
        Secret::new(STANDARD.encode(self.secret.to_bytes()))
    }

    /// A key pair from its keyring entry; `None` when the entry is not one.
    pub fn from_secret(stored: &Secret) -> Option<KeyPair> {
        let bytes: [u8; 32] = STANDARD.decode(stored.expose()).ok()?.try_into().ok()?;
        Some(KeyPair { secret: SecretKey::from_bytes(bytes) })
    }

    /// The public key, as base64 text, for others to seal to.
    pub fn public_key(&self) -> String {
        STANDARD.encode(self.secret.public_key().as_bytes())
    }

    /// Opens a box sealed to this key pair.
    ///
    /// # Errors
    /// [`SettingsError::Sealed`] when it is not base64, was sealed to another key, or was changed.
    pub fn open(&self, sealed: &str) -> Result<Secret> {
        let refused = || SettingsError::Sealed("it was sealed to another computer's key, or changed".into());
        let bytes = STANDARD.decode(sealed).map_err(|_| refused())?;
        let plain = self.secret.unseal(&bytes).map_err(|_| refused())?;
        String::from_utf8(plain).map(Secret::new).map_err(|_| refused())
    }
}

/// Seals `plaintext` to `public_key` (base64, as [`KeyPair::public_key`] gives it).
///
/// # Errors
/// [`SettingsError::Sealed`] for a malformed key or an oversized plaintext.
pub fn seal(public_key: &str, plaintext: &Secret) -> Result<String> {
    let key: [u8; 32] = STANDARD
        .decode(public_key)
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| SettingsError::Sealed("the receiving computer's key is not a key".into()))?;
    if plaintext.expose().len() > MAX_PLAINTEXT {
        return Err(SettingsError::Sealed("it is too long to seal".into()));
    }
    let sealed = PublicKey::from_bytes(key)
        .seal(&mut OsRng, plaintext.expose().as_bytes())
        .map_err(|_| SettingsError::Sealed("it could not be sealed".into()))?;
    Ok(STANDARD.encode(sealed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_key_pair_sealed_to_opens_the_box() {
        let service = KeyPair::generate();
        let other = KeyPair::generate();
        let sealed = seal(&service.public_key(), &Secret::new("refresh-token-xyz")).unwrap();
        assert!(!sealed.contains("refresh-token-xyz"));
        assert_eq!(service.open(&sealed).unwrap().expose(), "refresh-token-xyz");
        let refused = other.open(&sealed).unwrap_err().to_string();
        assert!(refused.contains("another computer's key"), "{refused}");
        // A changed box is refused too.
        let mut bytes = STANDARD.decode(&sealed).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert!(service.open(&STANDARD.encode(bytes)).is_err());
        assert!(service.open("not base64!").is_err());
        assert!(seal("short", &Secret::new("x")).is_err());
    }

    #[test]
    fn a_key_pair_survives_the_keyring_and_never_prints_its_private_half() {
        let pair = KeyPair::generate();
        let stored = pair.to_secret();
        let back = KeyPair::from_secret(&stored).unwrap();
        assert_eq!(back.public_key(), pair.public_key());
        let shown = format!("{pair:?}");
        assert!(!shown.contains(stored.expose()) && shown.contains(&pair.public_key()), "{shown}");
    }
}
