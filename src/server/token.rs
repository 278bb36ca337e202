//! The reference server's service-account token issuer: RS256 JSON Web Tokens with the claims
//! kube-apiserver v1.20.2 puts in a bound token (`pkg/serviceaccount/claims.go`), signed with a key
//! the process generates when it first needs one (a real server has its `--service-account-key-file`;
//! this one's key lives as long as the process). Its public half is served as the real server serves
//! its own: `/openid/v1/jwks` and `/.well-known/openid-configuration`.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeyPair, KeySize};
use aws_lc_rs::signature::{
    KeyPair as _, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, UnparsedPublicKey,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// The issuer the real server of the live tests names (`--service-account-issuer`), also the
/// audience of a token that names none (`--api-audiences` defaults to it).
pub const ISSUER: &str = "https://kubernetes.default.svc.cluster.local";

/// The signing key and its key id (`kid`: the SHA-256 of the public key's DER, base64url, as
/// `keyIDFromPublicKey` computes it).
struct Signer {
    key: KeyPair,
    kid: String,
}

static SIGNER: LazyLock<Result<Signer, String>> = LazyLock::new(|| {
    let key = KeyPair::generate(KeySize::Rsa2048)
        .map_err(|_| "cannot generate the service-account signing key".to_string())?;
    let der = key
        .public_key()
        .as_der()
        .map_err(|_| "cannot encode the service-account public key".to_string())?;
    let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(der.as_ref()));
    Ok(Signer { key, kid })
});

/// A reference to the object a token is bound to (a pod or a secret), or to its service account.
pub struct Ref<'a> {
    pub name: &'a str,
    pub uid: &'a str,
}

/// What a token says: who it is for (`namespace`, the service account), what it is bound to,
/// its audiences and its lifetime from `issued_at` (Unix seconds).
pub struct Claims<'a> {
    pub namespace: &'a str,
    pub service_account: Ref<'a>,
    pub pod: Option<Ref<'a>>,
    pub secret: Option<Ref<'a>>,
    pub audiences: &'a [String],
    pub issued_at: i64,
    pub expires_in: i64,
    /// `warnafter` (Unix seconds), for a pod-bound token whose expiry the server extended.
    pub warn_after: Option<i64>,
}

/// The signed token (`header.payload.signature`).
pub fn sign(claims: &Claims<'_>) -> Result<String, String> {
    let signer = SIGNER.as_ref().map_err(Clone::clone)?;
    let header = json!({"alg": "RS256", "kid": signer.kid});
    let r = |r: &Ref<'_>| json!({"name": r.name, "uid": r.uid});
    // Go marshals the claims as a map: keys in sorted order (serde_json's Map keeps insertion
    // order here, so they are inserted sorted).
    let mut k8s = Map::new();
    k8s.insert("namespace".into(), json!(claims.namespace));
    if let Some(p) = &claims.pod {
        k8s.insert("pod".into(), r(p));
    }
    if let Some(s) = &claims.secret {
        k8s.insert("secret".into(), r(s));
    }
    k8s.insert("serviceaccount".into(), r(&claims.service_account));
    if let Some(w) = claims.warn_after {
        k8s.insert("warnafter".into(), json!(w));
    }
    let payload = json!({
        "aud": claims.audiences,
        "exp": claims.issued_at + claims.expires_in,
        "iat": claims.issued_at,
        "iss": ISSUER,
        "kubernetes.io": k8s,
        "nbf": claims.issued_at,
        "sub": format!("system:serviceaccount:{}:{}", claims.namespace, claims.service_account.name),
    });
    let part = |v: &Value| URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).unwrap_or_default());
    let signing_input = format!("{}.{}", part(&header), part(&payload));
    let mut signature = vec![0; signer.key.public_modulus_len()];
    signer
        .key
        .sign(
            &RSA_PKCS1_SHA256,
            &SystemRandom::new(),
            signing_input.as_bytes(),
            &mut signature,
        )
        .map_err(|_| "failed to generate token: signing failed".to_string())?;
    Ok(format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature)
    ))
}

/// How far a token's times may be off (go-jose's `DefaultLeeway`).
const LEEWAY_SECONDS: i64 = 60;

/// Why a token is not one of this server's valid service-account tokens.
#[derive(Debug, PartialEq, Eq)]
pub enum Rejected {
    /// Not a JWT of this issuer: the service-account authenticator leaves it to the others.
    NotOurs,
    /// One of ours that does not hold (the authenticator's message).
    Invalid(String),
}

