//! The role matrix over every route: no token 401, wrong role 403, allowed
//! roles get through, public routes answer anyone. The matrix must cover
//! every route of the OpenAPI description.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::both;
use crate::harness::{TestApp, incoming_paper, pdf};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Who {
    Nobody,
    Clerk,
    Auditor,
    Admin,
}

const C: &[Who] = &[Who::Clerk];
const R: &[Who] = &[Who::Clerk, Who::Auditor];
const A: &[Who] = &[Who::Admin];
const ALL: &[Who] = &[Who::Clerk, Who::Auditor, Who::Admin];
const O: &[Who] = &[Who::Auditor, Who::Admin];
/// Public routes: anyone, with or without a token.
const P: &[Who] = &[Who::Nobody, Who::Clerk, Who::Auditor, Who::Admin];

struct RouteCase {
    method: &'static str,
    path: &'static str,
    template: &'static str,
    allowed: &'static [Who],
    body: Option<Value>,
}

/// Every route with the roles allowed on it.
/// Long because: one table of route cases, a row per route.
fn cases() -> Vec<RouteCase> {
    let rc = |method, path, template, allowed, body| RouteCase {
        method,
        path,
        template,
        allowed,
        body,
    };
    vec![
        rc(
            "post",
            "/api/v1/documents/incoming",
            "/api/v1/documents/incoming",
            C,
            Some(incoming_paper("Ma trận quyền")),
        ),
        rc(
            "post",
            "/api/v1/documents/outgoing",
            "/api/v1/documents/outgoing",
            C,
            Some(json!({"doc_type": "TB", "subject": "Ma trận quyền", "channel": "paper"})),
        ),
        rc("get", "/api/v1/documents", "/api/v1/documents", R, None),
        rc(
            "get",
            "/api/v1/documents/1",
            "/api/v1/documents/{id}",
            R,
            None,
        ),
        rc(
            "get",
            "/api/v1/documents/1/file",
            "/api/v1/documents/{id}/file",
            R,
            None,
        ),
        rc(
            "get",
            "/api/v1/documents/1/revisions/1",
            "/api/v1/documents/{id}/revisions/{n}",
            R,
            None,
        ),
        rc(
            "get",
            "/api/v1/documents/1/ltv",
            "/api/v1/documents/{id}/ltv",
            R,
            None,
        ),
        rc(
            "get",
            "/api/v1/documents/1/history",
            "/api/v1/documents/{id}/history",
            R,
            None,
        ),
        rc(
            "patch",
            "/api/v1/documents/1/handling",
            "/api/v1/documents/{id}/handling",
            C,
            Some(json!({"status": "in_progress"})),
        ),
        rc(
            "post",
            "/api/v1/documents/1/recall",
            "/api/v1/documents/{id}/recall",
            C,
            Some(json!({"reason": "Kiểm tra quyền"})),
        ),
        rc(
            "post",
            "/api/v1/documents/1/secrecy",
            "/api/v1/documents/{id}/secrecy",
            C,
            Some(json!({"secrecy": "mat", "reason": "Kiểm tra quyền"})),
        ),
        rc(
            "post",
            "/api/v1/documents/2/reopen",
            "/api/v1/documents/{id}/reopen",
            C,
            Some(json!({"reason": "Kiểm tra quyền"})),
        ),
        rc("get", "/api/v1/doc-types", "/api/v1/doc-types", ALL, None),
        rc("get", "/api/v1/me", "/api/v1/me", ALL, None),
        rc("get", "/api/v1/users", "/api/v1/users", A, None),
        rc(
            "post",
            "/api/v1/users",
            "/api/v1/users",
            A,
            Some(json!({"name": "newclerk", "role": "clerk"})),
        ),
        rc(
            "patch",
            "/api/v1/users/clerk",
            "/api/v1/users/{name}",
            A,
            Some(json!({"active": true})),
        ),
        rc("get", "/api/v1/units", "/api/v1/units", ALL, None),
        rc(
            "post",
            "/api/v1/units",
            "/api/v1/units",
            A,
            Some(json!({"code": "TTR", "name": "Thanh tra"})),
        ),
        rc(
            "patch",
            "/api/v1/units/VP",
            "/api/v1/units/{code}",
            A,
            Some(json!({"name": "Văn phòng Sở"})),
        ),
        rc("get", "/api/v1/officials", "/api/v1/officials", ALL, None),
        rc(
            "post",
            "/api/v1/officials",
            "/api/v1/officials",
            A,
            Some(json!({"full_name": "Nguyễn Văn An", "unit": "VP"})),
        ),
        rc(
            "post",
            "/api/v1/officials/1/certificates",
            "/api/v1/officials/{id}/certificates",
            A,
            Some(json!({"fingerprint_sha256": "ab".repeat(32), "role": "person"})),
        ),
        rc(
            "get",
            "/api/v1/audit/verify",
            "/api/v1/audit/verify",
            O,
            None,
        ),
        rc(
            "get",
            "/api/v1/documents/1/verifications",
            "/api/v1/documents/{id}/verifications",
            R,
            None,
        ),
        rc("post", "/api/v1/verify", "/api/v1/verify", R, None),
        rc("get", "/api/v1/compliance", "/api/v1/compliance", R, None),
        rc(
            "get",
            "/api/v1/registers/incoming",
            "/api/v1/registers/{book}",
            R,
            None,
        ),
        rc(
            "get",
            "/api/v1/compliance/export?format=csv",
            "/api/v1/compliance/export",
            R,
            None,
        ),
        rc(
            "get",
            "/api/v1/compliance/evidence?metric=e_signature",
            "/api/v1/compliance/evidence",
            R,
            None,
        ),
        rc("get", "/log/checkpoint", "/log/checkpoint", P, None),
        rc("get", "/log/vkey", "/log/vkey", P, None),
        rc(
            "get",
            "/log/tile/entries/000.p/2",
            "/log/tile/{path}",
            P,
            None,
        ),
        rc(
            "get",
            "/public/v1/proof/inclusion?index=1&size=2",
            "/public/v1/proof/inclusion",
            P,
            None,
        ),
        rc(
            "get",
            "/public/v1/proof/consistency?from=1&to=2",
            "/public/v1/proof/consistency",
            P,
            None,
        ),
        rc(
            "get",
            "/public/v1/documents/2/receipt",
            "/public/v1/documents/{id}/receipt",
            P,
            None,
        ),
        rc(
            "get",
            "/public/v1/documents",
            "/public/v1/documents",
            P,
            None,
        ),
        rc(
            "get",
            "/public/v1/documents/2",
            "/public/v1/documents/{id}",
            P,
            None,
        ),
        rc(
            "get",
            "/public/v1/lookup?number_symbol=1/QĐ-SNV",
            "/public/v1/lookup",
            P,
            None,
        ),
        rc("get", "/public/v1/stats", "/public/v1/stats", P, None),
        rc("get", "/public/dashboard", "/public/dashboard", P, None),
        rc(
            "get",
            "/public/v1/feed.atom",
            "/public/v1/feed.atom",
            P,
            None,
        ),
        rc(
            "get",
            "/public/v1/feed.json",
            "/public/v1/feed.json",
            P,
            None,
        ),
        rc("post", "/public/v1/check", "/public/v1/check", P, None),
    ]
}

