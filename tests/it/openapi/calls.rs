//! The calls the OpenAPI test makes: one or more for every operation the
//! document lists, successes and refusals, in an order where later calls
//! rely on what earlier ones made.

use serde_json::{Value, json};

use crate::fixtures::fixture;
use crate::harness::{incoming_paper, pdf};

/// Who sends a request.
#[derive(Clone, Copy)]
pub enum Who {
    Nobody,
    Clerk,
    Auditor,
    Admin,
}

/// A request body.
pub enum Body {
    None,
    Json(Value),
    Pdf(Vec<u8>),
    Multipart(Value, Option<Vec<u8>>),
}

/// One call: the operation it exercises (`METHOD /template`), the concrete
/// path and query, who sends it, headers and body.
pub struct Call {
    pub op: &'static str,
    pub path: String,
    pub who: Who,
    pub if_match: Option<&'static str>,
    pub body: Body,
}

fn call(op: &'static str, path: impl Into<String>, who: Who) -> Call {
    Call {
        op,
        path: path.into(),
        who,
        if_match: None,
        body: Body::None,
    }
}

impl Call {
    fn json(mut self, v: Value) -> Self {
        self.body = Body::Json(v);
        self
    }
    fn pdf(mut self, b: Vec<u8>) -> Self {
        self.body = Body::Pdf(b);
        self
    }
    fn multipart(mut self, meta: Value, file: Option<Vec<u8>>) -> Self {
        self.body = Body::Multipart(meta, file);
        self
    }
    fn if_match(mut self, v: &'static str) -> Self {
        self.if_match = Some(v);
        self
    }
}

