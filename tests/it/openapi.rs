//! `/openapi.json` says what the API sends: every operation it lists is
//! called here (successes and refusals), every answer's status must be one
//! the operation documents, its media type one the status documents, and
//! every JSON answer must validate against the documented schema (with a
//! JSON Schema validator, components resolved). A route added without a
//! call here fails the test, so the document cannot drift again.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::fixtures::fixture;
use crate::harness::{Backend, TestApp, incoming_paper, pdf};

/// Who sends a request.
#[derive(Clone, Copy)]
enum Who {
    Nobody,
    Clerk,
    Auditor,
    Admin,
}

/// A request body.
enum Body {
    None,
    Json(Value),
    Pdf(Vec<u8>),
    Multipart(Value, Option<Vec<u8>>),
}

/// One call: the operation it exercises (`METHOD /template`), the concrete
/// path and query, who sends it, headers and body.
struct Call {
    op: &'static str,
    path: String,
    who: Who,
    if_match: Option<&'static str>,
    body: Body,
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
fn calls() -> Vec<Call> {
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

/// Resolve a local `$ref` (`#/components/schemas/X`) in the document.
fn deref<'a>(doc: &'a Value, v: &'a Value) -> &'a Value {
    match v.get("$ref").and_then(Value::as_str) {
        Some(r) => doc
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("dangling $ref {r}")),
        None => v,
    }
}

fn media_base(ct: &str) -> String {
    ct.split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Long because: one pass over every call, checking status, media type and body in turn.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_is_what_the_openapi_document_says() {
    let app = TestApp::start(Backend::Sqlite).await.expect("sqlite app");
    let doc: Value = app
        .http
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("json");
    // The operations the document lists.
    let mut listed = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            listed.insert(format!("{} {path}", method.to_uppercase()));
        }
    }
    let calls = calls();
    let called: BTreeSet<String> = calls.iter().map(|c| c.op.to_string()).collect();
    let uncalled: Vec<_> = listed.difference(&called).collect();
    assert!(
        uncalled.is_empty(),
        "operations nobody calls here: {uncalled:?}"
    );
    let unknown: Vec<_> = called.difference(&listed).collect();
    assert!(
        unknown.is_empty(),
        "calls to operations the document does not list: {unknown:?}"
    );

