//! A WhatsApp Flows data endpoint: the server a Flow calls for its next
//! screen (feature `flows_endpoint`, off by default).
//!
//! WhatsApp posts a JSON body with the request encrypted for the business:
//! `encrypted_aes_key` (a fresh AES-128 key wrapped with RSA-OAEP and
//! SHA-256 under the public key uploaded with [`FlowsKey::upload`]
//! or `set_business_encryption_public_key`), `encrypted_flow_data` (the request, AES-GCM
//! with that key, the 16-byte tag last) and `initial_vector`. The answer is
//! encrypted with the same key and the bit-inverted IV, and sent base64
//! encoded. [`FlowsEndpoint::answer`] does all of it around a handler that
//! sees typed requests and returns typed responses:
//!
//! ```no_run
//! use whatsapp_cloud_api::flows_endpoint::{FlowRequest, FlowResponse, FlowsEndpoint, FlowsKey};
//!
//! # async fn run(pem: &str, body: &[u8], signature: Option<&str>) -> Result<(), Box<dyn std::error::Error>> {
//! let endpoint = FlowsEndpoint::new(FlowsKey::from_pem(pem, None)?).app_secret(b"app secret".to_vec());
//! let answer = endpoint
//!     .answer(body, signature, |request| async move {
//!         match request {
//!             FlowRequest::Init { .. } => FlowResponse::screen("WELCOME").with("name", "Maria"),
//!             FlowRequest::DataExchange { flow_token, .. } => FlowResponse::close(flow_token),
//!             _ => FlowResponse::acknowledge(),
//!         }
//!     })
//!     .await;
//! // Send `answer.status` with `answer.body` (text/plain).
//! # let _ = answer;
//! # Ok(())
//! # }
//! ```
//!
//! Health checks (`ping`) are answered without the handler. A body that is
//! not the encrypted envelope is answered 400; one that does not decrypt
//! with the key, 421, so that WhatsApp fetches the public key again; with
//! an app secret set, a request whose `X-Hub-Signature-256` does not match
//! the body, 432. No answer, error or `Debug` output holds a key or a
//! decrypted payload.
//!
//! The RSA private key operation runs in AWS-LC (`aws-lc-rs`), whose RSA
//! decryption is constant-time, not in the `rsa` crate, whose decryption
//! leaks timing (RUSTSEC-2023-0071).
//!
//! This module is hand-written (`specs/whatsapp/ext/flows_endpoint.rs`) and
//! compiled with the generated code.

use std::future::Future;

use aes_gcm::aead::consts::U16;
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::aes::Aes128;
use aes_gcm::{AesGcm, Nonce};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeySize, OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, PrivateDecryptingKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Deserialize;
use serde_json::{Map, Value};
use zeroize::Zeroizing;

use crate::types::{BusinessPublicKeyVerificationStatus, GraphAPIError, WhatsAppBusinessEncryptionUploadRequest};

/// The header WhatsApp signs data endpoint requests in, with the app secret.
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";

/// The business's private key for the Flows data channel (RSA, 2048 bits
/// or more). `Debug` shows only its size.
pub struct FlowsKey {
    key: OaepPrivateDecryptingKey,
    private: PrivateDecryptingKey,
}

impl std::fmt::Debug for FlowsKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowsKey").field("bits", &self.key.key_size_bits()).finish_non_exhaustive()
    }
}

/// Why a key could not be loaded or written. Never holds key material.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum KeyError {
    /// The text is not a PEM block this module reads.
    #[error("not a PEM private key ({0})")]
    Pem(String),
    /// The key is encrypted and no passphrase was given, or it is wrong.
    #[error("the key is encrypted: the passphrase is missing or wrong")]
    Passphrase,
    /// The key is in OpenSSL's traditional encrypted format with a cipher
    /// other than DES-EDE3-CBC, AES-128-CBC or AES-256-CBC; convert it with
    /// `openssl pkcs8 -topk8 -in old.pem -out new.pem`.
    #[error("an OpenSSL traditional encrypted key with cipher `{0}`: convert it with `openssl pkcs8 -topk8`")]
    Traditional(String),
    /// The DER inside is not an RSA private key the crypto library accepts.
    #[error("not an RSA private key of 2048 bits or more ({0})")]
    Rejected(String),
}

