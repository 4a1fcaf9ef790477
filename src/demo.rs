//! The demo data set for `vanthu serve --demo`: the units of a Sở Nội vụ,
//! officials, and a few dozen incoming and outgoing documents with
//! Vietnamese subjects — some secret, some overdue, some on paper — so a
//! newcomer sees a populated system at once. Loaded only into an empty register.

use bytes::Bytes;
use chrono::{Datelike, Duration, NaiveDate};
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, dictionary};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;

use crate::entity::documents;
use crate::registry::Registry;
use crate::registry::documents::PdfUpload;
use crate::registry::types::Direction;

/// The actor recorded in the audit log for demo data.
const ACTOR: &str = "demo";

const UNITS: &[(&str, &str)] = &[
    ("VP", "Văn phòng Sở"),
    ("TCBC", "Phòng Tổ chức, biên chế và tổ chức phi chính phủ"),
    ("CCHC", "Phòng Cải cách hành chính"),
    ("XDCQ", "Phòng Xây dựng chính quyền và công tác thanh niên"),
    ("CCVC", "Phòng Công chức, viên chức"),
    ("TTr", "Thanh tra Sở"),
];

const OFFICIALS: &[(&str, &str, &str)] = &[
    ("Nguyễn Văn An", "Giám đốc Sở", "VP"),
    ("Trần Thị Bình", "Phó Giám đốc Sở", "VP"),
    ("Lê Hoàng Cường", "Chánh Văn phòng", "VP"),
    ("Phạm Thị Dung", "Trưởng phòng", "CCHC"),
    ("Đặng Quốc Đạt", "Trưởng phòng", "TCBC"),
    ("Võ Thị Hạnh", "Chuyên viên", "XDCQ"),
    ("Huỳnh Minh Khoa", "Chánh Thanh tra", "TTr"),
];

/// (issuer, number/symbol, type, subject, unit, secrecy, urgency, channel, overdue?)
type Incoming = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
);

