//! The demo PKI: a demo root CA and two signers (a person and the agency)
//! kept in the data folder, and the demo's signing with them.

/// The demo's own certificate authority and two signers (a person and the
/// agency), kept in the data folder so restarts trust the same root.
/// Demo keys only: never use them for real documents.
pub struct DemoPki {
    /// The demo root certificate (added to the demo's trust anchors).
    pub root: openssl::x509::X509,
    /// The competent person.
    pub person: crate::sign::Credentials,
    /// The agency (the văn thư's organisation key).
    pub organisation: crate::sign::Credentials,
}

fn build_cert(
    subject: &[(&str, &str)],
    key: &openssl::pkey::PKey<openssl::pkey::Private>,
    issuer: Option<(
        &openssl::x509::X509,
        &openssl::pkey::PKey<openssl::pkey::Private>,
    )>,
    serial: u32,
) -> anyhow::Result<openssl::x509::X509> {
    use openssl::x509::extension::{BasicConstraints, KeyUsage};
    let mut name = openssl::x509::X509NameBuilder::new()?;
    for (k, v) in subject {
        name.append_entry_by_text(k, v)?;
    }
    let name = name.build();
    let mut b = openssl::x509::X509::builder()?;
    b.set_version(2)?;
    let serial = openssl::bn::BigNum::from_u32(serial)?.to_asn1_integer()?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(&name)?;
    b.set_pubkey(key)?;
    let (from, to) = (
        openssl::asn1::Asn1Time::days_from_now(0)?,
        openssl::asn1::Asn1Time::days_from_now(3650)?,
    );
    b.set_not_before(&from)?;
    b.set_not_after(&to)?;
    match issuer {
        None => {
            b.set_issuer_name(&name)?;
            b.append_extension(BasicConstraints::new().critical().ca().build()?)?;
            b.append_extension(
                KeyUsage::new()
                    .critical()
                    .key_cert_sign()
                    .crl_sign()
                    .build()?,
            )?;
            b.sign(key, openssl::hash::MessageDigest::sha256())?;
        }
        Some((ca, ca_key)) => {
            b.set_issuer_name(ca.subject_name())?;
            b.append_extension(BasicConstraints::new().critical().build()?)?;
            b.append_extension(
                KeyUsage::new()
                    .critical()
                    .digital_signature()
                    .non_repudiation()
                    .build()?,
            )?;
            b.sign(ca_key, openssl::hash::MessageDigest::sha256())?;
        }
    }
    Ok(b.build())
}

/// Load the demo PKI from `dir`, or create it there.
pub fn demo_pki(dir: &std::path::Path, agency_name: &str) -> anyhow::Result<DemoPki> {
    use openssl::pkey::PKey;
    use openssl::x509::X509;
    let read = |n: &str| std::fs::read(dir.join(n));
    if let (Ok(rc), Ok(pk), Ok(pc), Ok(ok), Ok(oc)) = (
        read("root.cert.pem"),
        read("person.key.pem"),
        read("person.cert.pem"),
        read("org.key.pem"),
        read("org.cert.pem"),
    ) {
        let root = X509::from_pem(&rc)?;
        let person = crate::sign::from_pem(&pk, &pc)?;
        let organisation = crate::sign::from_pem(&ok, &oc)?;
        return Ok(DemoPki {
            root,
            person,
            organisation,
        });
    }
    std::fs::create_dir_all(dir)?;
    let rsa = || -> anyhow::Result<PKey<openssl::pkey::Private>> {
        Ok(PKey::from_rsa(openssl::rsa::Rsa::generate(2048)?)?)
    };
    let (root_key, person_key, org_key) = (rsa()?, rsa()?, rsa()?);
    let root = build_cert(
        &[
            ("C", "VN"),
            ("O", "vanthu demo"),
            ("CN", "vanthu Demo Root CA (not for real use)"),
        ],
        &root_key,
        None,
        1,
    )?;
    let person = build_cert(
        &[
            ("C", "VN"),
            ("O", agency_name),
            ("CN", "Nguyễn Văn An"),
            ("UID", "CCCD:048090000001"),
        ],
        &person_key,
        Some((&root, &root_key)),
        2,
    )?;
    let org = build_cert(
        &[
            ("C", "VN"),
            ("O", "Ủy ban nhân dân thành phố"),
            ("CN", agency_name),
            ("UID", "MST:0400000001"),
        ],
        &org_key,
        Some((&root, &root_key)),
        3,
    )?;
    let write = |n: &str, b: Vec<u8>| std::fs::write(dir.join(n), b);
    write("root.cert.pem", root.to_pem()?)?;
    write("person.key.pem", person_key.private_key_to_pem_pkcs8()?)?;
    write("person.cert.pem", person.to_pem()?)?;
    write("org.key.pem", org_key.private_key_to_pem_pkcs8()?)?;
    write("org.cert.pem", org.to_pem()?)?;
    let creds = |key, cert| crate::sign::Credentials {
        key,
        cert,
        chain: vec![root.clone()],
    };
    Ok(DemoPki {
        root: root.clone(),
        person: creds(person_key, person),
        organisation: creds(org_key, org),
    })
}

/// The clerk's organisation signature (Decree 30: the agency's seal).
pub(super) fn sign_organisation(pdf: Vec<u8>, pki: &DemoPki) -> anyhow::Result<Vec<u8>> {
    sign_demo(
        pdf,
        &pki.organisation,
        "Signature2",
        "Văn thư ký số cơ quan",
    )
}

/// A demo PAdES signature by `who` in `field`, giving `reason`.
pub(super) fn sign_demo(
    pdf: Vec<u8>,
    who: &crate::sign::Credentials,
    field: &str,
    reason: &str,
) -> anyhow::Result<Vec<u8>> {
    let opts = crate::sign::SignOptions::pades_now(field, Some(reason));
    Ok(crate::sign::sign(&pdf, who, &opts)?)
}