/// Why [`FlowsKey::upload`] failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UploadError {
    /// The public key could not be written.
    #[error(transparent)]
    Key(KeyError),
    /// The API refused a call.
    #[error(transparent)]
    Api(Box<crate::Error<GraphAPIError>>),
}

impl FlowsKey {
    /// A new 2048-bit key pair; upload it with [`FlowsKey::upload`].
    pub fn generate() -> Result<FlowsKey, KeyError> {
        let private = PrivateDecryptingKey::generate(KeySize::Rsa2048).map_err(|e| KeyError::Rejected(e.to_string()))?;
        Self::from_private(private)
    }

    /// Reads a PEM private key: PKCS#8 (`PRIVATE KEY`), encrypted PKCS#8
    /// (`ENCRYPTED PRIVATE KEY`, what `openssl genrsa -des3` writes since
    /// OpenSSL 3), PKCS#1 (`RSA PRIVATE KEY`), or PKCS#1 in OpenSSL's
    /// traditional encrypted form (`Proc-Type: 4,ENCRYPTED`, what Meta's
    /// key generator and older OpenSSL write); encrypted keys need
    /// `passphrase`.
    pub fn from_pem(pem: &str, passphrase: Option<&str>) -> Result<FlowsKey, KeyError> {
        if pem.contains("Proc-Type: 4,ENCRYPTED") {
            let pkcs1 = traditional::decrypt(pem, passphrase.ok_or(KeyError::Passphrase)?)?;
            let pkcs8 = pkcs1_to_pkcs8(&pkcs1)?;
            // A wrong passphrase may still unpad; the key then does not parse.
            let private = PrivateDecryptingKey::from_pkcs8(&pkcs8).map_err(|_| KeyError::Passphrase)?;
            return Self::from_private(private);
        }
        let (label, der) = pkcs8::der::pem::decode_vec(pem.trim().as_bytes()).map_err(|e| KeyError::Pem(e.to_string()))?;
        let der = Zeroizing::new(der);
        let pkcs8 = match label {
            "PRIVATE KEY" => der,
            "ENCRYPTED PRIVATE KEY" => {
                let passphrase = passphrase.ok_or(KeyError::Passphrase)?;
                let info = pkcs8::EncryptedPrivateKeyInfo::try_from(der.as_slice()).map_err(|e| KeyError::Pem(e.to_string()))?;
                let secret = info.decrypt(passphrase).map_err(|_| KeyError::Passphrase)?;
                Zeroizing::new(secret.as_bytes().to_vec())
            }
            "RSA PRIVATE KEY" => pkcs1_to_pkcs8(&der)?,
            other => return Err(KeyError::Pem(format!("a `{other}` block"))),
        };
        let private = PrivateDecryptingKey::from_pkcs8(&pkcs8).map_err(|e| KeyError::Rejected(e.to_string()))?;
        Self::from_private(private)
    }

    fn from_private(private: PrivateDecryptingKey) -> Result<FlowsKey, KeyError> {
        let key = OaepPrivateDecryptingKey::new(private.clone()).map_err(|e| KeyError::Rejected(e.to_string()))?;
        Ok(FlowsKey { key, private })
    }

    /// The public key as PEM (`PUBLIC KEY`), to upload.
    pub fn public_key_pem(&self) -> Result<String, KeyError> {
        let der = self.private.public_key().as_der().map_err(|e| KeyError::Rejected(e.to_string()))?;
        pem_block("PUBLIC KEY", der.as_ref())
    }

    /// Uploads the public key for `phone_number_id`
    /// (`set_business_encryption_public_key`), then reads back the state
    /// of its signature (`None` when the API does not say).
    pub async fn upload(
        &self,
        client: &crate::Client,
        phone_number_id: &str,
    ) -> Result<Option<BusinessPublicKeyVerificationStatus>, UploadError> {
        let pem = self.public_key_pem().map_err(UploadError::Key)?;
        let body = WhatsAppBusinessEncryptionUploadRequest::new(pem);
        let api = |e| UploadError::Api(Box::new(e));
        client.set_business_encryption_public_key(phone_number_id, body).await.map_err(api)?;
        let current = client.get_business_encryption_public_key(phone_number_id).await.map_err(api)?;
        let status = current
            .data
            .iter()
            .flatten()
            .filter_map(crate::Item::valid)
            .find_map(|info| info.business_public_key_signature_status.clone());
        Ok(status)
    }

