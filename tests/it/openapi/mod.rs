//! `/openapi.json` says what the API sends: every operation it lists is
//! called here (successes and refusals), every answer's status must be one
//! the operation documents, its media type one the status documents, and
//! every JSON answer must validate against the documented schema (with a
//! JSON Schema validator, components resolved). A route added without a
//! call here fails the test, so the document cannot drift again.

use std::collections::{BTreeMap, BTreeSet};

use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::harness::{Backend, TestApp};

mod calls;

use calls::{Body, Who, calls};

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
