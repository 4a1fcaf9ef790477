//! Online revocation against a CRL and OCSP responder on loopback that the
//! test starts: a PKI made here with distribution points and OCSP URLs
//! pointing at it, a PDF signed with it, and `vanthu`'s HTTP fetcher asking
//! (no CRL configured): good, then revoked; the cache answers a second ask;
//! a delegated OCSP responder is accepted; a revoked intermediate CA
//! revokes its signer.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::routing::{get, post};
use chrono::{DateTime, Duration, Utc};
use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private};
use openssl::rsa::Rsa;
use openssl::sign::Signer;
use openssl::x509::{X509, X509Builder, X509Extension, X509NameBuilder};
use vanthu::sign::der;
use vanthu::sigverify::report::{Revocation, Status, SubIndication};
use vanthu::sigverify::{Online, Options, TrustStore, verify};

const SHA256_RSA: &str = "1.2.840.113549.1.1.11";

struct Ca {
    key: PKey<Private>,
    cert: X509,
}

fn key() -> PKey<Private> {
    PKey::from_rsa(Rsa::generate(2048).expect("rsa")).expect("key")
}

fn name(cn: &str) -> openssl::x509::X509Name {
    let mut n = X509NameBuilder::new().expect("name");
    n.append_entry_by_text("C", "VN").expect("C");
    n.append_entry_by_text("O", "vanthu revocation test")
        .expect("O");
    n.append_entry_by_text("CN", cn).expect("CN");
    n.build()
}

/// CRLDistributionPoints with one URI (RFC 5280 4.2.1.13).
fn cdp(url: &str) -> X509Extension {
    let uri = der::tlv(0x86, url.as_bytes());
    let dp = der::seq(&[der::ctx(0, &der::ctx(0, &uri))]);
    X509Extension::new_from_der(
        &openssl::asn1::Asn1Object::from_str("2.5.29.31").expect("oid"),
        false,
        &openssl::asn1::Asn1OctetString::new_from_bytes(&der::seq(&[dp])).expect("octets"),
    )
    .expect("cdp")
}

/// AuthorityInfoAccess with an OCSP URI (RFC 5280 4.2.2.1).
fn aia(url: &str) -> X509Extension {
    let ad = der::seq(&[
        der::oid("1.3.6.1.5.5.7.48.1"),
        der::tlv(0x86, url.as_bytes()),
    ]);
    X509Extension::new_from_der(
        &openssl::asn1::Asn1Object::from_str("1.3.6.1.5.5.7.1.1").expect("oid"),
        false,
        &openssl::asn1::Asn1OctetString::new_from_bytes(&der::seq(&[ad])).expect("octets"),
    )
    .expect("aia")
}

fn issue(
    subject: &str,
    serial: u32,
    key: &PKey<Private>,
    issuer: Option<&Ca>,
    ca: bool,
    ocsp_signer: bool,
    base: &str,
) -> X509 {
    use openssl::x509::extension::{BasicConstraints, ExtendedKeyUsage, KeyUsage};
    let mut b = X509Builder::new().expect("builder");
    b.set_version(2).expect("v3");
    b.set_serial_number(
        &BigNum::from_u32(serial)
            .expect("bn")
            .to_asn1_integer()
            .expect("int"),
    )
    .expect("serial");
    b.set_subject_name(&name(subject)).expect("subject");
    match issuer {
        Some(i) => b.set_issuer_name(i.cert.subject_name()).expect("issuer"),
        None => b.set_issuer_name(&name(subject)).expect("issuer"),
    }
    b.set_pubkey(key).expect("pubkey");
    b.set_not_before(&Asn1Time::from_unix(Utc::now().timestamp() - 86_400).expect("t"))
        .expect("nb");
    b.set_not_after(&Asn1Time::days_from_now(365).expect("t"))
        .expect("na");
    if ca {
        b.append_extension(BasicConstraints::new().critical().ca().build().expect("bc"))
            .expect("bc");
        b.append_extension(
            KeyUsage::new()
                .critical()
                .key_cert_sign()
                .crl_sign()
                .build()
                .expect("ku"),
        )
        .expect("ku");
    } else {
        b.append_extension(BasicConstraints::new().critical().build().expect("bc"))
            .expect("bc");
        b.append_extension(
            KeyUsage::new()
                .critical()
                .digital_signature()
                .non_repudiation()
                .build()
                .expect("ku"),
        )
        .expect("ku");
    }
    if ocsp_signer {
        b.append_extension(
            ExtendedKeyUsage::new()
                .other("OCSPSigning")
                .build()
                .expect("eku"),
        )
        .expect("eku");
    }
    if issuer.is_some() {
        b.append_extension(cdp(&format!("{base}/ca.crl")))
            .expect("cdp");
        b.append_extension(aia(&format!("{base}/ocsp")))
            .expect("aia");
    }
    let signing_key = issuer.map_or(key, |i| &i.key);
    b.sign(signing_key, MessageDigest::sha256()).expect("sign");
    b.build()
}