    /// The private key as unencrypted PKCS#8 PEM, to store.
    pub fn private_key_pem(&self) -> Result<Zeroizing<String>, KeyError> {
        let der = self.private.as_der().map_err(|e| KeyError::Rejected(e.to_string()))?;
        pem_block("PRIVATE KEY", der.as_ref()).map(Zeroizing::new)
    }

    /// Decrypts a data endpoint request body into the request and the
    /// [`Reply`] that encrypts its answer.
    pub fn decrypt(&self, body: &[u8]) -> Result<(FlowRequest, Reply), FlowError> {
        let envelope: Envelope = serde_json::from_slice(body).map_err(|e| FlowError::Malformed(format!("the body is not the encrypted envelope: {e}")))?;
        let wrapped = decode64(&envelope.encrypted_aes_key, "encrypted_aes_key")?;
        let data = decode64(&envelope.encrypted_flow_data, "encrypted_flow_data")?;
        let iv: [u8; 16] = decode64(&envelope.initial_vector, "initial_vector")?
            .try_into()
            .map_err(|_| FlowError::Malformed("`initial_vector` is not 16 bytes".into()))?;
        let mut unwrapped = Zeroizing::new(vec![0u8; self.key.min_output_size()]);
        let aes_key: [u8; 16] = self
            .key
            .decrypt(&OAEP_SHA256_MGF1SHA256, &wrapped, &mut unwrapped, None)
            .ok()
            .and_then(|k| <[u8; 16]>::try_from(&*k).ok())
            .ok_or(FlowError::Decrypt)?;
        let reply = Reply { key: Zeroizing::new(aes_key), iv: iv.map(|b| !b) };
        let plain = Zeroizing::new(gcm(&reply.key).decrypt(Nonce::from_slice(&iv), data.as_slice()).map_err(|_| FlowError::Decrypt)?);
        let request = FlowRequest::from_json(&plain)?;
        Ok((request, reply))
    }
}

/// OpenSSL's traditional encrypted PEM: the DER encrypted in CBC mode
/// with a key derived from the passphrase by `EVP_BytesToKey` (MD5, one
/// round, the IV's first 8 bytes as salt).
mod traditional {
    use super::{BASE64, KeyError};
    use base64::Engine as _;
    use cbc::cipher::{BlockDecryptMut, KeyIvInit, block_padding::Pkcs7};
    use md5::{Digest, Md5};
    use zeroize::Zeroizing;

