//! C2SP signed-note: a text, a blank line, and signature lines
//! `— <name> <base64(key hash || signature)>`; verifier keys
//! `<name>+<hex key hash>+<base64(type || public key)>` with the key hash the
//! first four bytes of SHA-256(name || "\n" || type || public key).
//! Ed25519 (type 0x01) for notes, and witness cosignatures (type 0x04,
//! tlog-cosignature `cosignature/v1`). openssl does the Ed25519 arithmetic.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use openssl::pkey::{Id, PKey, Private, Public};
use openssl::sign::{Signer, Verifier};

use super::TlogError;

/// Signature type: Ed25519 note signature.
pub const ED25519: u8 = 0x01;
/// Signature type: tlog-cosignature/v1 (Ed25519 over a timestamped message).
pub const COSIGNATURE_V1: u8 = 0x04;
/// Most signature lines read from one note.
const MAX_SIGNATURES: usize = 100;

fn bad(m: impl Into<String>) -> TlogError {
    TlogError::Format(m.into())
}

fn valid_name(n: &str) -> bool {
    !n.is_empty() && !n.contains('+') && !n.chars().any(char::is_whitespace)
}

/// The 4-byte key hash.
pub fn key_hash(name: &str, typ: u8, key: &[u8]) -> [u8; 4] {
    let mut h = openssl::sha::Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update(&[typ]);
    h.update(key);
    let d = h.finish();
    [d[0], d[1], d[2], d[3]]
}

/// A verifier key.
#[derive(Clone)]
pub struct VerifierKey {
    /// Key name.
    pub name: String,
    /// Key hash.
    pub hash: [u8; 4],
    /// Signature type.
    pub typ: u8,
    key: PKey<Public>,
}

impl std::fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "VerifierKey({}+{})", self.name, hex::encode(self.hash))
    }
}

impl VerifierKey {
    /// Parse `<name>+<hex>+<base64>`.
    pub fn parse(vkey: &str) -> Result<Self, TlogError> {
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(hx), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("a verifier key is <name>+<hash>+<key>"));
        };
        if !valid_name(name) {
            return Err(bad("bad key name"));
        }
        if hx.len() != 8
            || !hx
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
        {
            return Err(bad("the key hash must be 8 lower-case hex digits"));
        }
        let raw = B64.decode(b64).map_err(|_| bad("the key is not base64"))?;
        let (&typ, key) = raw.split_first().ok_or_else(|| bad("empty key"))?;
        if !(typ == ED25519 || typ == COSIGNATURE_V1) || key.len() != 32 {
            return Err(bad(format!("unsupported key type 0x{typ:02x}")));
        }
        let hash = key_hash(name, typ, key);
        if hex::encode(hash) != hx {
            return Err(bad("the key hash does not match the key"));
        }
        let key =
            PKey::public_key_from_raw_bytes(key, Id::ED25519).map_err(|e| bad(e.to_string()))?;
        Ok(Self {
            name: name.to_string(),
            hash,
            typ,
            key,
        })
    }

    /// The key in `<name>+<hex>+<base64>` form.
    pub fn encode(&self) -> String {
        let mut raw = vec![self.typ];
        raw.extend(self.key.raw_public_key().unwrap_or_default());
        format!(
            "{}+{}+{}",
            self.name,
            hex::encode(self.hash),
            B64.encode(raw)
        )
    }

    fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        Verifier::new_without_digest(&self.key)
            .and_then(|mut v| v.verify_oneshot(sig, msg))
            .unwrap_or(false)
    }
}

/// A signing key.
pub struct SignerKey {
    /// Key name.
    pub name: String,
    /// Key hash.
    pub hash: [u8; 4],
    key: PKey<Private>,
}

impl SignerKey {
    /// A key from a 32-byte Ed25519 seed.
    pub fn from_seed(name: &str, seed: &[u8]) -> Result<Self, TlogError> {
        if !valid_name(name) {
            return Err(bad("bad key name"));
        }
        let key =
            PKey::private_key_from_raw_bytes(seed, Id::ED25519).map_err(|e| bad(e.to_string()))?;
        let public = key.raw_public_key().map_err(|e| bad(e.to_string()))?;
        Ok(Self {
            name: name.to_string(),
            hash: key_hash(name, ED25519, &public),
            key,
        })
    }