const INCOMING: &[Incoming] = &[
    (
        "Ủy ban nhân dân thành phố",
        "125/QĐ-UBND",
        "QĐ",
        "Quyết định ban hành Kế hoạch cải cách hành chính năm của thành phố",
        "CCHC",
        "none",
        "normal",
        "electronic",
        false,
    ),
    (
        "Bộ Nội vụ",
        "3015/BNV-CCVC",
        "Công văn",
        "Về việc hướng dẫn đánh giá, xếp loại chất lượng cán bộ, công chức, viên chức",
        "CCVC",
        "none",
        "khan",
        "electronic",
        true,
    ),
    (
        "Ủy ban nhân dân thành phố",
        "45/KH-UBND",
        "KH",
        "Kế hoạch triển khai chữ ký số trên thiết bị di động cho lãnh đạo các cơ quan",
        "CCHC",
        "none",
        "normal",
        "electronic",
        false,
    ),
    (
        "Sở Tài chính",
        "812/STC-NS",
        "Công văn",
        "Về việc thẩm định dự toán kinh phí đào tạo, bồi dưỡng cán bộ, công chức",
        "VP",
        "none",
        "normal",
        "electronic",
        true,
    ),
    (
        "Ủy ban nhân dân quận Hải Châu",
        "210/BC-UBND",
        "BC",
        "Báo cáo kết quả thực hiện công tác cải cách hành chính quý III",
        "CCHC",
        "none",
        "normal",
        "electronic",
        false,
    ),
    (
        "Sở Thông tin và Truyền thông",
        "1502/STTTT-CNTT",
        "Công văn",
        "Về việc kết nối liên thông văn bản điện tử qua Trục liên thông văn bản quốc gia",
        "VP",
        "none",
        "thuong_khan",
        "electronic",
        false,
    ),
    (
        "Công an thành phố",
        "88/CATP-PV01",
        "Công văn",
        "Về việc rà soát danh mục bí mật nhà nước thuộc lĩnh vực nội vụ",
        "VP",
        "mat",
        "khan",
        "paper",
        false,
    ),
    (
        "Ủy ban nhân dân thành phố",
        "19/CT-UBND",
        "CT",
        "Chỉ thị về tăng cường kỷ luật, kỷ cương hành chính trong thực thi công vụ",
        "TTr",
        "none",
        "normal",
        "electronic",
        false,
    ),
    (
        "Ông Trần Văn Hùng",
        "",
        "Thư công",
        "Đơn đề nghị xem xét việc giải quyết chế độ chính sách đối với cán bộ nghỉ hưu",
        "TCBC",
        "none",
        "normal",
        "paper",
        true,
    ),
    (
        "Sở Y tế",
        "2044/SYT-TCCB",
        "Công văn",
        "Về việc đề nghị bổ sung biên chế công chức năm sau",
        "TCBC",
        "none",
        "normal",
        "electronic",
        false,
    ),
    (
        "Ban Tổ chức Thành ủy",
        "67/BTCTU",
        "Công văn",
        "Về công tác quy hoạch cán bộ lãnh đạo, quản lý",
        "TCBC",
        "toi_mat",
        "normal",
        "paper",
        false,
    ),
    (
        "Văn phòng Chính phủ",
        "5432/VPCP-KSTT",
        "Công văn",
        "Về việc công khai kết quả giải quyết thủ tục hành chính trên Cổng Dịch vụ công",
        "CCHC",
        "none",
        "khan",
        "electronic",
        true,
    ),
    (
        "Ủy ban nhân dân huyện Hòa Vang",
        "33/TTr-UBND",
        "TTr",
        "Tờ trình đề nghị thành lập Phòng Văn hóa và Thông tin",
        "XDCQ",
        "none",
        "normal",
        "electronic",
        false,
    ),
    (
        "Trường Đại học Kinh tế",
        "156/ĐHKT-TCHC",
        "Công văn",
        "Về việc cử cán bộ tham gia lớp bồi dưỡng kiến thức quản lý nhà nước",
        "CCVC",
        "none",
        "normal",
        "paper",
        false,
    ),
    (
        "Bộ Nội vụ",
        "12/2024/TT-BNV",
        "TT",
        "Thông tư quy định về chế độ báo cáo thống kê ngành Nội vụ",
        "VP",
        "none",
        "normal",
        "electronic",
        false,
    ),
    (
        "Công ty Cổ phần Phần mềm Đà Nẵng",
        "09/CV-PMĐN",
        "Công văn",
        "Về việc đề nghị phối hợp khảo sát hệ thống quản lý văn bản",
        "VP",
        "none",
        "normal",
        "paper",
        false,
    ),
    (
        "Ủy ban nhân dân thành phố",
        "301/TB-UBND",
        "TB",
        "Thông báo kết luận của Chủ tịch UBND thành phố tại cuộc họp giao ban",
        "VP",
        "none",
        "hoa_toc",
        "electronic",
        false,
    ),
    (
        "Thanh tra thành phố",
        "74/TTTP-P2",
        "Công văn",
        "Về việc cung cấp hồ sơ phục vụ thanh tra công vụ",
        "TTr",
        "none",
        "khan",
        "electronic",
        true,
    ),
    (
        "Sở Giáo dục và Đào tạo",
        "980/SGDĐT-TCCB",
        "Công văn",
        "Về việc tuyển dụng viên chức giáo dục năm học mới",
        "CCVC",
        "none",
        "normal",
        "electronic",
        false,
    ),
    (
        "Ủy ban nhân dân quận Sơn Trà",
        "115/BC-UBND",
        "BC",
        "Báo cáo tình hình thực hiện dân chủ ở cơ sở",
        "XDCQ",
        "none",
        "normal",
        "electronic",
        false,
    ),
];

/// (type, subject, drafting unit, signer, secrecy, channel)
type Outgoing = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
);