    /// The PKCS#1 DER inside `pem`.
    pub(super) fn decrypt(pem: &str, passphrase: &str) -> Result<Zeroizing<Vec<u8>>, KeyError> {
        let dek = pem
            .lines()
            .find_map(|l| l.trim().strip_prefix("DEK-Info:"))
            .ok_or_else(|| KeyError::Pem("`Proc-Type: 4,ENCRYPTED` without `DEK-Info`".into()))?;
        let (cipher, iv) = dek.trim().split_once(',').ok_or_else(|| KeyError::Pem("a malformed `DEK-Info`".into()))?;
        let iv = hex_bytes(iv.trim()).ok_or_else(|| KeyError::Pem("a malformed `DEK-Info` IV".into()))?;
        let body: String = pem
            .lines()
            .map(str::trim)
            .filter(|l| !l.starts_with("-----") && !l.contains(':') && !l.is_empty())
            .collect();
        let mut data = Zeroizing::new(BASE64.decode(body).map_err(|_| KeyError::Pem("the body is not base64".into()))?);
        let key_len = match cipher {
            "DES-EDE3-CBC" => 24,
            "AES-128-CBC" => 16,
            "AES-256-CBC" => 32,
            other => return Err(KeyError::Traditional(other.to_string())),
        };
        let salt = iv.get(..8).ok_or_else(|| KeyError::Pem("a `DEK-Info` IV shorter than 8 bytes".into()))?;
        let key = bytes_to_key(passphrase.as_bytes(), salt, key_len);
        let bad = |_| KeyError::Passphrase;
        let plain_len = match (cipher, iv.len()) {
            ("DES-EDE3-CBC", 8) => cbc::Decryptor::<des::TdesEde3>::new_from_slices(&key, &iv)
                .map_err(|_| KeyError::Pem("a bad DES-EDE3 key or IV".into()))?
                .decrypt_padded_mut::<Pkcs7>(&mut data)
                .map_err(bad)?
                .len(),
            ("AES-128-CBC", 16) => cbc::Decryptor::<aes_gcm::aes::Aes128>::new_from_slices(&key, &iv)
                .map_err(|_| KeyError::Pem("a bad AES key or IV".into()))?
                .decrypt_padded_mut::<Pkcs7>(&mut data)
                .map_err(bad)?
                .len(),
            ("AES-256-CBC", 16) => cbc::Decryptor::<aes_gcm::aes::Aes256>::new_from_slices(&key, &iv)
                .map_err(|_| KeyError::Pem("a bad AES key or IV".into()))?
                .decrypt_padded_mut::<Pkcs7>(&mut data)
                .map_err(bad)?
                .len(),
            _ => return Err(KeyError::Pem("a `DEK-Info` IV of the wrong length".into())),
        };
        data.truncate(plain_len);
        Ok(data)
    }

    /// OpenSSL's `EVP_BytesToKey` with MD5 and one round.
    fn bytes_to_key(passphrase: &[u8], salt: &[u8], len: usize) -> Zeroizing<Vec<u8>> {
        let mut key = Zeroizing::new(Vec::with_capacity(len + 16));
        let mut previous: Option<[u8; 16]> = None;
        while key.len() < len {
            let mut md5 = Md5::new();
            if let Some(p) = &previous {
                md5.update(p);
            }
            md5.update(passphrase);
            md5.update(salt);
            let block: [u8; 16] = md5.finalize().into();
            key.extend_from_slice(&block);
            previous = Some(block);
        }
        key.truncate(len);
        key
    }

    fn hex_bytes(text: &str) -> Option<Vec<u8>> {
        (0..text.len())
            .step_by(2)
            .map(|i| text.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
            .collect()
    }
}

/// A PKCS#1 `RSAPrivateKey` wrapped as PKCS#8 (`rsaEncryption`, NULL
/// parameters).
fn pkcs1_to_pkcs8(pkcs1: &[u8]) -> Result<Zeroizing<Vec<u8>>, KeyError> {
    use pkcs8::der::Encode as _;
    let algorithm = pkcs8::AlgorithmIdentifierRef {
        oid: pkcs8::ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1"),
        parameters: Some(pkcs8::der::asn1::AnyRef::NULL),
    };
    let info = pkcs8::PrivateKeyInfo::new(algorithm, pkcs1);
    info.to_der().map(Zeroizing::new).map_err(|e| KeyError::Pem(e.to_string()))
}

fn pem_block(label: &'static str, der: &[u8]) -> Result<String, KeyError> {
    pkcs8::der::pem::encode_string(label, pkcs8::LineEnding::LF, der).map_err(|e| KeyError::Pem(e.to_string()))
}

fn decode64(text: &str, field: &str) -> Result<Vec<u8>, FlowError> {
    BASE64.decode(text.trim()).map_err(|_| FlowError::Malformed(format!("`{field}` is not base64")))
}

fn gcm(key: &[u8; 16]) -> AesGcm<Aes128, U16> {
    AesGcm::<Aes128, U16>::new(key.into())
}

#[derive(Deserialize)]
struct Envelope {
    encrypted_flow_data: String,
    encrypted_aes_key: String,
    initial_vector: String,
}

/// Encrypts the answer to one request: its AES key and the inverted IV.
/// `Debug` shows neither.
pub struct Reply {
    key: Zeroizing<[u8; 16]>,
    iv: [u8; 16],
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply").finish_non_exhaustive()
    }
}