both!(role_matrix_over_every_route, |app: TestApp| async move {
    // Document 1, with a file, for the per-document routes.
    let mut m = incoming_paper("Văn bản mẫu");
    m["channel"] = json!("electronic");
    let (s, b) = app
        .post_multipart(
            "/api/v1/documents/incoming",
            &m.to_string(),
            Some(pdf("mẫu")),
        )
        .await;
    assert_eq!(s, 201, "{b}");
    assert_eq!(b["id"], 1);
    // Document 2 for the public routes (the matrix recalls document 1),
    // both in the public log.
    let (s, b) = app
        .post_json("/api/v1/documents/incoming", &incoming_paper("Công khai"))
        .await;
    assert_eq!((s, b["id"].as_i64()), (201, Some(2)), "{b}");
    // Document 2 is resolved, so the reopen row can reopen it.
    let (s, b) = app
        .patch_json("/api/v1/documents/2/handling", &json!({"status": "done"}))
        .await;
    assert_eq!(s, 200, "{b}");
    let now = crate::harness::default_now();
    assert_eq!(app.log.integrate(now).await.expect("integrate"), 3);
    app.log.checkpoint(now).await.expect("checkpoint");

    // The matrix covers exactly the routes the server documents.
    let spec: Value = app
        .http
        .get(app.url("/openapi.json"))
        .send()
        .await
        .expect("spec")
        .json()
        .await
        .expect("json");
    let mut documented = BTreeSet::new();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("item").keys() {
            if ["get", "post", "patch", "put", "delete"].contains(&method.as_str()) {
                documented.insert((method.clone(), path.clone()));
            }
        }
    }
    let tested: BTreeSet<(String, String)> = cases()
        .iter()
        .map(|c| (c.method.to_string(), c.template.to_string()))
        .collect();
    assert_eq!(
        tested, documented,
        "the role matrix must list every documented route"
    );

    for case in cases() {
        for who in [Who::Nobody, Who::Auditor, Who::Admin, Who::Clerk] {
            let token = match who {
                Who::Nobody => None,
                Who::Clerk => Some(app.clerk.clone()),
                Who::Auditor => Some(app.auditor.clone()),
                Who::Admin => Some(app.admin.clone()),
            };
            let mut req = match case.method {
                "get" => app.http.get(app.url(case.path)),
                "post" => app.http.post(app.url(case.path)),
                "patch" => app.http.patch(app.url(case.path)),
                other => panic!("unexpected method {other}"),
            };
            if let Some(t) = &token {
                req = req.bearer_auth(t);
            }
            if let Some(b) = &case.body {
                req = req.json(b);
            }
            if case.path == "/api/v1/verify" || case.path == "/public/v1/check" {
                req = req
                    .header("content-type", "application/pdf")
                    .body(pdf("kiểm tra"));
            }
            let r = req.send().await.expect("request");
            let status = r.status().as_u16();
            let body: Value = if r
                .headers()
                .get("content-type")
                .is_some_and(|v| v.to_str().unwrap_or("").contains("json"))
            {
                r.json().await.unwrap_or(Value::Null)
            } else {
                Value::Null
            };
            let want = if case.allowed.contains(&who) {
                None
            } else if who == Who::Nobody {
                Some(401)
            } else {
                Some(403)
            };
            match want {
                Some(code) => {
                    assert_eq!(
                        status, code,
                        "{} {} as {who:?}: {body}",
                        case.method, case.path
                    );
                    let expect_code = if code == 401 {
                        "unauthenticated"
                    } else {
                        "forbidden"
                    };
                    assert_eq!(
                        body["error"]["code"], expect_code,
                        "{} {} as {who:?}",
                        case.method, case.path
                    );
                }
                None => assert!(
                    (200..300).contains(&status),
                    "{} {} as {who:?} should be allowed, got {status}: {body}",
                    case.method,
                    case.path
                ),
            }
        }
    }

    // A wrong token and a disabled user's token are refused like no token.
    let (s, _) = app.get("/api/v1/me", "vt_not-a-real-token").await;
    assert_eq!(s, 401);
    let (s, b) = app.get("/api/v1/me", &app.clerk).await;
    assert_eq!((s, b["role"].as_str()), (200, Some("clerk")));
    app.registry
        .set_user_active("clerk", false, None, "test")
        .await
        .expect("disable");
    let (s, _) = app.get("/api/v1/me", &app.clerk).await;
    assert_eq!(s, 401);
});