const OUTGOING: &[Outgoing] = &[
    (
        "KH",
        "Kế hoạch cải cách hành chính năm của Sở Nội vụ",
        "CCHC",
        "Nguyễn Văn An",
        "none",
        "electronic",
    ),
    (
        "Công văn",
        "Về việc đôn đốc báo cáo kết quả đánh giá, xếp loại công chức",
        "CCVC",
        "Trần Thị Bình",
        "none",
        "electronic",
    ),
    (
        "QĐ",
        "Quyết định thành lập Tổ kiểm tra công tác văn thư, lưu trữ",
        "VP",
        "Nguyễn Văn An",
        "none",
        "electronic",
    ),
    (
        "BC",
        "Báo cáo kết quả thực hiện chỉ số cải cách hành chính của Sở",
        "CCHC",
        "Nguyễn Văn An",
        "none",
        "electronic",
    ),
    (
        "Công văn",
        "Về việc góp ý dự thảo đề án vị trí việc làm",
        "TCBC",
        "Trần Thị Bình",
        "none",
        "electronic",
    ),
    (
        "TB",
        "Thông báo lịch tiếp công dân của Giám đốc Sở",
        "VP",
        "Lê Hoàng Cường",
        "none",
        "electronic",
    ),
    (
        "Công văn",
        "Về việc phương án sắp xếp tổ chức bộ máy",
        "TCBC",
        "Nguyễn Văn An",
        "mat",
        "paper",
    ),
    (
        "GM",
        "Giấy mời dự hội nghị tập huấn sử dụng chữ ký số",
        "VP",
        "Lê Hoàng Cường",
        "none",
        "electronic",
    ),
    (
        "TTr",
        "Tờ trình đề nghị phê duyệt danh sách tinh giản biên chế",
        "TCBC",
        "Nguyễn Văn An",
        "none",
        "electronic",
    ),
    (
        "Công văn",
        "Về việc trả lời đơn của ông Trần Văn Hùng",
        "TCBC",
        "Trần Thị Bình",
        "none",
        "paper",
    ),
    (
        "HD",
        "Hướng dẫn quy trình số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
        "CCHC",
        "Phạm Thị Dung",
        "none",
        "electronic",
    ),
    (
        "KH",
        "Kế hoạch thanh tra công vụ",
        "TTr",
        "Huỳnh Minh Khoa",
        "none",
        "electronic",
    ),
    (
        "BC",
        "Báo cáo thực hiện quy chế dân chủ ở cơ sở",
        "XDCQ",
        "Trần Thị Bình",
        "none",
        "electronic",
    ),
    (
        "QĐ",
        "Quyết định cử công chức tham gia lớp bồi dưỡng",
        "CCVC",
        "Nguyễn Văn An",
        "none",
        "electronic",
    ),
    (
        "Công văn",
        "Về việc cung cấp thông tin phục vụ công tác bảo vệ chính trị nội bộ",
        "VP",
        "Nguyễn Văn An",
        "toi_mat",
        "paper",
    ),
    (
        "BB",
        "Biên bản kiểm tra công tác văn thư tại Sở Y tế",
        "VP",
        "Lê Hoàng Cường",
        "none",
        "electronic",
    ),
];

/// A one-page PDF showing `lines`, made with lopdf.
pub fn simple_pdf(lines: &[String]) -> anyhow::Result<Vec<u8>> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources_id = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id },
    });
    let mut ops = vec![
        Operation::new("BT", vec![]),
        Operation::new("Tf", vec!["F1".into(), 12.into()]),
        Operation::new("TL", vec![16.into()]),
        Operation::new("Td", vec![56.into(), 780.into()]),
    ];
    for line in lines {
        ops.push(Operation::new(
            "Tj",
            vec![Object::string_literal(crate::text::ascii(line))],
        ));
        ops.push(Operation::new("T*", vec![]));
    }
    ops.push(Operation::new("ET", vec![]));
    let content = Content { operations: ops };
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.encode()?));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1, "Resources" => resources_id,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}

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
fn sign_organisation(pdf: Vec<u8>, pki: &DemoPki) -> anyhow::Result<Vec<u8>> {
    sign_demo(
        pdf,
        &pki.organisation,
        "Signature2",
        "Văn thư ký số cơ quan",
    )
}

fn sign_demo(
    pdf: Vec<u8>,
    who: &crate::sign::Credentials,
    field: &str,
    reason: &str,
) -> anyhow::Result<Vec<u8>> {
    let opts = crate::sign::SignOptions::pades_now(field, Some(reason));
    Ok(crate::sign::sign(&pdf, who, &opts)?)
}