impl Reply {
    /// The response body: `response` encrypted and base64 encoded.
    pub fn seal(&self, response: &FlowResponse) -> String {
        let plain = Zeroizing::new(response.0.to_string().into_bytes());
        // Encryption with a 16-byte key and nonce cannot fail.
        let sealed = gcm(&self.key).encrypt(Nonce::from_slice(&self.iv), plain.as_slice()).unwrap_or_default();
        BASE64.encode(sealed)
    }
}

/// Why a request was refused; [`FlowError::status`] is the HTTP status to
/// answer with. Never holds key material or the decrypted payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FlowError {
    /// The body is not the encrypted envelope (answer 400).
    #[error("malformed request: {0}")]
    Malformed(String),
    /// The body does not decrypt with this key (answer 421: WhatsApp
    /// fetches the public key again and retries).
    #[error("the request does not decrypt with this key")]
    Decrypt,
    /// The decrypted request is not one this module knows (answer 400).
    #[error("the decrypted request is not a Flows request: {0}")]
    Request(String),
    /// `X-Hub-Signature-256` is missing or does not match (answer 432).
    #[error("the request signature does not match the body")]
    Signature,
}

impl FlowError {
    /// The HTTP status to answer with.
    pub fn status(&self) -> u16 {
        match self {
            FlowError::Malformed(_) | FlowError::Request(_) => 400,
            FlowError::Decrypt => 421,
            FlowError::Signature => 432,
        }
    }
}

/// A decrypted data endpoint request.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub enum FlowRequest {
    /// A health check; [`FlowsEndpoint::answer`] answers it itself.
    Ping {
        /// The data API version.
        version: String,
    },
    /// The Flow opens and asks for its first screen.
    Init {
        /// The token the business sent the Flow with.
        flow_token: String,
        /// The data API version.
        version: String,
        /// Data the Flow was opened with, if any.
        data: Map<String, Value>,
    },
    /// The user submitted a screen.
    DataExchange {
        /// The screen submitted.
        screen: String,
        /// What it submitted.
        data: Map<String, Value>,
        /// The token the business sent the Flow with.
        flow_token: String,
        /// The data API version.
        version: String,
    },
    /// The user pressed back, on a screen that refreshes on back.
    Back {
        /// The screen the user returned to.
        screen: String,
        /// Data the screen sent, if any.
        data: Map<String, Value>,
        /// The token the business sent the Flow with.
        flow_token: String,
        /// The data API version.
        version: String,
    },
    /// The client reports that the endpoint's previous answer was not
    /// valid; answer [`FlowResponse::acknowledge`].
    ErrorNotification {
        /// The screen shown, if any.
        screen: Option<String>,
        /// The token the business sent the Flow with.
        flow_token: String,
        /// The data API version.
        version: String,
        /// The error's code.
        error: String,
        /// What was wrong.
        error_message: Option<String>,
    },
}

impl std::fmt::Debug for FlowRequest {
    /// The kind and screen only: tokens and data are what the user entered.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (kind, screen) = match self {
            FlowRequest::Ping { .. } => ("Ping", None),
            FlowRequest::Init { .. } => ("Init", None),
            FlowRequest::DataExchange { screen, .. } => ("DataExchange", Some(screen)),
            FlowRequest::Back { screen, .. } => ("Back", Some(screen)),
            FlowRequest::ErrorNotification { screen, .. } => ("ErrorNotification", screen.as_ref()),
        };
        f.debug_struct(kind).field("screen", &screen).finish_non_exhaustive()
    }
}

