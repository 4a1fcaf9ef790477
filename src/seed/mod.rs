//! `vanthu seed`: a large, realistic synthetic data set for benchmarks
//! (units, officials with certificates, both registers with yearly numbering,
//! secrecy, channels, deadlines, verification results and signatures).
//!
//! Seeded rows are written straight to the tables in batches, without PDF
//! bytes, audit entries or transparency-log events: the data set exists to
//! measure queries, not to be published. The command therefore refuses a
//! database that already holds documents.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use sea_orm::{
    ActiveValue::Set, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
    TransactionTrait,
};

use crate::entity::{
    documents, files, number_series, official_certificates, officials, signatures, units,
    verifications,
};
mod bench;

pub use bench::bench;

use crate::registry::Registry;
use crate::text::fold;

/// What `seed` wrote.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SeedSummary {
    /// Units created.
    pub units: usize,
    /// Officials created (each with one certificate).
    pub officials: usize,
    /// Documents created.
    pub documents: usize,
    /// Verification rows created.
    pub verifications: usize,
    /// Signature rows created.
    pub signatures: usize,
}

/// A small deterministic generator (SplitMix64), so a seed is reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// True with probability `per_mille / 1000`.
    fn chance(&mut self, per_mille: u64) -> bool {
        self.next() % 1000 < per_mille
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

const UNITS: usize = 12;
const OFFICIALS_PER_UNIT: usize = 25;
const BATCH: usize = 400;
const SURNAMES: [&str; 8] = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi"];
const GIVEN: [&str; 8] = ["An", "Bình", "Chi", "Dũng", "Hà", "Lan", "Minh", "Thảo"];
const ISSUERS: [&str; 6] = [
    "UBND Thành phố",
    "Bộ Nội vụ",
    "Sở Tài chính",
    "Sở Tư pháp",
    "Công ty TNHH Minh Phát",
    "Công dân",
];
const TYPES: [(&str, Option<&str>); 4] = [
    ("Công văn", None),
    ("Quyết định", Some("QĐ")),
    ("Kế hoạch", Some("KH")),
    ("Báo cáo", Some("BC")),
];

/// A planned signature row: status, signer role, sub-indication, coverage.
type PlannedSig = (
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
);

/// Fill the (empty) registers with `n` documents spread over `year`.
pub async fn seed(
    reg: &Registry,
    n: usize,
    year: i32,
    mut progress: impl FnMut(usize),
) -> anyhow::Result<SeedSummary> {
    let db = &reg.db;
    if documents::Entity::find().count(db).await? > 0 {
        anyhow::bail!(
            "the database already holds documents; seed only an empty data folder \
             (seeded rows have no PDF bytes and are not for real registers)"
        );
    }
    let from =
        NaiveDate::from_ymd_opt(year, 1, 1).ok_or_else(|| anyhow::anyhow!("bad year {year}"))?;
    let days = if NaiveDate::from_ymd_opt(year, 2, 29).is_some() {
        366
    } else {
        365
    };
    let now = Utc::now();
    let mut rng = Rng(0x7661_6e74_6875 ^ year as u64);
    let mut sum = SeedSummary::default();

    // Units and officials, each official with one certificate fingerprint.
    let txn = db.begin().await?;
    let (unit_ids, staff) = seed_people(&txn, &mut rng, now).await?;
    txn.commit().await?;
    sum.units = UNITS;
    sum.officials = staff.len();

    let ctx = Ctx {
        from,
        days,
        n,
        year,
        now,
        agency_name: &reg.agency_name,
        unit_ids: &unit_ids,
        staff: &staff,
    };
    // Documents in register order, so each book's numbers rise with its dates.
    let mut last: std::collections::BTreeMap<(&'static str, &'static str), i32> =
        Default::default();
    let mut i = 0;
    while i < n {
        let end = (i + BATCH).min(n);
        let txn = db.begin().await?;
        let mut docs = Vec::with_capacity(end - i);
        let mut plans = Vec::with_capacity(end - i);
        let mut file_rows = Vec::new();
        for j in i..end {
            let (doc, plan, file) = plan_document(&ctx, &mut rng, &mut last, j)?;
            docs.push(doc);
            plans.push(plan);
            file_rows.extend(file);
        }
        if !file_rows.is_empty() {
            files::Entity::insert_many(file_rows).exec(&txn).await?;
        }
        let doc_ids = insert_ids(&txn, docs).await?;
        // One verification per stored file; signatures only for electronic documents.
        seed_verifications(&txn, &mut rng, &staff, plans, &doc_ids, &mut sum).await?;
        // The compliance counters, in the same transaction as the batch.
        if let (Some(lo), Some(hi)) = (doc_ids.first(), doc_ids.last()) {
            crate::compliance::rollup::apply_range(&txn, *lo, *hi).await?;
        }
        txn.commit().await?;
        sum.documents = end;
        progress(end);
        i = end;
    }
    // Continue each book's numbering after the seeded documents.
    for ((direction, series), last_number) in last {
        number_series::Entity::insert(number_series::ActiveModel {
            direction: Set(direction.into()),
            year: Set(year),
            series: Set(series.into()),
            last_number: Set(last_number),
            ..Default::default()
        })
        .exec(db)
        .await?;
    }
    Ok(sum)
}

/// One seeded official: (id, unit index, name, certificate fingerprint).
type Official = (i32, usize, String, String);

/// Units and officials, each official with one certificate fingerprint.
async fn seed_people<C: ConnectionTrait>(
    txn: &C,
    rng: &mut Rng,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<(Vec<i32>, Vec<Official>)> {
    let mut unit_ids = Vec::new();
    for u in 0..UNITS {
        let code = format!("SEED{:02}", u + 1);
        units::Entity::insert(units::ActiveModel {
            code: Set(code.clone()),
            name: Set(format!("Phòng {} (dữ liệu mẫu)", u + 1)),
            parent_code: Set(None),
            active: Set(true),
            created_at: Set(now),
            ..Default::default()
        })
        .exec(txn)
        .await
        .map_err(|e| anyhow::anyhow!("unit {code}: {e} (is the database already seeded?)"))?;
        let id: i32 = units::Entity::find()
            .filter(sea_orm::ColumnTrait::eq(
                &units::Column::Code,
                code.as_str(),
            ))
            .select_only()
            .column(units::Column::Id)
            .into_tuple()
            .one(txn)
            .await?
            .ok_or_else(|| anyhow::anyhow!("unit {code} not stored"))?;
        unit_ids.push(id);
    }
    let mut staff: Vec<Official> = Vec::new();
    for (ui, uid) in unit_ids.iter().enumerate() {
        for k in 0..OFFICIALS_PER_UNIT {
            let name = format!(
                "{} {} {} {}",
                SURNAMES[(ui + k) % SURNAMES.len()],
                GIVEN[k % GIVEN.len()],
                GIVEN[(k / GIVEN.len() + ui) % GIVEN.len()],
                ui * OFFICIALS_PER_UNIT + k + 1
            );
            let o = officials::Entity::insert(officials::ActiveModel {
                full_name: Set(name.clone()),
                name_key: Set(fold(&name)),
                title: Set(Some("Chuyên viên".into())),
                unit_id: Set(Some(*uid)),
                email: Set(None),
                active: Set(!rng.chance(50)),
                created_at: Set(now),
                ..Default::default()
            })
            .exec(txn)
            .await?;
            let fp = hex::encode(openssl::sha::sha256(name.as_bytes()));
            official_certificates::Entity::insert(official_certificates::ActiveModel {
                official_id: Set(o.last_insert_id),
                fingerprint_sha256: Set(fp.clone()),
                role: Set("person".into()),
                subject: Set(Some(format!("CN={name}"))),
                added_at: Set(now),
                ..Default::default()
            })
            .exec(txn)
            .await?;
            staff.push((o.last_insert_id, ui, name, fp));
        }
    }
    Ok((unit_ids, staff))
}

/// What the verification step needs of a seeded document: its file, whether
/// it is electronic and incoming, its unit index and registration time.
type Plan = (Option<String>, bool, bool, usize, chrono::DateTime<Utc>);

/// What every seeded document is drawn within.
struct Ctx<'a> {
    from: NaiveDate,
    days: i64,
    n: usize,
    year: i32,
    now: chrono::DateTime<Utc>,
    agency_name: &'a str,
    unit_ids: &'a [i32],
    staff: &'a [Official],
}

/// Document `j` of the data set: its row, its plan, and its file row (if it
/// has a file). Draws from `rng` in a fixed order, so a seed is reproducible.
/// Long because: one document's draws in a fixed order (the seed is reproducible only if the order stays) and its row.
fn plan_document(
    ctx: &Ctx<'_>,
    rng: &mut Rng,
    last: &mut std::collections::BTreeMap<(&'static str, &'static str), i32>,
    j: usize,
) -> anyhow::Result<(documents::ActiveModel, Plan, Option<files::ActiveModel>)> {
    let Ctx {
        from,
        days,
        n,
        year,
        now,
        agency_name,
        unit_ids,
        staff,
    } = *ctx;
    let date = from + Duration::days((j as i64 * days) / n as i64);
    let incoming = rng.chance(600);
    let direction = if incoming { "incoming" } else { "outgoing" };
    let secrecy = match rng.below(1000) {
        0..=19 => "mat",
        20..=22 => "toi_mat",
        _ => "none",
    };
    let series = if secrecy == "none" {
        "normal"
    } else {
        "secret"
    };
    let counterpart = match rng.below(100) {
        0..=79 => "state_agency",
        80..=91 => "citizen",
        _ => "enterprise",
    };
    let electronic = secrecy == "none"
        && rng.chance(if counterpart == "state_agency" {
            900
        } else {
            600
        });
    let number = last.entry((direction, series)).or_insert(0);
    *number += 1;
    let number = *number;
    let ui = rng.below(UNITS as u64) as usize;
    let (type_name, abbr) = TYPES[rng.below(TYPES.len() as u64) as usize];
    let issuer = if incoming {
        ISSUERS[rng.below(ISSUERS.len() as u64) as usize].to_string()
    } else {
        agency_name.to_string()
    };
    let symbol = format!("{}/{}-SEED{:02}", j + 1, abbr.unwrap_or("CV"), ui + 1);
    let scanned = !electronic && rng.chance(600);
    let sha = (electronic || scanned)
        .then(|| hex::encode(openssl::sha::sha256(format!("seed-{year}-{j}").as_bytes())));
    let file = sha.as_ref().map(|sha| files::ActiveModel {
        sha256: Set(sha.clone()),
        size: Set(100_000 + rng.below(900_000) as i64),
        content_type: Set("application/pdf".into()),
        stored_at: Set(now),
    });
    let (due_on, resolved_on, status) = if incoming && rng.chance(700) {
        let due = date + Duration::days(5 + rng.below(25) as i64);
        let resolved = match rng.below(100) {
            0..=89 => {
                Some(date + Duration::days(rng.below((due - date).num_days() as u64 + 1) as i64))
            }
            90..=95 => Some(due + Duration::days(1 + rng.below(20) as i64)),
            _ => None,
        };
        let status = if resolved.is_some() {
            "done"
        } else {
            "in_progress"
        };
        (Some(due), resolved, status)
    } else {
        (None, None, if incoming { "assigned" } else { "done" })
    };
    let recalled = rng.chance(2);
    let subject = format!("Văn bản mẫu số {} về công tác cải cách hành chính", j + 1);
    let at = Utc
        .from_local_datetime(&date.and_hms_opt(2, 0, 0).unwrap_or_default())
        .single()
        .unwrap_or(now);
    let recipients: Vec<String> = if incoming {
        Vec::new()
    } else {
        vec!["Các sở, ban, ngành".to_string()]
    };
    let signer = staff[ui * OFFICIALS_PER_UNIT].2.clone();
    // The row by registration's writer, so seeded documents are found,
    // counted and shown as registered ones are.
    fn word<T>(v: Option<T>, what: &str) -> anyhow::Result<T> {
        v.ok_or_else(|| anyhow::anyhow!("seed: {what} is not a known value"))
    }
    use crate::registry::types::{
        Channel, Counterpart, Direction, Secrecy, Series, Status, Urgency,
    };
    let doc = crate::registry::documents::row::NewDocument {
        direction: word(Direction::parse(direction), direction)?,
        year,
        series: word(Series::parse(series), series)?,
        register_number: number,
        number_symbol: Some(symbol),
        doc_type: type_name,
        doc_type_abbr: abbr,
        issuer,
        issued_on: date,
        received_on: incoming.then_some(date),
        subject,
        signer_name: Some(signer),
        recipients,
        unit_id: Some(unit_ids[ui]),
        handler: None,
        due_on,
        status: word(Status::parse(status), status)?,
        instruction: None,
        resolved_on,
        copies: None,
        secrecy: word(Secrecy::parse(secrecy), secrecy)?,
        urgency: Urgency::Normal,
        channel: if electronic {
            Channel::Electronic
        } else {
            Channel::Paper
        },
        counterpart: word(Counterpart::parse(counterpart), counterpart)?,
        file_sha256: sha.clone(),
        notes: None,
        recalled: recalled.then(|| ("thu hồi (dữ liệu mẫu)".to_string(), at)),
        created_by: "seed",
        registered_at: at,
        publish_at: at,
    }
    .row()?;
    Ok((doc, (sha, electronic, incoming, ui, at), file))
}

/// One verification per stored file of a batch; signatures only for
/// electronic documents (a realistic mix of valid, invalid and revoked).
/// Long because: the verification and signature rows of a batch are drawn together, in a fixed order.
async fn seed_verifications<C: ConnectionTrait>(
    txn: &C,
    rng: &mut Rng,
    staff: &[Official],
    plans: Vec<Plan>,
    doc_ids: &[i32],
    sum: &mut SeedSummary,
) -> anyhow::Result<()> {
    let mut vers = Vec::new();
    let mut sig_plan = Vec::new();
    for (k, (sha, electronic, incoming, ui, at)) in plans.into_iter().enumerate() {
        let Some(sha) = sha else { continue };
        let doc_id = doc_ids[k];
        let (status, sigs): (&str, Vec<PlannedSig>) = if !electronic {
            ("unsigned", vec![])
        } else {
            match rng.below(100) {
                0..=91 => {
                    let mut v = vec![("valid", "organisation", None, "entire_file")];
                    // Outgoing: a person signature in 96% (Decree 30 Art. 5
                    // wants both); incoming: in half of them.
                    let person = if incoming {
                        rng.chance(500)
                    } else {
                        rng.chance(960)
                    };
                    if person {
                        v.insert(0, ("valid", "person", None, "entire_revision"));
                    }
                    ("valid", v)
                }
                92..=94 => (
                    "invalid",
                    vec![("invalid", "person", None, "entire_revision")],
                ),
                95..=97 => (
                    "indeterminate",
                    vec![("indeterminate", "person", Some("REVOKED"), "entire_file")],
                ),
                _ => ("unsigned", vec![]),
            }
        };
        vers.push(verifications::ActiveModel {
            document_id: Set(doc_id),
            file_sha256: Set(sha.clone()),
            verified_at: Set(at),
            reason: Set("registration".into()),
            trust_version: Set("seed".into()),
            status: Set(status.into()),
            report: Set(
                serde_json::json!({"synthetic": true, "sha256": sha, "status": status}).to_string(),
            ),
            ..Default::default()
        });
        sig_plan.push((doc_id, ui, sigs, at));
    }
    if !vers.is_empty() {
        let count = vers.len();
        let v_ids = insert_ids(txn, vers).await?;
        let mut rows = Vec::new();
        for (k, (doc_id, ui, sigs, at)) in sig_plan.into_iter().enumerate() {
            for (p, (st, role, sub, coverage)) in sigs.into_iter().enumerate() {
                let who =
                    &staff[ui * OFFICIALS_PER_UNIT + rng.below(OFFICIALS_PER_UNIT as u64) as usize];
                let (name, fp) = if role == "person" {
                    (who.2.clone(), who.3.clone())
                } else {
                    (
                        format!("Phòng {} (dữ liệu mẫu)", ui + 1),
                        hex::encode(openssl::sha::sha256(format!("org-{ui}").as_bytes())),
                    )
                };
                rows.push(signatures::ActiveModel {
                    verification_id: Set(v_ids[k]),
                    document_id: Set(doc_id),
                    position: Set(p as i32 + 1),
                    field: Set(format!("Signature{}", p + 1)),
                    kind: Set("approval".into()),
                    status: Set(st.into()),
                    sub_indication: Set(sub
                        .map(str::to_string)
                        .or_else(|| (st == "invalid").then(|| "HASH_FAILURE".to_string()))),
                    coverage: Set(coverage.into()),
                    modifications: Set(if st == "invalid" { "other" } else { "none" }.into()),
                    signer_name: Set(Some(name)),
                    signer_organization: Set(None),
                    signer_fingerprint: Set(Some(fp)),
                    signer_role: Set(Some(role.into())),
                    signing_time: Set(Some(at.to_rfc3339())),
                    ..Default::default()
                });
            }
        }
        sum.verifications += count;
        sum.signatures += rows.len();
        for chunk in rows.chunks(BATCH) {
            signatures::Entity::insert_many(chunk.to_vec())
                .exec(txn)
                .await?;
        }
    }
    Ok(())
}

/// Insert `rows` and return their ids in the order given: ids rise in
/// VALUES order on SQLite and PostgreSQL, so the returned keys are sorted
/// whatever order RETURNING lists them in.
async fn insert_ids<C, A>(txn: &C, rows: Vec<A>) -> anyhow::Result<Vec<i32>>
where
    C: ConnectionTrait,
    A: sea_orm::ActiveModelTrait,
    A::Entity: EntityTrait,
    <A::Entity as EntityTrait>::Model: sea_orm::IntoActiveModel<A>,
    <<A::Entity as EntityTrait>::PrimaryKey as sea_orm::PrimaryKeyTrait>::ValueType: Into<i64>,
{
    let n = rows.len();
    let mut ids: Vec<i32> = <A::Entity as EntityTrait>::insert_many(rows)
        .exec_with_returning_keys(txn)
        .await?
        .into_iter()
        .map(|k| i32::try_from(k.into()).unwrap_or(i32::MAX))
        .collect();
    ids.sort_unstable();
    anyhow::ensure!(
        ids.len() == n,
        "inserted {n} rows, got {} ids back",
        ids.len()
    );
    Ok(ids)
}