    /// Parse `PRIVATE+KEY+<name>+<hex>+<base64(0x01 || seed)>`.
    pub fn parse(skey: &str) -> Result<Self, TlogError> {
        let rest = skey
            .strip_prefix("PRIVATE+KEY+")
            .ok_or_else(|| bad("a signer key starts with PRIVATE+KEY+"))?;
        let mut parts = rest.splitn(3, '+');
        let (Some(name), Some(hx), Some(b64)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("a signer key is PRIVATE+KEY+<name>+<hash>+<key>"));
        };
        let raw = B64.decode(b64).map_err(|_| bad("the key is not base64"))?;
        let (&typ, seed) = raw.split_first().ok_or_else(|| bad("empty key"))?;
        if typ != ED25519 || seed.len() != 32 {
            return Err(bad("only Ed25519 signer keys are supported"));
        }
        let k = Self::from_seed(name, seed)?;
        if hex::encode(k.hash) != hx {
            return Err(bad("the key hash does not match the key"));
        }
        Ok(k)
    }

    /// Generate a new key.
    pub fn generate(name: &str) -> Result<(Self, [u8; 32]), TlogError> {
        let mut seed = [0u8; 32];
        openssl::rand::rand_bytes(&mut seed).map_err(|e| bad(e.to_string()))?;
        Ok((Self::from_seed(name, &seed)?, seed))
    }

    /// The signer key in `PRIVATE+KEY+…` form (secret!).
    pub fn encode_secret(&self) -> Result<String, TlogError> {
        let mut raw = vec![ED25519];
        raw.extend(self.key.raw_private_key().map_err(|e| bad(e.to_string()))?);
        Ok(format!(
            "PRIVATE+KEY+{}+{}+{}",
            self.name,
            hex::encode(self.hash),
            B64.encode(raw)
        ))
    }

    /// The matching verifier key.
    pub fn verifier(&self) -> Result<VerifierKey, TlogError> {
        let public = self.key.raw_public_key().map_err(|e| bad(e.to_string()))?;
        let mut raw = vec![ED25519];
        raw.extend(public);
        VerifierKey::parse(&format!(
            "{}+{}+{}",
            self.name,
            hex::encode(self.hash),
            B64.encode(raw)
        ))
    }

    /// Sign `text` (which must end with a newline), giving the signed note.
    pub fn sign(&self, text: &str) -> Result<String, TlogError> {
        if !text.ends_with('\n') || text.contains("\n\n") {
            return Err(bad("a note text ends with a newline and has no blank line"));
        }
        let sig = Signer::new_without_digest(&self.key)
            .and_then(|mut s| s.sign_oneshot_to_vec(text.as_bytes()))
            .map_err(|e| bad(e.to_string()))?;
        let mut blob = self.hash.to_vec();
        blob.extend(sig);
        Ok(format!("{text}\n— {} {}\n", self.name, B64.encode(blob)))
    }
}

/// A signature line of a note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureLine {
    /// Key name.
    pub name: String,
    /// Key hash.
    pub hash: [u8; 4],
    /// Signature bytes (after the key hash).
    pub sig: Vec<u8>,
}

/// Split a signed note into its text and signature lines.
pub fn split(note: &str) -> Result<(&str, Vec<SignatureLine>), TlogError> {
    let at = note
        .rfind("\n\n")
        .ok_or_else(|| bad("a signed note has a blank line before its signatures"))?;
    let (text, sigs) = (&note[..at + 1], &note[at + 2..]);
    if !sigs.ends_with('\n') {
        return Err(bad("the note must end with a newline"));
    }
    let mut out = Vec::new();
    for line in sigs[..sigs.len() - 1].split('\n') {
        let rest = line
            .strip_prefix("— ")
            .ok_or_else(|| bad("a signature line starts with an em dash and a space"))?;
        let (name, b64) = rest
            .split_once(' ')
            .ok_or_else(|| bad("a signature line is '— name signature'"))?;
        if !valid_name(name) {
            return Err(bad("bad signature name"));
        }
        let raw = B64
            .decode(b64)
            .map_err(|_| bad("a signature is not base64"))?;
        if raw.len() < 5 {
            return Err(bad("a signature is too short"));
        }
        out.push(SignatureLine {
            name: name.to_string(),
            hash: [raw[0], raw[1], raw[2], raw[3]],
            sig: raw[4..].to_vec(),
        });
        if out.len() > MAX_SIGNATURES {
            return Err(bad("too many signatures"));
        }
    }
    if out.is_empty() {
        return Err(bad("the note has no signature"));
    }
    Ok((text, out))
}

/// Verify `note` with `keys`: at least one signature must be by a known key,
/// and every signature by a known key must verify. Returns the text and the
/// names of the keys that signed.
pub fn open<'a>(note: &'a str, keys: &[VerifierKey]) -> Result<(&'a str, Vec<String>), TlogError> {
    let (text, sigs) = split(note)?;
    let mut signed = Vec::new();
    for s in &sigs {
        let Some(k) = keys.iter().find(|k| k.name == s.name && k.hash == s.hash) else {
            continue;
        };
        let ok = match k.typ {
            ED25519 => k.verify(text.as_bytes(), &s.sig),
            COSIGNATURE_V1 => {
                let (Some(ts), Some(sig)) = (s.sig.get(..8), s.sig.get(8..)) else {
                    return Err(bad("short cosignature"));
                };
                let t = u64::from_be_bytes(ts.try_into().unwrap_or([0; 8]));
                k.verify(cosignature_message(text, t).as_bytes(), sig)
            }
            _ => false,
        };
        if !ok {
            return Err(bad(format!("the signature by {} does not verify", s.name)));
        }
        signed.push(s.name.clone());
    }
    if signed.is_empty() {
        return Err(bad("no signature by a known key"));
    }
    Ok((text, signed))
}

/// The message a tlog-cosignature/v1 signs.
pub fn cosignature_message(checkpoint_text: &str, time: u64) -> String {
    format!("cosignature/v1\ntime {time}\n{checkpoint_text}")
}