fn sign_with(key: &PKey<Private>, tbs: &[u8]) -> Vec<u8> {
    let mut s = Signer::new(MessageDigest::sha256(), key).expect("signer");
    s.update(tbs).expect("update");
    s.sign_to_vec().expect("sign")
}

fn bit_string(b: &[u8]) -> Vec<u8> {
    let mut v = vec![0u8];
    v.extend_from_slice(b);
    der::tlv(0x03, &v)
}

/// A CRL by `ca` revoking `revoked` serials (RFC 5280 5.1).
fn crl(ca: &Ca, revoked: &[(u32, DateTime<Utc>)]) -> Vec<u8> {
    let now = Utc::now();
    let mut parts = vec![
        der::small_int(1),
        der::alg(SHA256_RSA, Some(der::null())),
        ca.cert.subject_name().to_der().expect("name"),
        der::utc_time(now - Duration::hours(1)),
        der::utc_time(now + Duration::days(1)),
    ];
    if !revoked.is_empty() {
        let entries: Vec<Vec<u8>> = revoked
            .iter()
            .map(|(s, t)| der::seq(&[der::small_int(u64::from(*s)), der::utc_time(*t)]))
            .collect();
        parts.push(der::seq(&entries));
    }
    let tbs = der::seq(&parts);
    let sig = sign_with(&ca.key, &tbs);
    der::seq(&[
        tbs,
        der::alg(SHA256_RSA, Some(der::null())),
        bit_string(&sig),
    ])
}

/// The CertID of the first request of an OCSP request (echoed back).
fn request_cert_id(req: &[u8]) -> Option<(Vec<u8>, u64)> {
    use vanthu::sigverify::asn1;
    let (top, _) = asn1::read(req).ok()?;
    let tbs = top.children().ok()?.into_iter().next()?;
    let list = tbs.children().ok()?.into_iter().find(|t| t.tag == 0x30)?;
    let first = list.children().ok()?.into_iter().next()?;
    let cert_id = first.children().ok()?.into_iter().next()?;
    let serial = cert_id
        .children()
        .ok()?
        .get(3)?
        .content
        .iter()
        .fold(0u64, |a, b| (a << 8) | u64::from(*b));
    Some((cert_id.raw.to_vec(), serial))
}

