//! The Flows data endpoint (`whatsapp_cloud_api::flows_endpoint`): requests
//! encrypted as WhatsApp encrypts them, answers decrypted as WhatsApp
//! decrypts them, the failures WhatsApp expects, keys in every PEM form,
//! Flow media, and the example endpoint.

use aes_gcm::aead::consts::U16;
use aes_gcm::aead::{Aead, KeyInit};
use aes_gcm::aes::Aes128;
use aes_gcm::{AesGcm, Nonce};
use aws_lc_rs::rsa::{OAEP_SHA256_MGF1SHA256, OaepPublicEncryptingKey, PublicEncryptingKey};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Value, json};
use whatsapp_cloud_api::flows_endpoint::{
    EncryptionMetadata, FlowError, FlowRequest, FlowResponse, FlowsEndpoint, FlowsKey, KeyError,
    MediaError, decrypt_media,
};

#[path = "../../../generated/whatsapp-cloud-api/examples/flows_endpoint.rs"]
#[allow(dead_code)]
mod example;

fn fixture(name: &str) -> String {
    let path = codegen_tests::workspace_root()
        .join("tests/fixtures/flows")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn gcm(key: &[u8; 16]) -> AesGcm<Aes128, U16> {
    AesGcm::<Aes128, U16>::new(key.into())
}

/// What WhatsApp posts: `request` encrypted for `key`'s public key, with
/// the AES key and IV it used.
fn encrypt_request(key: &FlowsKey, request: &Value) -> (Vec<u8>, [u8; 16], [u8; 16]) {
    let pem = key.public_key_pem().expect("public PEM");
    let (_, der) = pem_der(&pem);
    let public =
        OaepPublicEncryptingKey::new(PublicEncryptingKey::from_der(&der).expect("public key"))
            .expect("OAEP");
    let aes_key: [u8; 16] = std::array::from_fn(|i| (i * 7 + 3) as u8);
    let iv: [u8; 16] = std::array::from_fn(|i| (200 - i) as u8);
    let mut wrapped = vec![0u8; public.ciphertext_size()];
    let wrapped = public
        .encrypt(&OAEP_SHA256_MGF1SHA256, &aes_key, &mut wrapped, None)
        .expect("wraps");
    let data = gcm(&aes_key)
        .encrypt(Nonce::from_slice(&iv), request.to_string().as_bytes())
        .expect("seals");
    let body = json!({
        "encrypted_flow_data": B64.encode(data),
        "encrypted_aes_key": B64.encode(wrapped),
        "initial_vector": B64.encode(iv),
    });
    (body.to_string().into_bytes(), aes_key, iv)
}

/// Decrypts an answer as WhatsApp does: the same key, the inverted IV.
fn decrypt_answer(body: &str, aes_key: &[u8; 16], iv: &[u8; 16]) -> Value {
    let inverted: [u8; 16] = iv.map(|b| !b);
    let sealed = B64.decode(body).expect("base64 answer");
    let plain = gcm(aes_key)
        .decrypt(Nonce::from_slice(&inverted), sealed.as_slice())
        .expect("answer decrypts");
    serde_json::from_slice(&plain).expect("answer is JSON")
}

fn pem_der(pem: &str) -> (String, Vec<u8>) {
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let label = pem
        .lines()
        .next()
        .unwrap_or_default()
        .trim_matches('-')
        .trim_start_matches("BEGIN ")
        .to_string();
    (label, B64.decode(body).expect("PEM body"))
}

#[tokio::test]
async fn every_request_kind_round_trips_with_a_generated_key() {
    let key = FlowsKey::generate().expect("generates");
    let private_pem = key.private_key_pem().expect("private PEM");
    let endpoint =
        FlowsEndpoint::new(FlowsKey::from_pem(&private_pem, None).expect("reads its own PEM"));
    let cases = [
        (
            json!({"version": "3.0", "action": "ping"}),
            json!({"data": {"status": "active"}}),
        ),
        (
            json!({"version": "3.0", "action": "INIT", "flow_token": "tok-1"}),
            json!({"screen": "WELCOME", "data": {"seen": "INIT"}}),
        ),
        (
            json!({"version": "3.0", "action": "data_exchange", "screen": "DAY", "data": {"day": "Monday"}, "flow_token": "tok-1"}),
            json!({"screen": "SUCCESS", "data": {"extension_message_response": {"params": {"flow_token": "tok-1", "seen": "data_exchange DAY Monday"}}}}),
        ),
        (
            json!({"version": "3.0", "action": "BACK", "screen": "DAY", "flow_token": "tok-1"}),
            json!({"screen": "DAY", "data": {"seen": "BACK"}}),
        ),
        (
            json!({"version": "3.0", "action": "data_exchange", "screen": "DAY", "flow_token": "tok-1", "data": {"error": "INVALID_SCREEN", "error_message": "no such screen"}}),
            json!({"data": {"acknowledged": true}}),
        ),
    ];
    for (request, expected) in cases {
        let (body, aes_key, iv) = encrypt_request(&key, &request);
        let answer = endpoint
            .answer(&body, None, |request| async move {
                match request {
                    FlowRequest::Init { .. } => {
                        FlowResponse::screen("WELCOME").with("seen", "INIT")
                    }
                    FlowRequest::DataExchange {
                        screen,
                        data,
                        flow_token,
                        ..
                    } => {
                        let day = data["day"].as_str().unwrap_or_default().to_string();
                        FlowResponse::close(flow_token)
                            .with("seen", format!("data_exchange {screen} {day}"))
                    }
                    FlowRequest::Back { screen, .. } => {
                        FlowResponse::screen(screen).with("seen", "BACK")
                    }
                    FlowRequest::ErrorNotification {
                        error,
                        error_message,
                        ..
                    } => {
                        assert_eq!(
                            (error.as_str(), error_message.as_deref()),
                            ("INVALID_SCREEN", Some("no such screen"))
                        );
                        FlowResponse::acknowledge()
                    }
                    other => panic!("unexpected {other:?}"),
                }
            })
            .await;
        assert_eq!(answer.status, 200, "{request}");
        assert_eq!(
            decrypt_answer(&answer.body, &aes_key, &iv),
            expected,
            "{request}"
        );
    }
}

#[test]
fn a_request_encrypted_by_another_implementation_decrypts_and_the_answer_matches_byte_for_byte() {
    // Vectors made with Python's `cryptography` package from the PKCS#1
    // fixture key (see known_answer.json).
    let kat: Value = serde_json::from_str(&fixture("known_answer.json")).expect("JSON");
    let key = FlowsKey::from_pem(&fixture("pkcs1.pem"), None).expect("PKCS#1 key");
    let body = kat["request_body"].to_string();
    let (request, reply) = key.decrypt(body.as_bytes()).expect("decrypts");
    let FlowRequest::Init {
        flow_token,
        version,
        data,
    } = request
    else {
        panic!("{request:?}")
    };
    assert_eq!(
        (flow_token.as_str(), version.as_str()),
        ("flowtoken-kat-1", "3.0")
    );
    assert!(data.is_empty());
    assert_eq!(
        FlowResponse::pong().to_json().to_string(),
        kat["response_plaintext"]
    );
    assert_eq!(reply.seal(&FlowResponse::pong()), kat["response_body"]);
}

#[tokio::test]
async fn failures_answer_as_whatsapp_expects_and_leak_nothing() {
    let key = FlowsKey::generate().expect("generates");
    let other = FlowsEndpoint::new(FlowsKey::generate().expect("generates"));
    let request = json!({"version": "3.0", "action": "INIT", "flow_token": "secret-flow-token"});
    let (body, _, _) = encrypt_request(&key, &request);
    let never = |_: FlowRequest| async { panic!("the handler must not run") };

    // Another key: 421, so that WhatsApp fetches the public key again.
    let answer = other.answer(&body, None, never).await;
    assert_eq!((answer.status, answer.body.as_str()), (421, ""));
    let err = other.open(&body, None).expect_err("wrong key");
    assert_eq!(err, FlowError::Decrypt);

    // Not the envelope, or not base64: 400.
    for bad in [
        &b"{}"[..],
        b"not json",
        br#"{"encrypted_flow_data":"!","encrypted_aes_key":"AA==","initial_vector":"AA=="}"#,
    ] {
        assert_eq!(other.answer(bad, None, never).await.status, 400);
    }

    // With an app secret, the signature must match: 432 otherwise.
    let signed = FlowsEndpoint::new(
        FlowsKey::from_pem(&key.private_key_pem().expect("PEM"), None).expect("key"),
    )
    .app_secret(b"app-secret".to_vec());
    for signature in [
        None,
        Some("sha256=00"),
        Some(whatsapp_cloud_api::webhooks::sign(b"other", &body).as_str()),
    ] {
        assert_eq!(signed.answer(&body, signature, never).await.status, 432);
    }
    let good = whatsapp_cloud_api::webhooks::sign(b"app-secret", &body);
    let (request, reply) = signed
        .open(&body, Some(&good))
        .expect("signed request opens");

    // Nothing secret in `Debug` or errors.
    let shown = format!("{request:?} {reply:?} {signed:?} {key:?} {err} {err:?}");
    for secret in ["secret-flow-token", "app-secret", "PRIVATE KEY"] {
        assert!(!shown.contains(secret), "{secret} shows in {shown}");
    }
}

#[test]
fn keys_load_from_every_pem_form_and_refuse_with_a_reason() {
    let pkcs1 = FlowsKey::from_pem(&fixture("pkcs1.pem"), None).expect("PKCS#1");
    let encrypted = fixture("encrypted_pkcs8_des3.pem");
    let pkcs8 = FlowsKey::from_pem(&encrypted, Some("flows-test"))
        .expect("encrypted PKCS#8 with its passphrase");
    assert_ne!(
        pkcs1.public_key_pem().expect("PEM"),
        pkcs8.public_key_pem().expect("PEM")
    );
    let reread =
        FlowsKey::from_pem(&pkcs8.private_key_pem().expect("PEM"), None).expect("plain PKCS#8");
    assert_eq!(reread.public_key_pem(), pkcs8.public_key_pem());
    assert!(
        pkcs8
            .public_key_pem()
            .expect("PEM")
            .starts_with("-----BEGIN PUBLIC KEY-----\n")
    );

    assert_eq!(
        FlowsKey::from_pem(&encrypted, None).map(drop),
        Err(KeyError::Passphrase)
    );
    assert_eq!(
        FlowsKey::from_pem(&encrypted, Some("wrong")).map(drop),
        Err(KeyError::Passphrase)
    );
    // OpenSSL's traditional encrypted form of the PKCS#1 fixture's key
    // (what Meta's key generator writes), in DES-EDE3-CBC and AES-256-CBC.
    for name in ["traditional_encrypted.pem", "traditional_aes256.pem"] {
        let pem = fixture(name);
        let key =
            FlowsKey::from_pem(&pem, Some("flows-test")).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(key.public_key_pem(), pkcs1.public_key_pem(), "{name}");
        assert_eq!(
            FlowsKey::from_pem(&pem, None).map(drop),
            Err(KeyError::Passphrase),
            "{name}"
        );
        assert_eq!(
            FlowsKey::from_pem(&pem, Some("wrong")).map(drop),
            Err(KeyError::Passphrase),
            "{name}"
        );
    }
    let unknown = fixture("traditional_aes256.pem").replace("AES-256-CBC", "CAMELLIA-256-CBC");
    assert_eq!(
        FlowsKey::from_pem(&unknown, Some("flows-test")).map(drop),
        Err(KeyError::Traditional("CAMELLIA-256-CBC".into()))
    );
    assert!(matches!(
        FlowsKey::from_pem("hello", None),
        Err(KeyError::Pem(_))
    ));
    let public = pkcs8.public_key_pem().expect("PEM");
    assert!(matches!(
        FlowsKey::from_pem(&public, None),
        Err(KeyError::Pem(_))
    ));
}

/// A Flow media file encrypted as the CDN serves it, and its metadata.
fn encrypted_media(plain: &[u8]) -> (Vec<u8>, EncryptionMetadata) {
    use aws_lc_rs::cipher::{
        AES_256, EncryptionContext, PaddedBlockEncryptingKey, UnboundCipherKey,
    };
    use aws_lc_rs::{digest, hmac};
    let key = [7u8; 32];
    let hmac_key = [9u8; 32];
    let iv = [5u8; 16];
    let cipher =
        PaddedBlockEncryptingKey::cbc_pkcs7(UnboundCipherKey::new(&AES_256, &key).expect("key"))
            .expect("CBC");
    let mut ciphertext = plain.to_vec();
    cipher
        .less_safe_encrypt(&mut ciphertext, EncryptionContext::Iv128(iv.into()))
        .expect("encrypts");
    let mut signed = iv.to_vec();
    signed.extend_from_slice(&ciphertext);
    let mac = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA256, &hmac_key), &signed);
    let mut file = ciphertext;
    file.extend_from_slice(&mac.as_ref()[..10]);
    let meta = json!({
        "encrypted_hash": B64.encode(digest::digest(&digest::SHA256, &file)),
        "iv": B64.encode(iv),
        "encryption_key": B64.encode(key),
        "hmac_key": B64.encode(hmac_key),
        "plaintext_hash": B64.encode(digest::digest(&digest::SHA256, plain)),
    });
    (file, serde_json::from_value(meta).expect("metadata"))
}