/// The calls, in order (later ones rely on what earlier ones made:
/// document 1 is an electronic incoming document with a signed PDF, 2 an
/// outgoing paper one, 3 and 4 incoming paper ones).
/// Long because: one table with a call for every operation of the document.
pub fn calls() -> Vec<Call> {
    use Who::*;
    let signed = fixture("person.pdf");
    let d = "from=2025-01-01&to=2025-12-31";
    let electronic = json!({
        "doc_type": "Công văn", "number_symbol": "15/UBND-VP", "issuer": "Ủy ban nhân dân thành phố",
        "issued_on": "2025-06-10", "received_on": "2025-06-14", "subject": "Kế hoạch cải cách hành chính",
        "unit": "VP", "channel": "electronic", "counterpart": "state_agency"
    });
    let outgoing = json!({
        "doc_type": "Công văn", "issued_on": "2025-06-15", "subject": "Báo cáo kết quả",
        "recipients": ["Ủy ban nhân dân thành phố"], "unit": "VP", "channel": "paper",
        "signer_name": "Nguyễn Văn A"
    });
    let mut third = incoming_paper("Giấy mời họp");
    third["number_symbol"] = json!("3/GM-UBND");
    let mut fourth = incoming_paper("Tờ trình");
    fourth["number_symbol"] = json!("4/TTr-UBND");
    vec![
        call(
            "POST /api/v1/documents/incoming",
            "/api/v1/documents/incoming",
            Clerk,
        )
        .multipart(electronic.clone(), Some(signed.clone())),
        call(
            "POST /api/v1/documents/incoming",
            "/api/v1/documents/incoming",
            Clerk,
        )
        .multipart(electronic, Some(signed.clone())),
        call(
            "POST /api/v1/documents/incoming",
            "/api/v1/documents/incoming",
            Clerk,
        )
        .multipart(incoming_paper("x"), Some(b"not a pdf".to_vec())),
        call(
            "POST /api/v1/documents/incoming",
            "/api/v1/documents/incoming",
            Auditor,
        )
        .json(incoming_paper("x")),
        call(
            "POST /api/v1/documents/outgoing",
            "/api/v1/documents/outgoing",
            Clerk,
        )
        .json(outgoing),
        call(
            "POST /api/v1/documents/outgoing",
            "/api/v1/documents/outgoing",
            Clerk,
        )
        .json(json!({"doc_type": ""})),
        call(
            "POST /api/v1/documents/incoming",
            "/api/v1/documents/incoming",
            Clerk,
        )
        .json(third),
        call(
            "POST /api/v1/documents/incoming",
            "/api/v1/documents/incoming",
            Clerk,
        )
        .json(fourth),
        call("GET /api/v1/documents", "/api/v1/documents", Clerk),
        call(
            "GET /api/v1/documents",
            "/api/v1/documents?q=cai+cach&direction=incoming&year=2025",
            Auditor,
        ),
        call(
            "GET /api/v1/documents",
            "/api/v1/documents?per_page=0",
            Clerk,
        ),
        call(
            "GET /api/v1/documents",
            "/api/v1/documents?color=red",
            Clerk,
        ),
        call("GET /api/v1/documents", "/api/v1/documents", Nobody),
        call("GET /api/v1/documents/{id}", "/api/v1/documents/1", Clerk),
        call("GET /api/v1/documents/{id}", "/api/v1/documents/2", Auditor),
        call(
            "GET /api/v1/documents/{id}",
            "/api/v1/documents/9999",
            Clerk,
        ),
        call(
            "GET /api/v1/documents/{id}/file",
            "/api/v1/documents/1/file",
            Clerk,
        ),
        call(
            "GET /api/v1/documents/{id}/file",
            "/api/v1/documents/2/file",
            Clerk,
        ),
        call(
            "GET /api/v1/documents/{id}/revisions/{n}",
            "/api/v1/documents/1/revisions/2",
            Clerk,
        ),
        call(
            "GET /api/v1/documents/{id}/revisions/{n}",
            "/api/v1/documents/1/revisions/9",
            Clerk,
        ),
        call(
            "GET /api/v1/documents/{id}/ltv",
            "/api/v1/documents/1/ltv",
            Auditor,
        ),
        call(
            "GET /api/v1/documents/{id}/verifications",
            "/api/v1/documents/1/verifications",
            Auditor,
        ),
        call(
            "GET /api/v1/documents/{id}/history",
            "/api/v1/documents/1/history",
            Auditor,
        ),
        call(
            "PATCH /api/v1/documents/{id}/handling",
            "/api/v1/documents/2/handling",
            Clerk,
        )
        .json(json!({"status": "done"})),
        call(
            "PATCH /api/v1/documents/{id}/handling",
            "/api/v1/documents/1/handling",
            Clerk,
        )
        .json(json!({"status": "in_progress"}))
        .if_match("\"v99\""),
        call(
            "PATCH /api/v1/documents/{id}/handling",
            "/api/v1/documents/1/handling",
            Clerk,
        )
        .json(json!({"status": "sleeping"})),
        call(
            "POST /api/v1/documents/{id}/reopen",
            "/api/v1/documents/2/reopen",
            Clerk,
        )
        .json(json!({"reason": "Chưa xử lý xong"})),
        call(
            "POST /api/v1/documents/{id}/reopen",
            "/api/v1/documents/2/reopen",
            Clerk,
        )
        .json(json!({"reason": "Lần nữa"})),
        call(
            "POST /api/v1/documents/{id}/recall",
            "/api/v1/documents/3/recall",
            Clerk,
        )
        .json(json!({"reason": "Gửi nhầm"})),
        call(
            "POST /api/v1/documents/{id}/recall",
            "/api/v1/documents/3/recall",
            Clerk,
        )
        .json(json!({"reason": "Gửi nhầm"})),
        call(
            "POST /api/v1/documents/{id}/secrecy",
            "/api/v1/documents/4/secrecy",
            Clerk,
        )
        .json(json!({"secrecy": "mat", "reason": "Xác định lại độ mật"})),
        call(
            "POST /api/v1/documents/{id}/secrecy",
            "/api/v1/documents/4/secrecy",
            Clerk,
        )
        .json(json!({"secrecy": "none", "reason": "Hạ độ mật"})),
        call("GET /api/v1/doc-types", "/api/v1/doc-types", Clerk),
        call("GET /api/v1/me", "/api/v1/me", Auditor),
        call("GET /api/v1/users", "/api/v1/users", Admin),
        call("GET /api/v1/users", "/api/v1/users", Clerk),
        call("POST /api/v1/users", "/api/v1/users", Admin)
            .json(json!({"name": "auditor2", "role": "auditor"})),
        call("POST /api/v1/users", "/api/v1/users", Admin)
            .json(json!({"name": "auditor2", "role": "auditor"})),
        call(
            "PATCH /api/v1/users/{name}",
            "/api/v1/users/auditor2",
            Admin,
        )
        .json(json!({"active": false})),
        call("PATCH /api/v1/users/{name}", "/api/v1/users/nobody", Admin)
            .json(json!({"active": false})),
        call("GET /api/v1/units", "/api/v1/units", Clerk),
        call("POST /api/v1/units", "/api/v1/units", Admin)
            .json(json!({"code": "TTr", "name": "Thanh tra"})),
        call("POST /api/v1/units", "/api/v1/units", Admin)
            .json(json!({"code": "TTr", "name": "Thanh tra"})),
        call("PATCH /api/v1/units/{code}", "/api/v1/units/TTr", Admin)
            .json(json!({"name": "Thanh tra Sở"})),
        call("GET /api/v1/officials", "/api/v1/officials", Clerk),
        call("POST /api/v1/officials", "/api/v1/officials", Admin)
            .json(json!({"full_name": "Nguyễn Văn A", "unit": "VP"})),
        call(
            "POST /api/v1/officials/{id}/certificates",
            "/api/v1/officials/1/certificates",
            Admin,
        )
        .json(json!({"fingerprint_sha256": "ab".repeat(32), "role": "person"})),
        call(
            "POST /api/v1/officials/{id}/certificates",
            "/api/v1/officials/1/certificates",
            Admin,
        )
        .json(json!({"fingerprint_sha256": "xyz"})),
        call("GET /api/v1/audit/verify", "/api/v1/audit/verify", Admin),
        call("GET /api/v1/audit/verify", "/api/v1/audit/verify", Clerk),
        call(
            "GET /api/v1/compliance",
            format!("/api/v1/compliance?{d}"),
            Auditor,
        ),
        call(
            "GET /api/v1/compliance",
            format!("/api/v1/compliance?{d}&group_by=unit"),
            Auditor,
        ),
        call(
            "GET /api/v1/compliance",
            "/api/v1/compliance?from=yesterday&to=2025-12-31",
            Auditor,
        ),
        call(
            "GET /api/v1/compliance/evidence",
            format!("/api/v1/compliance/evidence?metric=e_signature&{d}"),
            Auditor,
        ),
        call(
            "GET /api/v1/compliance/export",
            format!("/api/v1/compliance/export?format=csv&{d}"),
            Auditor,
        ),
        call(
            "GET /api/v1/compliance/export",
            format!("/api/v1/compliance/export?format=xlsx&{d}"),
            Auditor,
        ),
        call(
            "GET /api/v1/registers/{book}",
            "/api/v1/registers/incoming?year=2025",
            Auditor,
        ),
        call(
            "GET /api/v1/registers/{book}",
            "/api/v1/registers/incoming?year=2025&format=csv",
            Auditor,
        ),
        call(
            "GET /api/v1/registers/{book}",
            "/api/v1/registers/nowhere?year=2025",
            Auditor,
        ),
        call("POST /api/v1/verify", "/api/v1/verify", Clerk).pdf(signed.clone()),
        call("POST /api/v1/verify", "/api/v1/verify", Clerk).pdf(b"GIF89a".to_vec()),
        // The public side, after the log has sequenced (see the test).
        call("GET /log/checkpoint", "/log/checkpoint", Nobody),
        call("GET /log/vkey", "/log/vkey", Nobody),
        call("GET /log/tile/{path}", "/log/tile/0/000.p/2", Nobody),
        call("GET /log/tile/{path}", "/log/tile/0/999", Nobody),
        call(
            "GET /public/v1/proof/inclusion",
            "/public/v1/proof/inclusion?index=0&size=2",
            Nobody,
        ),
        call(
            "GET /public/v1/proof/inclusion",
            "/public/v1/proof/inclusion?index=7&size=2",
            Nobody,
        ),
        call(
            "GET /public/v1/proof/consistency",
            "/public/v1/proof/consistency?from=1&to=2",
            Nobody,
        ),
        call("GET /public/v1/documents", "/public/v1/documents", Nobody),
        call(
            "GET /public/v1/documents",
            "/public/v1/documents?secrecy=mat",
            Nobody,
        ),
        call(
            "GET /public/v1/documents/{id}",
            "/public/v1/documents/1",
            Nobody,
        ),
        call(
            "GET /public/v1/documents/{id}",
            "/public/v1/documents/4",
            Nobody,
        ),
        call(
            "GET /public/v1/documents/{id}/receipt",
            "/public/v1/documents/1/receipt",
            Nobody,
        ),
        call(
            "GET /public/v1/lookup",
            "/public/v1/lookup?number_symbol=15/UBND-VP",
            Nobody,
        ),
        call("GET /public/v1/stats", "/public/v1/stats?year=2025", Nobody),
        call("GET /public/v1/stats", "/public/v1/stats?year=9999", Nobody),
        call("GET /public/dashboard", "/public/dashboard", Nobody),
        call("GET /public/v1/feed.atom", "/public/v1/feed.atom", Nobody),
        call("GET /public/v1/feed.json", "/public/v1/feed.json", Nobody),
        call("POST /public/v1/check", "/public/v1/check", Nobody).pdf(signed),
        call("POST /public/v1/check", "/public/v1/check", Nobody).pdf(pdf("một tệp khác")),
    ]
}
