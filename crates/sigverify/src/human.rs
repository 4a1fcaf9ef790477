//! The plain-language summary `vanthu verify` prints without `--json`, in
//! English or Vietnamese: per signature, who signed, what was checked, and
//! why it is not valid.

use super::report::{Coverage, Report, SignatureReport, SignerRole, Status};

/// Output language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Tiếng Việt.
    Vi,
}

fn status_word(s: Status, lang: Lang) -> &'static str {
    match (s, lang) {
        (Status::Valid, Lang::En) => "VALID",
        (Status::Invalid, Lang::En) => "NOT VALID",
        (Status::Indeterminate, Lang::En) => "UNDETERMINED",
        (Status::Unsigned, Lang::En) => "UNSIGNED",
        (Status::Valid, Lang::Vi) => "HỢP LỆ",
        (Status::Invalid, Lang::Vi) => "KHÔNG HỢP LỆ",
        (Status::Indeterminate, Lang::Vi) => "CHƯA XÁC ĐỊNH",
        (Status::Unsigned, Lang::Vi) => "KHÔNG CÓ CHỮ KÝ",
    }
}

/// Render a report.
pub fn render(r: &Report, lang: Lang) -> String {
    let mut out = String::new();
    let vi = lang == Lang::Vi;
    out.push_str(&format!("{}: {}\n", r.file, status_word(r.status, lang)));
    for p in &r.problems {
        out.push_str(&format!("  ! {}: {}\n", p.code, p.message));
    }
    for (i, s) in r.signatures.iter().enumerate() {
        signature(&mut out, i, s, lang);
    }
    if !r.signatures.is_empty() {
        let (p, o) = (r.decree30.person, r.decree30.organisation);
        let line = decree30_line(p, o, vi);
        out.push_str(&format!("  {line}\n"));
    }
    out
}

/// One signature's lines: who signed and the verdict, the times, the
/// coverage, the chain, the problems and warnings, and the signed revision.
fn signature(out: &mut String, i: usize, s: &SignatureReport, lang: Lang) {
    let vi = lang == Lang::Vi;
    let who = who_signed(s, vi);
    out.push_str(&format!(
        "  {} {} [{}] {}: {}\n",
        if vi { "Chữ ký" } else { "Signature" },
        i + 1,
        s.field,
        who,
        status_word(s.status, lang)
    ));
    if let Some(t) = &s.signing_time {
        out.push_str(&format!(
            "    {}: {t}\n",
            if vi {
                "Thời điểm ký"
            } else {
                "Signed at"
            }
        ));
    }
    if let Some(ts) = &s.timestamp {
        out.push_str(&format!(
            "    {}: {} ({}, {})\n",
            if vi { "Dấu thời gian" } else { "Timestamp" },
            ts.time,
            ts.tsa,
            status_word(ts.status, lang)
        ));
    }
    let cov = coverage_words(s.coverage, vi);
    out.push_str(&format!("    {cov}\n"));
    if !s.chain.is_empty() {
        out.push_str(&format!(
            "    {}: {}\n",
            if vi { "Chuỗi chứng thư" } else { "Chain" },
            s.chain.join(" → ")
        ));
    }
    for p in &s.problems {
        let msg = match (&p.message_vi, vi) {
            (Some(m), true) => m,
            _ => &p.message,
        };
        out.push_str(&format!("    - {}: {msg}\n", p.code));
    }
    for w in &s.warnings {
        out.push_str(&format!(
            "    ! {}: {}\n",
            if vi { "Lưu ý" } else { "Warning" },
            if vi { &w.message_vi } else { &w.message }
        ));
    }
    if let Some(n) = s.revision
        && s.coverage == Coverage::EntireRevision
    {
        out.push_str(&format!(
            "    {} {n}: vanthu verify --extract-revision {n} OUT FILE\n",
            if vi {
                "Bản đã ký là phiên bản"
            } else {
                "What was signed is revision"
            }
        ));
    }
}

/// Who signed, with the role the certificate gives.
fn who_signed(s: &SignatureReport, vi: bool) -> String {
    s.signer
        .as_ref()
        .map(|x| {
            let role = match (x.role, vi) {
                (SignerRole::Person, false) => "person",
                (SignerRole::Organisation, false) => "organisation",
                (SignerRole::Person, true) => "cá nhân",
                (SignerRole::Organisation, true) => "tổ chức",
            };
            format!(
                "{} ({role})",
                x.common_name.clone().unwrap_or_else(|| x.subject.clone())
            )
        })
        .unwrap_or_else(|| {
            if vi {
                "không rõ người ký".into()
            } else {
                "unknown signer".into()
            }
        })
}

/// What a signature covers, in words.
fn coverage_words(c: Coverage, vi: bool) -> &'static str {
    match (c, vi) {
        (Coverage::EntireFile, false) => "covers the whole file",
        (Coverage::EntireRevision, false) => {
            "covers an earlier version; the file was changed afterwards"
        }
        (Coverage::Partial, false) => "covers only part of the file",
        (Coverage::Unclear, false) => "coverage unclear",
        (Coverage::EntireFile, true) => "bao phủ toàn bộ tệp",
        (Coverage::EntireRevision, true) => {
            "bao phủ một phiên bản trước; tệp đã bị thay đổi sau khi ký"
        }
        (Coverage::Partial, true) => "chỉ bao phủ một phần tệp",
        (Coverage::Unclear, true) => "không rõ phạm vi ký",
    }
}

/// The Decree 30 line: whether a valid person and a valid organisation signature are present.
fn decree30_line(p: bool, o: bool, vi: bool) -> &'static str {
    match (p, o, vi) {
        (true, true, false) => "Decree 30: valid person and organisation signatures",
        (true, false, false) => {
            "Decree 30: a valid person signature but no valid organisation signature"
        }
        (false, true, false) => {
            "Decree 30: a valid organisation signature but no valid person signature"
        }
        (false, false, false) => "Decree 30: no valid person or organisation signature",
        (true, true, true) => {
            "Nghị định 30: có chữ ký hợp lệ của người có thẩm quyền và của cơ quan"
        }
        (true, false, true) => {
            "Nghị định 30: có chữ ký cá nhân hợp lệ nhưng thiếu chữ ký hợp lệ của cơ quan"
        }
        (false, true, true) => {
            "Nghị định 30: có chữ ký cơ quan hợp lệ nhưng thiếu chữ ký hợp lệ của người có thẩm quyền"
        }
        (false, false, true) => "Nghị định 30: không có chữ ký hợp lệ của cá nhân hay cơ quan",
    }
}