#[test]
fn flow_media_decrypts_and_every_check_holds() {
    let plain = b"%PDF-1.7 a document the user picked".repeat(5);
    let (file, meta) = encrypted_media(&plain);
    assert_eq!(decrypt_media(&file, &meta).expect("decrypts"), plain);
    assert!(!format!("{meta:?}").contains(&meta.encryption_key));

    let mut tampered = file.clone();
    tampered[3] ^= 1;
    assert_eq!(
        decrypt_media(&tampered, &meta),
        Err(MediaError::EncryptedHash)
    );
    // The hash of the tampered file, so that the HMAC is what fails.
    let mut rehashed = meta.clone();
    rehashed.encrypted_hash = B64.encode(aws_lc_rs::digest::digest(
        &aws_lc_rs::digest::SHA256,
        &tampered,
    ));
    assert_eq!(decrypt_media(&tampered, &rehashed), Err(MediaError::Hmac));
    let mut wrong_plain = meta.clone();
    wrong_plain.plaintext_hash = meta.encrypted_hash.clone();
    assert_eq!(
        decrypt_media(&file, &wrong_plain),
        Err(MediaError::PlaintextHash)
    );
    let mut short_key = meta.clone();
    short_key.encryption_key = B64.encode([1u8; 16]);
    assert_eq!(
        decrypt_media(&file, &short_key),
        Err(MediaError::Metadata("encryption_key"))
    );
}