/// An OCSP response (RFC 6960 4.2.1) signed by `signer`, carrying `certs`.
fn ocsp_response(
    cert_id: &[u8],
    revoked: Option<DateTime<Utc>>,
    signer: &Ca,
    certs: &[&X509],
) -> Vec<u8> {
    let now = Utc::now();
    let status = match revoked {
        None => vec![0x80, 0x00],
        Some(t) => der::tlv(0xA1, &der::generalized_time(t)),
    };
    let single = der::seq(&[
        cert_id.to_vec(),
        status,
        der::generalized_time(now - Duration::minutes(1)),
        der::ctx(0, &der::generalized_time(now + Duration::hours(1))),
    ]);
    let data = der::seq(&[
        der::ctx(1, &signer.cert.subject_name().to_der().expect("name")),
        der::generalized_time(now),
        der::seq(&[single]),
    ]);
    let sig = sign_with(&signer.key, &data);
    let mut basic = vec![
        data,
        der::alg(SHA256_RSA, Some(der::null())),
        bit_string(&sig),
    ];
    if !certs.is_empty() {
        let list: Vec<Vec<u8>> = certs.iter().map(|c| c.to_der().expect("der")).collect();
        basic.push(der::ctx(0, &der::seq(&list)));
    }
    let basic = der::seq(&basic);
    der::seq(&[
        der::tlv(0x0A, &[0]),
        der::ctx(
            0,
            &der::seq(&[der::oid("1.3.6.1.5.5.7.48.1.1"), der::octets(&basic)]),
        ),
    ])
}

/// What the responder answers, and how often it was asked.
struct Responder {
    crl: Mutex<Vec<u8>>,
    revoked_serials: Mutex<Vec<u64>>,
    ocsp_signer: Mutex<Option<(Ca, X509)>>,
    ca: Ca,
    hits: AtomicUsize,
    ocsp_enabled: AtomicBool,
}

async fn serve_crl(State(r): State<Arc<Responder>>) -> Vec<u8> {
    r.hits.fetch_add(1, Ordering::SeqCst);
    r.crl.lock().expect("lock").clone()
}

async fn serve_ocsp(State(r): State<Arc<Responder>>, body: Bytes) -> axum::response::Response {
    use axum::response::IntoResponse;
    r.hits.fetch_add(1, Ordering::SeqCst);
    if !r.ocsp_enabled.load(Ordering::SeqCst) {
        return (axum::http::StatusCode::SERVICE_UNAVAILABLE, "down").into_response();
    }
    let Some((id, serial)) = request_cert_id(&body) else {
        return (axum::http::StatusCode::BAD_REQUEST, "bad request").into_response();
    };
    let revoked = r
        .revoked_serials
        .lock()
        .expect("lock")
        .contains(&serial)
        .then(|| Utc::now() - Duration::days(30));
    let delegated = r.ocsp_signer.lock().expect("lock");
    let der = match delegated.as_ref() {
        Some((responder, cert)) => ocsp_response(&id, revoked, responder, &[cert]),
        None => ocsp_response(&id, revoked, &r.ca, &[]),
    };
    der.into_response()
}