/// The claims of a token this server signed, verified: its signature and its lifetime at `now`
/// (Unix seconds); what it is bound to is the caller's to check.
pub fn verify(token: &str, now: i64) -> Result<Value, Rejected> {
    let signer = SIGNER.as_ref().map_err(|e| Rejected::Invalid(e.clone()))?;
    let parts: Vec<&str> = token.split('.').collect();
    let [header, payload, signature] = parts[..] else {
        return Err(Rejected::NotOurs);
    };
    let decode = |part: &str| -> Option<Value> {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).ok()?).ok()
    };
    let (Some(_), Some(claims)) = (decode(header), decode(payload)) else {
        return Err(Rejected::NotOurs);
    };
    if claims.get("iss").and_then(Value::as_str) != Some(ISSUER) {
        return Err(Rejected::NotOurs);
    }
    let key = UnparsedPublicKey::new(
        &RSA_PKCS1_2048_8192_SHA256,
        signer.key.public_key().as_ref(),
    );
    let signed = URL_SAFE_NO_PAD.decode(signature).unwrap_or_default();
    if key
        .verify(format!("{header}.{payload}").as_bytes(), &signed)
        .is_err()
    {
        return Err(Rejected::Invalid(
            "square/go-jose: error in cryptographic primitive".into(),
        ));
    }
    // go-jose's checks, with its default leeway of a minute.
    let at = |k: &str| claims.get(k).and_then(Value::as_i64);
    if at("exp").is_some_and(|exp| now > exp + LEEWAY_SECONDS) {
        return Err(Rejected::Invalid("Token has expired.".into()));
    }
    if at("nbf").is_some_and(|nbf| now + LEEWAY_SECONDS < nbf) {
        return Err(Rejected::Invalid("Token could not be validated.".into()));
    }
    Ok(claims)
}

/// `GET /openid/v1/jwks`: the public signing key.
pub fn jwks() -> Result<Value, String> {
    let signer = SIGNER.as_ref().map_err(Clone::clone)?;
    let (n, e) = rsa_public_key(signer.key.public_key().as_ref())
        .ok_or("cannot read the service-account public key")?;
    Ok(json!({"keys": [{
        "use": "sig", "kty": "RSA", "kid": signer.kid, "alg": "RS256",
        "n": URL_SAFE_NO_PAD.encode(n), "e": URL_SAFE_NO_PAD.encode(e),
    }]}))
}

/// The modulus and exponent of a DER `RSAPublicKey` (RFC 8017: a SEQUENCE of two INTEGERs), without
/// leading zero bytes.
fn rsa_public_key(der: &[u8]) -> Option<(&[u8], &[u8])> {
    // One TLV: its tag, and its contents and what follows.
    fn tlv(b: &[u8], tag: u8) -> Option<(&[u8], &[u8])> {
        let (&t, rest) = b.split_first()?;
        let (&l, rest) = rest.split_first()?;
        let (len, rest) = if l < 0x80 {
            (usize::from(l), rest)
        } else {
            let n = usize::from(l & 0x7f);
            let (bytes, rest) = (rest.get(..n)?, rest.get(n..)?);
            (
                bytes.iter().fold(0usize, |a, &b| a << 8 | usize::from(b)),
                rest,
            )
        };
        (t == tag).then_some((rest.get(..len)?, rest.get(len..)?))
    }
    fn strip(i: &[u8]) -> &[u8] {
        let zeros = i.iter().take_while(|&&b| b == 0).count();
        &i[zeros..]
    }
    let (seq, _) = tlv(der, 0x30)?;
    let (n, rest) = tlv(seq, 0x02)?;
    let (e, _) = tlv(rest, 0x02)?;
    Some((strip(n), strip(e)))
}

/// `GET /.well-known/openid-configuration`; `host` is the address the client used.
pub fn openid_configuration(host: &str) -> Value {
    json!({
        "issuer": ISSUER,
        "jwks_uri": format!("https://{host}/openid/v1/jwks"),
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_lc_rs::signature::RsaPublicKeyComponents;

    #[test]
    fn a_token_verifies_with_the_published_key_and_carries_the_claims() {
        let auds = vec!["x".to_string()];
        let token = sign(&Claims {
            namespace: "ns",
            service_account: Ref {
                name: "sa",
                uid: "u-1",
            },
            pod: Some(Ref {
                name: "p",
                uid: "u-2",
            }),
            secret: None,
            audiences: &auds,
            issued_at: 1_000,
            expires_in: 3_600,
            warn_after: None,
        })
        .expect("signed");
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        let decode = |p: &str| -> Value {
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(p).unwrap()).unwrap()
        };
        let keys = jwks().unwrap();
        let key = &keys["keys"][0];
        assert_eq!(decode(parts[0]), json!({"alg": "RS256", "kid": key["kid"]}));
        let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(
            payload,
            r#"{"aud":["x"],"exp":4600,"iat":1000,"iss":"https://kubernetes.default.svc.cluster.local","kubernetes.io":{"namespace":"ns","pod":{"name":"p","uid":"u-2"},"serviceaccount":{"name":"sa","uid":"u-1"}},"nbf":1000,"sub":"system:serviceaccount:ns:sa"}"#
        );
        let n = URL_SAFE_NO_PAD.decode(key["n"].as_str().unwrap()).unwrap();
        let e = URL_SAFE_NO_PAD.decode(key["e"].as_str().unwrap()).unwrap();
        let public = RsaPublicKeyComponents { n: &n, e: &e };
        let signature = URL_SAFE_NO_PAD.decode(parts[2]).unwrap();
        let input = format!("{}.{}", parts[0], parts[1]);
        public
            .verify(
                &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
                input.as_bytes(),
                &signature,
            )
            .expect("the signature verifies with the published key");
        let mut forged = input.into_bytes();
        forged[10] ^= 1;
        assert!(
            public
                .verify(
                    &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
                    &forged,
                    &signature
                )
                .is_err()
        );
    }
}