/// Load the demo data set unless the registers already hold documents.
/// Electronic documents are signed with `pki` when given (person, then
/// organisation for outgoing ones, as Decree 30 prescribes; one incoming
/// document is altered after signing, to show a failed check).
/// Returns how many documents were added.
pub async fn load(reg: &Registry, pki: Option<&DemoPki>) -> anyhow::Result<usize> {
    if documents::Entity::find().count(&reg.db).await? > 0 {
        return Ok(0);
    }
    let existing: Vec<String> = reg
        .list_units()
        .await?
        .into_iter()
        .map(|u| u.code)
        .collect();
    for (code, name) in UNITS {
        if !existing.iter().any(|c| c == code) {
            reg.add_unit(&json!({"code": code, "name": name}), ACTOR)
                .await?;
        }
    }
    if reg.list_officials().await?.is_empty() {
        for (name, title, unit) in OFFICIALS {
            reg.add_official(
                &json!({"full_name": name, "title": title, "unit": unit}),
                ACTOR,
            )
            .await?;
        }
    }
    let today = reg.clock.today_vn();
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let mut added = 0;
    for (i, (issuer, number, doc_type, subject, unit, secrecy, urgency, channel, overdue)) in
        INCOMING.iter().enumerate()
    {
        let received = (today - Duration::days(45 - 2 * i as i64))
            .max(year_start)
            .min(today);
        let issued = received - Duration::days(2);
        // Overdue ones were due three days after arrival, which has passed.
        let due = if *overdue {
            Some(received + Duration::days(3))
        } else if i % 3 == 0 {
            Some(today + Duration::days(10))
        } else {
            None
        };
        let mut meta = json!({
            "doc_type": doc_type, "issuer": issuer, "issued_on": issued.to_string(),
            "received_on": received.to_string(), "subject": subject, "unit": unit,
            "secrecy": secrecy, "urgency": urgency, "channel": channel,
            "counterpart": if issuer.starts_with("Ông") { "citizen" } else if issuer.starts_with("Công ty") || issuer.starts_with("Trường") { "enterprise" } else { "state_agency" },
        });
        if !number.is_empty() {
            meta["number_symbol"] = json!(number);
        }
        if let Some(d) = due {
            meta["due_on"] = json!(d.to_string());
        }
        let file = if *channel == "electronic" {
            let mut pdf = simple_pdf(&[
                issuer.to_string(),
                format!("So: {number}"),
                subject.to_string(),
            ])?;
            if let Some(pki) = pki {
                pdf = sign_demo(pdf, &pki.person, "Signature1", "Ký ban hành")?;
                if i % 2 == 0 {
                    pdf = sign_organisation(pdf, pki)?;
                }
                if i == 3 {
                    // Altered after signing: the check on arrival must catch it.
                    if let Some(at) = pdf.windows(4).position(|w| w == b"So: ") {
                        pdf[at + 4] = b'9';
                    }
                }
            }
            Some(PdfUpload::check(Bytes::from(pdf), reg.max_upload_bytes)?)
        } else {
            None
        };
        let doc = reg
            .register(Direction::Incoming, &meta, file, ACTOR)
            .await?;
        if i % 4 == 1 && !*overdue {
            reg.update_handling(
                doc.id,
                &json!({"status": "done", "progress": "Đã xử lý xong"}),
                None,
                ACTOR,
            )
            .await?;
        } else if i % 4 == 2 {
            reg.update_handling(
                doc.id,
                &json!({"status": "in_progress", "handler": "Võ Thị Hạnh"}),
                None,
                ACTOR,
            )
            .await?;
        }
        added += 1;
    }
    for (i, (doc_type, subject, unit, signer, secrecy, channel)) in OUTGOING.iter().enumerate() {
        let issued = (today - Duration::days(30 - 2 * i as i64))
            .max(year_start)
            .min(today);
        let meta = json!({
            "doc_type": doc_type, "issued_on": issued.to_string(), "subject": subject, "unit": unit,
            "signer_name": signer, "secrecy": secrecy, "channel": channel,
            "recipients": ["Ủy ban nhân dân thành phố", "Các sở, ban, ngành", "Lưu: VT"],
        });
        let file = if *channel == "electronic" {
            let mut pdf = simple_pdf(&[
                reg.agency_name.clone(),
                subject.to_string(),
                signer.to_string(),
            ])?;
            if let Some(pki) = pki {
                pdf = sign_demo(pdf, &pki.person, "Signature1", "Phê duyệt")?;
                pdf = sign_organisation(pdf, pki)?;
            }
            Some(PdfUpload::check(Bytes::from(pdf), reg.max_upload_bytes)?)
        } else {
            None
        };
        let doc = reg
            .register(Direction::Outgoing, &meta, file, ACTOR)
            .await?;
        if i == 5 {
            reg.recall(doc.id, &json!({"reason": "Ban hành nhầm lịch tiếp công dân; sẽ ban hành thông báo thay thế"}), None, ACTOR).await?;
        }
        added += 1;
    }
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_pdf_is_a_pdf_lopdf_reads_back() {
        let pdf = simple_pdf(&["Sở Nội vụ".into(), "Kế hoạch".into()]).expect("pdf");
        assert!(pdf.starts_with(b"%PDF-1.7"));
        let doc = Document::load_mem(&pdf).expect("parses");
        assert_eq!(doc.get_pages().len(), 1);
    }
}