#[tokio::test]
async fn the_example_answers_a_ping_and_an_init_encrypted_as_whatsapp_does() {
    let key = FlowsKey::generate().expect("generates");
    let endpoint = FlowsEndpoint::new(
        FlowsKey::from_pem(&key.private_key_pem().expect("PEM"), None).expect("key"),
    );
    let (body, aes_key, iv) = encrypt_request(&key, &json!({"version": "3.0", "action": "ping"}));
    let answer = endpoint.answer(&body, None, example::handle).await;
    assert_eq!(
        decrypt_answer(&answer.body, &aes_key, &iv),
        json!({"data": {"status": "active"}})
    );

    let (body, aes_key, iv) = encrypt_request(
        &key,
        &json!({"version": "3.0", "action": "INIT", "flow_token": "tok-9"}),
    );
    let answer = endpoint.answer(&body, None, example::handle).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        decrypt_answer(&answer.body, &aes_key, &iv),
        json!({"screen": "APPOINTMENT", "data": {"days": example::DAYS}})
    );

    let request = json!({"version": "3.0", "action": "data_exchange", "screen": "CONFIRM", "data": {"day": "Friday"}, "flow_token": "tok-9"});
    let (body, aes_key, iv) = encrypt_request(&key, &request);
    let answer = endpoint.answer(&body, None, example::handle).await;
    assert_eq!(
        decrypt_answer(&answer.body, &aes_key, &iv),
        json!({"screen": "SUCCESS", "data": {"extension_message_response": {"params": {"flow_token": "tok-9", "day": "Friday"}}}})
    );
}

