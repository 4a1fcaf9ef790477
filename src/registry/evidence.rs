//! What each verification relied on (`verification_evidence`, bytes once
//! in `evidence_blobs`): certificates, CRLs and OCSP responses, found in
//! the document or fetched online. A later re-verification of the document
//! is given them again, and they are exported as long-term validation data
//! (`GET /api/v1/documents/{id}/ltv`, the `/DSS` of ETSI EN 319 142-1 in JSON).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use sea_orm::{ConnectionTrait, Value};
use serde::Serialize;

use super::Registry;
use super::error::Result;
use super::sql::stmt;
use crate::sigverify::revocation::Evidence;

/// Record `ev` for verification `verification_id` of document `document_id`, inside `c`'s transaction.
pub async fn store<C: ConnectionTrait>(
    c: &C,
    verification_id: i32,
    document_id: i32,
    ev: &Evidence,
) -> Result<()> {
    let b = c.get_database_backend();
    let fetched_url = |der: &[u8]| {
        ev.fetched
            .iter()
            .find(|f| f.der == der)
            .map(|f| f.url.clone())
    };
    let items = ev
        .certs
        .iter()
        .map(|d| ("cert", d))
        .chain(ev.crls.iter().map(|d| ("crl", d)))
        .chain(ev.ocsps.iter().map(|d| ("ocsp", d)));
    for (kind, der) in items {
        let sha = hex::encode(openssl::sha::sha256(der));
        c.execute_raw(stmt(
            b,
            "INSERT INTO evidence_blobs (sha256, der) VALUES (?, ?) ON CONFLICT (sha256) DO NOTHING",
            vec![sha.clone().into(), Value::from(der.clone())],
        ))
        .await?;
        let url = fetched_url(der);
        let source = if url.is_some() { "fetched" } else { "document" };
        c.execute_raw(stmt(
            b,
            "INSERT INTO verification_evidence (verification_id, document_id, kind, source, url, sha256) VALUES (?, ?, ?, ?, ?, ?)",
            vec![
                verification_id.into(),
                document_id.into(),
                kind.into(),
                source.into(),
                url.into(),
                sha.into(),
            ],
        ))
        .await?;
    }
    Ok(())
}

/// Long-term validation data of a document's latest verification.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct Ltv {
    /// The verification it comes from.
    pub verification_id: Option<i32>,
    /// Certificates, base64 DER.
    pub certs: Vec<String>,
    /// CRLs, base64 DER.
    pub crls: Vec<String>,
    /// OCSP responses, base64 DER.
    pub ocsps: Vec<String>,
    /// Where fetched items came from: URL per fetched item, in the order of `crls` then `ocsps`.
    pub fetched_from: Vec<String>,
}

/// Every CRL and OCSP response ever used for document `id` (for re-verification), DER.
pub async fn revocation_data<C: ConnectionTrait>(
    c: &C,
    id: i32,
) -> Result<(Vec<Vec<u8>>, Vec<Vec<u8>>)> {
    let rows = c
        .query_all_raw(stmt(
            c.get_database_backend(),
            "SELECT DISTINCT e.kind, b.sha256, b.der FROM verification_evidence e JOIN evidence_blobs b ON b.sha256 = e.sha256 \
             WHERE e.document_id = ? AND e.kind IN ('crl', 'ocsp')",
            vec![id.into()],
        ))
        .await?;
    let (mut crls, mut ocsps) = (Vec::new(), Vec::new());
    for r in rows {
        let kind: String = r.try_get("", "kind")?;
        let der: Vec<u8> = r.try_get("", "der")?;
        if kind == "crl" {
            crls.push(der);
        } else {
            ocsps.push(der);
        }
    }
    Ok((crls, ocsps))
}

impl Registry {
    /// The long-term validation data of document `id`'s latest verification.
    pub async fn ltv(&self, id: i32) -> Result<Ltv> {
        self.get(id).await?;
        let b = self.db.get_database_backend();
        let latest = self
            .db
            .query_one_raw(stmt(
                b,
                "SELECT MAX(verification_id) AS v FROM verification_evidence WHERE document_id = ?",
                vec![id.into()],
            ))
            .await?
            .and_then(|r| r.try_get::<Option<i32>>("", "v").ok().flatten());
        let Some(v) = latest else {
            return Ok(Ltv::default());
        };
        let rows = self
            .db
            .query_all_raw(stmt(
                b,
                "SELECT e.kind, e.url, b.der FROM verification_evidence e JOIN evidence_blobs b ON b.sha256 = e.sha256 \
                 WHERE e.verification_id = ? ORDER BY e.id",
                vec![v.into()],
            ))
            .await?;
        let mut out = Ltv {
            verification_id: Some(v),
            ..Ltv::default()
        };
        let mut fetched = (Vec::new(), Vec::new());
        for r in rows {
            let kind: String = r.try_get("", "kind")?;
            let url: Option<String> = r.try_get("", "url")?;
            let der: Vec<u8> = r.try_get("", "der")?;
            let enc = B64.encode(&der);
            match kind.as_str() {
                "cert" => out.certs.push(enc),
                "crl" => {
                    out.crls.push(enc);
                    fetched.0.extend(url);
                }
                _ => {
                    out.ocsps.push(enc);
                    fetched.1.extend(url);
                }
            }
        }
        out.fetched_from = fetched.0.into_iter().chain(fetched.1).collect();
        Ok(out)
    }
}