impl FlowRequest {
    /// Reads a decrypted request.
    fn from_json(plain: &[u8]) -> Result<FlowRequest, FlowError> {
        let Ok(Value::Object(mut request)) = serde_json::from_slice::<Value>(plain) else {
            return Err(FlowError::Request("not a JSON object".into()));
        };
        let mut text = |name: &str| match request.remove(name) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        };
        let action = text("action").ok_or_else(|| FlowError::Request("no `action`".into()))?;
        let version = text("version").unwrap_or_default();
        let screen = text("screen");
        let flow_token = text("flow_token");
        let data = match request.remove("data") {
            Some(Value::Object(data)) => data,
            _ => Map::new(),
        };
        if action == "ping" {
            return Ok(FlowRequest::Ping { version });
        }
        let flow_token = flow_token.ok_or_else(|| FlowError::Request(format!("`{action}` without `flow_token`")))?;
        if let Some(Value::String(error)) = data.get("error") {
            let error_message = data.get("error_message").and_then(Value::as_str).map(str::to_string);
            return Ok(FlowRequest::ErrorNotification { screen, flow_token, version, error: error.clone(), error_message });
        }
        let screen_of = |screen: Option<String>| screen.ok_or_else(|| FlowError::Request(format!("`{action}` without `screen`")));
        match action.as_str() {
            "INIT" => Ok(FlowRequest::Init { flow_token, version, data }),
            "data_exchange" => Ok(FlowRequest::DataExchange { screen: screen_of(screen)?, data, flow_token, version }),
            "BACK" => Ok(FlowRequest::Back { screen: screen_of(screen)?, data, flow_token, version }),
            other => Err(FlowError::Request(format!("unknown action `{other}`"))),
        }
    }
}

/// The answer to a request, before encryption.
#[derive(Clone, PartialEq)]
pub struct FlowResponse(Value);

impl std::fmt::Debug for FlowResponse {
    /// The screen only: data may be what the user entered.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowResponse").field("screen", &self.0.get("screen")).finish_non_exhaustive()
    }
}

impl FlowResponse {
    /// Shows `screen`; add its data with [`FlowResponse::with`].
    pub fn screen(screen: impl Into<String>) -> FlowResponse {
        FlowResponse(serde_json::json!({ "screen": screen.into(), "data": {} }))
    }

    /// Closes the Flow: WhatsApp sends the user's chat a message whose
    /// `response_json` holds `flow_token` and the parameters added with
    /// [`FlowResponse::with`].
    pub fn close(flow_token: impl Into<String>) -> FlowResponse {
        let params = serde_json::json!({ "flow_token": flow_token.into() });
        FlowResponse(serde_json::json!({
            "screen": "SUCCESS",
            "data": { "extension_message_response": { "params": params } }
        }))
    }

    /// The answer to a health check.
    pub fn pong() -> FlowResponse {
        FlowResponse(serde_json::json!({ "data": { "status": "active" } }))
    }

    /// The answer to an error notification.
    pub fn acknowledge() -> FlowResponse {
        FlowResponse(serde_json::json!({ "data": { "acknowledged": true } }))
    }

    /// Shows `screen` again with `message` as its error.
    pub fn error_message(screen: impl Into<String>, message: impl Into<String>) -> FlowResponse {
        FlowResponse::screen(screen).with("error_message", message.into())
    }

    /// Adds a value to the screen's data (or, when closing, to the
    /// parameters sent back to the chat). A value that does not serialise
    /// is left out.
    pub fn with(mut self, name: impl Into<String>, value: impl serde::Serialize) -> FlowResponse {
        let Ok(value) = serde_json::to_value(value) else {
            return self;
        };
        let data = match self.0.pointer_mut("/data/extension_message_response/params") {
            Some(params) => Some(params),
            None => self.0.get_mut("data"),
        };
        if let Some(Value::Object(data)) = data {
            data.insert(name.into(), value);
        }
        self
    }

    /// The response as JSON, before encryption.
    pub fn to_json(&self) -> &Value {
        &self.0
    }
}

/// An HTTP answer: status and, for 200, the encrypted body (`text/plain`).
#[derive(Clone, PartialEq, Eq)]
pub struct Answer {
    /// The HTTP status.
    pub status: u16,
    /// The body: the encrypted response, or empty.
    pub body: String,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Answer").field("status", &self.status).field("body_len", &self.body.len()).finish()
    }
}

/// A data endpoint: the key, and the app secret when requests are to be
/// checked against `X-Hub-Signature-256`.
pub struct FlowsEndpoint {
    key: FlowsKey,
    app_secret: Option<Zeroizing<Vec<u8>>>,
}

impl std::fmt::Debug for FlowsEndpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowsEndpoint")
            .field("key", &self.key)
            .field("checks_signature", &self.app_secret.is_some())
            .finish()
    }
}