#[tokio::test]
async fn the_axum_route_answers_with_the_status_and_a_text_body() {
    let key = FlowsKey::generate().expect("generates");
    let endpoint = FlowsEndpoint::new(
        FlowsKey::from_pem(&key.private_key_pem().expect("PEM"), None).expect("key"),
    );
    let app =
        whatsapp_cloud_api::flows_endpoint::routes::router("/flows", endpoint, example::handle);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let url = format!("http://{}/flows", listener.local_addr().expect("bound"));
    tokio::spawn(async move { axum::serve(listener, app).await });
    let http = whatsapp_cloud_api::reqwest::Client::new();

    let (body, aes_key, iv) = encrypt_request(&key, &json!({"version": "3.0", "action": "ping"}));
    let response = http.post(&url).body(body).send().await.expect("answered");
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "text/plain");
    let text = response.text().await.expect("text");
    assert_eq!(
        decrypt_answer(&text, &aes_key, &iv),
        json!({"data": {"status": "active"}})
    );

    let response = http.post(&url).body("{}").send().await.expect("answered");
    assert_eq!(response.status().as_u16(), 400);
    assert_eq!(response.text().await.expect("text"), "");
}

#[tokio::test]
async fn upload_sends_the_public_key_and_reads_back_its_signature_status() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};
    let key = FlowsKey::generate().expect("generates");
    let pem = key.public_key_pem().expect("PEM");
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v23.0/106540352242922/whatsapp_business_encryption"))
        .and(wiremock::matchers::body_string_contains(
            "name=\"business_public_key\"\r\n\r\n-----BEGIN PUBLIC KEY-----\n",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"success": true})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v23.0/106540352242922/whatsapp_business_encryption"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "data": [{"business_public_key": pem, "business_public_key_signature_status": "VALID"}]
        })))
        .expect(1)
        .mount(&server)
        .await;
    let client = whatsapp_cloud_api::Client::builder("token")
        .base_url(server.uri())
        .build()
        .expect("client");
    let status = key
        .upload(&client, "106540352242922")
        .await
        .expect("uploads");
    assert_eq!(
        status,
        Some(whatsapp_cloud_api::types::BusinessPublicKeyVerificationStatus::Valid)
    );
}