    // Schemas resolve against the whole document.
    let components = doc["components"].clone();
    let mut problems = Vec::new();
    let mut statuses: BTreeMap<String, BTreeSet<u16>> = BTreeMap::new();
    let mut sequenced = false;
    for c in calls {
        if !sequenced && (c.path.starts_with("/log") || c.path.starts_with("/public")) {
            app.log
                .integrate(crate::harness::default_now())
                .await
                .expect("integrate");
            app.log
                .checkpoint(crate::harness::default_now())
                .await
                .expect("checkpoint");
            sequenced = true;
        }
        let (method, template) = c.op.split_once(' ').expect("op");
        let op = &doc["paths"][template][method.to_lowercase()];
        let mut rb = app
            .http
            .request(method.parse().expect("method"), app.url(&c.path));
        rb = match c.who {
            Who::Nobody => rb,
            Who::Clerk => rb.bearer_auth(&app.clerk),
            Who::Auditor => rb.bearer_auth(&app.auditor),
            Who::Admin => rb.bearer_auth(&app.admin),
        };
        if let Some(m) = c.if_match {
            rb = rb.header("If-Match", m);
        }
        let sent_json = match &c.body {
            Body::Json(v) => Some(v.clone()),
            _ => None,
        };
        rb = match c.body {
            Body::None => rb,
            Body::Json(v) => rb.json(&v),
            Body::Pdf(b) => rb.header("Content-Type", "application/pdf").body(b),
            Body::Multipart(meta, file) => {
                let mut form = Form::new().part(
                    "metadata",
                    Part::text(meta.to_string())
                        .mime_str("application/json")
                        .expect("mime"),
                );
                if let Some(f) = file {
                    form = form.part(
                        "file",
                        Part::bytes(f)
                            .file_name("van-ban.pdf")
                            .mime_str("application/pdf")
                            .expect("mime"),
                    );
                }
                rb.multipart(form)
            }
        };
        let r = rb.send().await.expect("request");
        let status = r.status().as_u16();
        statuses.entry(c.op.to_string()).or_default().insert(status);
        let ct = r
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .map(media_base)
            .unwrap_or_default();
        let bytes = r.bytes().await.expect("body");
        // A body the API accepted fits the documented request schema (the
        // schema is not stricter than the API).
        if let Some(sent) = sent_json.filter(|_| (200..300).contains(&status)) {
            let documented = &op["requestBody"]["content"]["application/json"]["schema"];
            let mut schema = deref(&doc, documented).clone();
            if let Some(o) = schema.as_object_mut() {
                o.insert("components".into(), components.clone());
            }
            assert!(
                documented.is_object(),
                "{}: no JSON request body documented",
                c.op
            );
            let v = jsonschema::validator_for(&schema)
                .unwrap_or_else(|e| panic!("{}: the request schema does not compile: {e}", c.op));
            for e in v.iter_errors(&sent) {
                problems.push(format!(
                    "{} {}: accepted a body its schema refuses: {e}",
                    c.op, c.path
                ));
            }
        }
        let Some(documented) = op["responses"].get(status.to_string()) else {
            problems.push(format!(
                "{} {}: status {status} is not documented",
                c.op, c.path
            ));
            continue;
        };
        let documented = deref(&doc, documented);
        let content = documented.get("content").and_then(Value::as_object);
        let Some(content) = content else {
            if !bytes.is_empty() && status != 304 {
                problems.push(format!(
                    "{} {}: {status} documents no body, got {ct}",
                    c.op, c.path
                ));
            }
            continue;
        };
        let Some(media) = content.get(&ct) else {
            problems.push(format!(
                "{} {}: {status} sent {ct:?}, documented {:?}",
                c.op,
                c.path,
                content.keys().collect::<Vec<_>>()
            ));
            continue;
        };
        if ct == "application/json" || ct.ends_with("+json") {
            let body: Value = match serde_json::from_slice(&bytes) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(format!("{} {}: not JSON: {e}", c.op, c.path));
                    continue;
                }
            };
            let mut schema = media.get("schema").cloned().unwrap_or(json!({}));
            if let Some(o) = schema.as_object_mut() {
                o.insert("components".into(), components.clone());
            }
            let validator = jsonschema::validator_for(&schema).unwrap_or_else(|e| {
                panic!("{}: the documented schema does not compile: {e}", c.op)
            });
            for e in validator.iter_errors(&body) {
                problems.push(format!(
                    "{} {} ({status}): {e} at {}",
                    c.op,
                    c.path,
                    e.instance_path()
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "the API does not answer as documented:\n{}",
        problems.join("\n")
    );
    // The calls reached what they were written for: successes and refusals.
    for (op, want) in [
        (
            "POST /api/v1/documents/incoming",
            &[201u16, 409, 415, 403][..],
        ),
        ("GET /api/v1/documents", &[200, 401, 422]),
        ("PATCH /api/v1/documents/{id}/handling", &[200, 412, 422]),
        ("POST /api/v1/documents/{id}/reopen", &[200, 409]),
        ("POST /api/v1/documents/{id}/secrecy", &[200, 422]),
        ("GET /log/tile/{path}", &[200, 404]),
        ("POST /api/v1/verify", &[200, 415]),
    ] {
        for s in want {
            assert!(
                statuses[op].contains(s),
                "{op} never answered {s}: {:?}",
                statuses[op]
            );
        }
    }
    // The enumerations are spelled as sent.
    let channel = &doc["components"]["schemas"]["Channel"]["enum"];
    assert_eq!(channel, &json!(["electronic", "paper"]), "{channel}");
    // PDF bodies are binary.
    let verify = &doc["paths"]["/api/v1/verify"]["post"]["requestBody"]["content"]["application/pdf"]
        ["schema"];
    assert_eq!(verify["format"], "binary", "{verify}");
}