impl FlowsEndpoint {
    /// An endpoint decrypting with `key`.
    pub fn new(key: FlowsKey) -> FlowsEndpoint {
        FlowsEndpoint { key, app_secret: None }
    }

    /// Checks every request's `X-Hub-Signature-256` with the app secret.
    pub fn app_secret(mut self, secret: impl Into<Vec<u8>>) -> FlowsEndpoint {
        self.app_secret = Some(Zeroizing::new(secret.into()));
        self
    }

    /// Checks the signature (with an app secret) and decrypts a request.
    pub fn open(&self, body: &[u8], signature: Option<&str>) -> Result<(FlowRequest, Reply), FlowError> {
        if let Some(secret) = &self.app_secret {
            fragment_codegen_runtime::webhooks::verify_signature(secret, body, signature).map_err(|_| FlowError::Signature)?;
        }
        self.key.decrypt(body)
    }

    /// Answers one request: pings itself, the rest with `handler`; a
    /// request refused answers the status [`FlowError::status`] gives, with
    /// an empty body.
    pub async fn answer<F, Fut>(&self, body: &[u8], signature: Option<&str>, handler: F) -> Answer
    where
        F: FnOnce(FlowRequest) -> Fut,
        Fut: Future<Output = FlowResponse>,
    {
        match self.open(body, signature) {
            Ok((FlowRequest::Ping { .. }, reply)) => Answer { status: 200, body: reply.seal(&FlowResponse::pong()) },
            Ok((request, reply)) => {
                let response = handler(request).await;
                Answer { status: 200, body: reply.seal(&response) }
            }
            Err(e) => Answer { status: e.status(), body: String::new() },
        }
    }
}

/// An `axum` route for the endpoint (with the crate's `axum` feature).
#[cfg(feature = "axum")]
pub mod routes {
    use super::{FlowRequest, FlowResponse, FlowsEndpoint, SIGNATURE_HEADER};
    use fragment_codegen_runtime::__private::axum;
    use std::future::Future;
    use std::sync::Arc;

    /// A router answering `POST path` with `endpoint` and `handler`.
    pub fn router<F, Fut>(path: &str, endpoint: FlowsEndpoint, handler: F) -> axum::Router
    where
        F: Fn(FlowRequest) -> Fut + Clone + Send + Sync + 'static,
        Fut: Future<Output = FlowResponse> + Send + 'static,
    {
        let endpoint = Arc::new(endpoint);
        let route = move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
            let endpoint = endpoint.clone();
            let handler = handler.clone();
            async move {
                let signature = headers.get(SIGNATURE_HEADER).and_then(|v| v.to_str().ok());
                let answer = endpoint.answer(&body, signature, handler).await;
                let status = axum::http::StatusCode::from_u16(answer.status).unwrap_or(axum::http::StatusCode::BAD_REQUEST);
                (status, [(axum::http::header::CONTENT_TYPE, "text/plain")], answer.body)
            }
        };
        axum::Router::new().route(path, axum::routing::post(route))
    }
}

/// A file a user uploaded through a Flow (a photo or document picker), as
/// the Flow's data carries it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct FlowMedia {
    /// The media ID.
    pub media_id: String,
    /// Where the encrypted file is.
    pub cdn_url: String,
    /// The file's name.
    pub file_name: String,
    /// How to decrypt and check it.
    pub encryption_metadata: EncryptionMetadata,
}

impl std::fmt::Debug for FlowMedia {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FlowMedia").field("media_id", &self.media_id).field("file_name", &self.file_name).finish_non_exhaustive()
    }
}

/// The keys and hashes of a Flow media file, base64 encoded. `Debug` shows
/// none of them.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct EncryptionMetadata {
    /// SHA-256 of the file on the CDN.
    pub encrypted_hash: String,
    /// The AES-CBC IV.
    pub iv: String,
    /// The AES-256 key.
    pub encryption_key: String,
    /// The HMAC-SHA256 key.
    pub hmac_key: String,
    /// SHA-256 of the decrypted file.
    pub plaintext_hash: String,
}

impl std::fmt::Debug for EncryptionMetadata {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EncryptionMetadata").finish_non_exhaustive()
    }
}