async fn start(ca: Ca) -> (Arc<Responder>, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr: SocketAddr = listener.local_addr().expect("addr");
    let r = Arc::new(Responder {
        crl: Mutex::new(crl(&ca, &[])),
        revoked_serials: Mutex::new(Vec::new()),
        ocsp_signer: Mutex::new(None),
        ca,
        hits: AtomicUsize::new(0),
        ocsp_enabled: AtomicBool::new(true),
    });
    let app = Router::new()
        .route("/ca.crl", get(serve_crl))
        .route("/ocsp", post(serve_ocsp))
        .with_state(r.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (r, format!("http://{addr}"))
}

fn signed_pdf(signer_key: &PKey<Private>, signer: &X509, chain: Vec<X509>) -> Vec<u8> {
    let pdf = vanthu::demo::simple_pdf(&["Kiem tra thu hoi".into()]).expect("pdf");
    let creds = vanthu::sign::Credentials {
        key: signer_key.clone(),
        cert: signer.clone(),
        chain,
    };
    vanthu::sign::sign(
        &pdf,
        &creds,
        &vanthu::sign::SignOptions::pades_now("Signature1", None),
    )
    .expect("sign")
}

fn options(root: &X509, online: Arc<vanthu::online::HttpFetch>) -> Options {
    let mut trust = TrustStore::empty();
    trust.anchors.push(root.clone());
    Options {
        trust,
        online: Some(Online(online)),
        ..Default::default()
    }
}

/// Revocation fetched online: good, then cached, revoked by OCSP and CRL,
/// by the CRL alone, through the command line, and by a delegated responder.
/// Long because: one responder's story in order, each step starting from the state the last one left.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocation_is_fetched_cached_and_believed() {
    // The root's port is not known before the responder starts, so the CA is
    // made first (its own URLs are not needed) and the signer after.
    let ca_key = key();
    let root = issue(
        "vanthu Test Revocation CA",
        1,
        &ca_key,
        None,
        true,
        false,
        "",
    );
    let (resp, base) = start(Ca {
        key: ca_key.clone(),
        cert: root.clone(),
    })
    .await;
    let ca = Ca {
        key: ca_key,
        cert: root.clone(),
    };
    let signer_key = key();
    let signer = issue(
        "Nguyễn Văn Thu Hồi",
        100,
        &signer_key,
        Some(&ca),
        false,
        false,
        &base,
    );
    let pdf = signed_pdf(&signer_key, &signer, vec![]);

    // Good, with nothing configured: the fetcher asks the responder.
    let f = Arc::new(vanthu::online::HttpFetch::on_current_runtime().expect("fetcher"));
    let opts = options(&root, f.clone());
    let o = opts.clone();
    let p = pdf.clone();
    let rep = tokio::task::spawn_blocking(move || verify("good.pdf", &p, &o))
        .await
        .expect("join");
    assert_eq!(
        rep.status,
        Status::Valid,
        "{:?}",
        rep.signatures[0].problems
    );
    assert_eq!(rep.signatures[0].revocation, Revocation::Good);
    let asked = resp.hits.load(Ordering::SeqCst);
    assert!(asked >= 1, "the responder was asked");
    // A second verification is answered from the cache.
    let o = opts.clone();
    let p = pdf.clone();
    let again = tokio::task::spawn_blocking(move || verify("good.pdf", &p, &o))
        .await
        .expect("join");
    assert_eq!(again.status, Status::Valid);
    assert_eq!(resp.hits.load(Ordering::SeqCst), asked, "cached");

    // Revoked (OCSP and CRL agree); a new fetcher has no cache.
    resp.revoked_serials.lock().expect("lock").push(100);
    *resp.crl.lock().expect("lock") = crl(&resp.ca, &[(100, Utc::now() - Duration::days(30))]);
    let f2 = Arc::new(vanthu::online::HttpFetch::on_current_runtime().expect("fetcher"));
    let o = options(&root, f2);
    let p = pdf.clone();
    let rep = tokio::task::spawn_blocking(move || verify("revoked.pdf", &p, &o))
        .await
        .expect("join");
    assert_eq!(
        rep.signatures[0].revocation,
        Revocation::Revoked,
        "{:?}",
        rep.signatures[0].problems
    );
    assert_ne!(rep.status, Status::Valid);

    // With OCSP down, the CRL alone decides.
    resp.ocsp_enabled.store(false, Ordering::SeqCst);
    let f3 = Arc::new(vanthu::online::HttpFetch::on_current_runtime().expect("fetcher"));
    let o = options(&root, f3);
    let p = pdf.clone();
    let rep = tokio::task::spawn_blocking(move || verify("crl.pdf", &p, &o))
        .await
        .expect("join");
    assert_eq!(rep.signatures[0].revocation, Revocation::Revoked);
    resp.ocsp_enabled.store(true, Ordering::SeqCst);

    // The command line does the same with --online (its own runtime).
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("revoked.pdf");
    std::fs::write(&file, &pdf).expect("write");
    let anchor = dir.path().join("root.pem");
    std::fs::write(&anchor, root.to_pem().expect("pem")).expect("write");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vanthu"))
        .args([
            "verify",
            "--json",
            "--online",
            "--no-default-trust",
            "--trust",
        ])
        .arg(&anchor)
        .arg(&file)
        .output()
        .await
        .expect("run");
    let cli: serde_json::Value =
        serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().expect("line"))
            .expect("json");
    assert_eq!(cli["signatures"][0]["revocation"], "revoked", "{cli}");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vanthu"))
        .args(["verify", "--json", "--no-default-trust", "--trust"])
        .arg(&anchor)
        .arg(&file)
        .output()
        .await
        .expect("run");
    let offline: serde_json::Value =
        serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().expect("line"))
            .expect("json");
    assert_eq!(
        offline["signatures"][0]["revocation"], "unknown",
        "offline unless asked"
    );

    // A delegated responder (issued by the CA, OCSPSigning) is believed.
    resp.revoked_serials.lock().expect("lock").clear();
    *resp.crl.lock().expect("lock") = b"not a crl".to_vec();
    let rkey = key();
    let rcert = issue(
        "vanthu Test OCSP Responder",
        7,
        &rkey,
        Some(&ca),
        false,
        true,
        &base,
    );
    *resp.ocsp_signer.lock().expect("lock") = Some((
        Ca {
            key: rkey,
            cert: rcert.clone(),
        },
        rcert,
    ));
    let f4 = Arc::new(vanthu::online::HttpFetch::on_current_runtime().expect("fetcher"));
    let o = options(&root, f4);
    let p = pdf.clone();
    let rep = tokio::task::spawn_blocking(move || verify("delegated.pdf", &p, &o))
        .await
        .expect("join");
    assert_eq!(
        rep.signatures[0].revocation,
        Revocation::Good,
        "{:?}",
        rep.signatures[0].problems
    );
    assert_eq!(rep.status, Status::Valid);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_intermediate_revokes_its_signer() {
    let root_key = key();
    let root = issue("vanthu Test Root R", 1, &root_key, None, true, false, "");
    let (resp, base) = start(Ca {
        key: root_key.clone(),
        cert: root.clone(),
    })
    .await;
    let root_ca = Ca {
        key: root_key,
        cert: root.clone(),
    };
    let ikey = key();
    let inter = issue(
        "vanthu Test Issuing R",
        50,
        &ikey,
        Some(&root_ca),
        true,
        false,
        &base,
    );
    let inter_ca = Ca {
        key: ikey,
        cert: inter.clone(),
    };
    let skey = key();
    // The signer's own status comes from a CRL handed in directly.
    let signer = issue(
        "Trần Văn Trung Gian",
        51,
        &skey,
        Some(&inter_ca),
        false,
        false,
        "http://127.0.0.1:9/none",
    );
    let pdf = signed_pdf(&skey, &signer, vec![inter.clone()]);
    // The root's CRL (served) revokes the intermediate; the intermediate's CRL clears the signer.
    resp.revoked_serials.lock().expect("lock").push(50);
    *resp.crl.lock().expect("lock") = crl(&root_ca, &[(50, Utc::now() - Duration::days(3))]);
    let f = Arc::new(vanthu::online::HttpFetch::on_current_runtime().expect("fetcher"));
    let mut o = options(&root, f);
    o.trust.crls.push(crl(&inter_ca, &[]));
    let rep = tokio::task::spawn_blocking(move || verify("inter.pdf", &pdf, &o))
        .await
        .expect("join");
    let s = &rep.signatures[0];
    assert_eq!(
        s.revocation,
        Revocation::Good,
        "the signer itself is not revoked"
    );
    assert_eq!(
        s.sub_indication,
        Some(SubIndication::Revoked),
        "{:?}",
        s.problems
    );
    assert!(
        s.problems.iter().any(|p| p.message.contains("issuing CA")),
        "{:?}",
        s.problems
    );
}