/// Why a Flow media file was not decrypted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// A metadata value is not base64 of the right length.
    #[error("`{0}` in the encryption metadata is not valid")]
    Metadata(&'static str),
    /// The downloaded file's SHA-256 is not `encrypted_hash`.
    #[error("the downloaded file does not match `encrypted_hash`")]
    EncryptedHash,
    /// The file's HMAC does not match.
    #[error("the file's HMAC does not match")]
    Hmac,
    /// The file does not decrypt.
    #[error("the file does not decrypt")]
    Decrypt,
    /// The decrypted file's SHA-256 is not `plaintext_hash`.
    #[error("the decrypted file does not match `plaintext_hash`")]
    PlaintextHash,
    /// The download failed.
    #[error("downloading the file failed: {0}")]
    Download(String),
}

/// Downloads a Flow media file from its CDN URL and decrypts it.
pub async fn download_media(http: &crate::reqwest::Client, media: &FlowMedia) -> Result<Vec<u8>, MediaError> {
    let response = http.get(&media.cdn_url).send().await.map_err(|e| MediaError::Download(e.without_url().to_string()))?;
    let response = response.error_for_status().map_err(|e| MediaError::Download(e.without_url().to_string()))?;
    let file = response.bytes().await.map_err(|e| MediaError::Download(e.without_url().to_string()))?;
    decrypt_media(&file, &media.encryption_metadata)
}

/// Decrypts a Flow media file as downloaded from the CDN: the AES-256-CBC
/// ciphertext followed by the first 10 bytes of its HMAC-SHA256 over IV
/// and ciphertext; both hashes are checked.
pub fn decrypt_media(file: &[u8], metadata: &EncryptionMetadata) -> Result<Vec<u8>, MediaError> {
    use aws_lc_rs::cipher::{AES_256, DecryptionContext, PaddedBlockDecryptingKey, UnboundCipherKey};
    use aws_lc_rs::{constant_time, digest, hmac};

    let bytes = |text: &str, name: &'static str, len: Option<usize>| {
        BASE64
            .decode(text.trim())
            .ok()
            .filter(|b| len.is_none_or(|l| b.len() == l))
            .map(Zeroizing::new)
            .ok_or(MediaError::Metadata(name))
    };
    let encrypted_hash = bytes(&metadata.encrypted_hash, "encrypted_hash", Some(32))?;
    let iv = bytes(&metadata.iv, "iv", Some(16))?;
    let key = bytes(&metadata.encryption_key, "encryption_key", Some(32))?;
    let hmac_key = bytes(&metadata.hmac_key, "hmac_key", None)?;
    let plaintext_hash = bytes(&metadata.plaintext_hash, "plaintext_hash", Some(32))?;

    if digest::digest(&digest::SHA256, file).as_ref() != encrypted_hash.as_slice() {
        return Err(MediaError::EncryptedHash);
    }
    let Some(split) = file.len().checked_sub(10) else {
        return Err(MediaError::Hmac);
    };
    let (ciphertext, tag) = file.split_at(split);
    let mut signed = iv.to_vec();
    signed.extend_from_slice(ciphertext);
    let mac = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &hmac_key), &signed);
    constant_time::verify_slices_are_equal(&mac.as_ref()[..10], tag).map_err(|_| MediaError::Hmac)?;

    let iv: [u8; 16] = iv.as_slice().try_into().map_err(|_| MediaError::Metadata("iv"))?;
    let cipher = UnboundCipherKey::new(&AES_256, &key).map_err(|_| MediaError::Metadata("encryption_key"))?;
    let cipher = PaddedBlockDecryptingKey::cbc_pkcs7(cipher).map_err(|_| MediaError::Decrypt)?;
    let mut buffer = ciphertext.to_vec();
    let plain = cipher.decrypt(&mut buffer, DecryptionContext::Iv128(iv.into())).map_err(|_| MediaError::Decrypt)?;
    if digest::digest(&digest::SHA256, plain).as_ref() != plaintext_hash.as_slice() {
        return Err(MediaError::PlaintextHash);
    }
    let len = plain.len();
    buffer.truncate(len);
    Ok(buffer)
}
