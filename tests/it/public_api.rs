//! The public API without login: search and lookup never show secret or
//! recalled documents, stats count secret ones without describing them, the
//! feeds are well-formed Atom and JSON Feed with conditional GET, and the
//! public check recognises a registered PDF and rejects a modified copy.

use serde_json::{Value, json};

use crate::both;
use crate::fixtures::fixture;
use crate::harness::{TestApp, incoming_paper};

both!(public_api, |app: TestApp| async move {
    let now = chrono::Utc::now();
    let mut signed = incoming_paper("Kế hoạch công khai minh bạch");
    signed["channel"] = json!("electronic");
    signed["number_symbol"] = json!("12/KH-UBND");
    let (s, a) = app
        .post_multipart(
            "/api/v1/documents/incoming",
            &signed.to_string(),
            Some(fixture("person.pdf")),
        )
        .await;
    assert_eq!(s, 201, "{a}");
    let mut secret = incoming_paper("Bí mật quốc phòng");
    secret["secrecy"] = json!("mat");
    secret["number_symbol"] = json!("13/MAT-UBND");
    let (s, _) = app.post_json("/api/v1/documents/incoming", &secret).await;
    assert_eq!(s, 201);
    app.log.integrate(now).await.expect("integrate");

    // Search and lookup.
    let (s, p) = app.get("/public/v1/documents?q=cong+khai", "").await;
    assert_eq!(s, 200);
    assert_eq!(p["total"], 1);
    let (_, p) = app.get("/public/v1/documents", "").await;
    assert_eq!(p["total"], 1, "the secret document is not listed: {p}");
    assert!(!p.to_string().contains("Bí mật"));
    // Filters on fields the public does not see are refused.
    for hidden in ["secrecy=mat", "unit=VP", "urgency=khan"] {
        let (s, e) = app.get(&format!("/public/v1/documents?{hidden}"), "").await;
        assert_eq!(
            (s, e["error"]["code"].as_str()),
            (422, Some("unknown_field")),
            "{hidden}"
        );
    }
    let (_, p) = app
        .get("/public/v1/lookup?number_symbol=12%2Fkh-ubnd", "")
        .await;
    assert_eq!(p["items"].as_array().map(Vec::len), Some(1));
    let (_, p) = app
        .get("/public/v1/lookup?number_symbol=13%2FMAT-UBND", "")
        .await;
    assert_eq!(p["items"].as_array().map(Vec::len), Some(0));
    let (s, _) = app
        .get(&format!("/public/v1/documents/{}", a["id"]), "")
        .await;
    assert_eq!(s, 200);
    let (s, _) = app
        .get(
            &format!("/public/v1/documents/{}", a["id"].as_i64().unwrap_or(0) + 1),
            "",
        )
        .await;
    assert_eq!(s, 404, "a secret document is not found");

    // Stats count the secret document, and nothing more of it.
    let (s, st) = app.get("/public/v1/stats?year=2025", "").await;
    assert_eq!(s, 200);
    assert_eq!(
        (
            st["total"]["total"].as_u64(),
            st["total"]["secret"].as_u64()
        ),
        (Some(2), Some(1))
    );
    assert_eq!(st["total"]["electronic"], 1);
    // The signed document verifies (test PKI): the rate is 1 of 1.
    assert_eq!(st["total"]["signed_valid"], 1, "{st}");
    assert_eq!(st["total"]["e_signature_rate"], 1.0, "{st}");
    let g = st["groups"].as_array().expect("groups");
    assert_eq!(g.len(), 1, "{st}");
    assert_eq!(
        (
            g[0]["month"].as_str(),
            g[0]["unit"].as_str(),
            g[0]["direction"].as_str()
        ),
        (Some("2025-06"), Some("VP"), Some("incoming"))
    );
    assert_eq!(
        (g[0]["total"].as_u64(), g[0]["signed_valid"].as_u64()),
        (Some(2), Some(1))
    );
    let (s, other) = app.get("/public/v1/stats?year=2024", "").await;
    assert_eq!((s, other["total"]["total"].as_u64()), (200, Some(0)));
    assert!(!st.to_string().contains("Bí mật"));

    // Feeds: well-formed, required elements, stable ids, conditional GET.
    let r = app
        .http
        .get(app.url("/public/v1/feed.atom"))
        .send()
        .await
        .expect("atom");
    assert_eq!(r.status().as_u16(), 200);
    let etag = r.headers()["etag"].to_str().expect("etag").to_string();
    let xml = r.text().await.expect("text");
    let doc = roxmltree::Document::parse(&xml).expect("Atom is well-formed XML");
    let feed = doc.root_element();
    assert_eq!(
        (feed.tag_name().name(), feed.tag_name().namespace()),
        ("feed", Some("http://www.w3.org/2005/Atom"))
    );
    for req in ["id", "title", "updated", "author"] {
        assert!(
            feed.children().any(|c| c.tag_name().name() == req),
            "feed lacks {req}"
        );
    }
    let entries: Vec<_> = feed
        .children()
        .filter(|c| c.tag_name().name() == "entry")
        .collect();
    assert_eq!(entries.len(), 1);
    for req in ["id", "title", "updated"] {
        assert!(
            entries[0].children().any(|c| c.tag_name().name() == req),
            "entry lacks {req}"
        );
    }
    assert!(!xml.contains("Bí mật"));
    let r = app
        .http
        .get(app.url("/public/v1/feed.atom"))
        .header("if-none-match", &etag)
        .send()
        .await
        .expect("atom");
    assert_eq!(r.status().as_u16(), 304);
    let jf: Value = app
        .http
        .get(app.url("/public/v1/feed.json"))
        .send()
        .await
        .expect("json feed")
        .json()
        .await
        .expect("json");
    assert_eq!(jf["version"], "https://jsonfeed.org/version/1.1");
    assert!(jf["title"].is_string());
    let items = jf["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert!(
        items[0]["id"].is_string()
            && (items[0]["content_text"].is_string() || items[0]["content_html"].is_string())
    );

    // The public check.
    let r = app
        .http
        .post(app.url("/public/v1/check"))
        .header("content-type", "application/pdf")
        .body(fixture("person.pdf"))
        .send()
        .await
        .expect("check");
    assert_eq!(r.status().as_u16(), 200);
    let c: Value = r.json().await.expect("json");
    assert_eq!(c["registered"], true, "{c}");
    assert_eq!(c["document"]["id"], a["id"]);
    assert!(
        c["receipt"]
            .as_str()
            .is_some_and(|r| r.starts_with("c2sp.org/tlog-proof@v1"))
    );
    let mut modified = fixture("person.pdf");
    let at = modified
        .windows(7)
        .position(|w| w == b"/Annots")
        .expect("a byte to change");
    modified[at + 1] = b'B';
    let c: Value = app
        .http
        .post(app.url("/public/v1/check"))
        .header("content-type", "application/pdf")
        .body(modified)
        .send()
        .await
        .expect("check")
        .json()
        .await
        .expect("json");
    assert_eq!(c["registered"], false);
    assert_eq!(c["document"], Value::Null);
    assert_ne!(c["verification"]["status"], "valid");
    let r = app
        .http
        .post(app.url("/public/v1/check"))
        .header("content-type", "text/plain")
        .body("x")
        .send()
        .await
        .expect("check");
    assert_eq!(r.status().as_u16(), 415);
    // A browser form upload (multipart part `file`) is recognised too.
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(fixture("person.pdf"))
            .file_name("x.pdf")
            .mime_str("application/pdf")
            .expect("mime"),
    );
    let c: Value = app
        .http
        .post(app.url("/public/v1/check"))
        .multipart(form)
        .send()
        .await
        .expect("check")
        .json()
        .await
        .expect("json");
    assert_eq!(c["registered"], true, "{c}");
});

// The public dashboard: one HTML page without script, every value escaped,
// secret documents counted and never described; `/` leads to it.
both!(public_dashboard, |app: TestApp| async move {
    let now = crate::harness::default_now();
    let mut open = incoming_paper("<script>alert(\"x\")</script> & kế hoạch");
    open["number_symbol"] = json!("7/KH-<b>");
    let (s, b) = app.post_json("/api/v1/documents/incoming", &open).await;
    assert_eq!(s, 201, "{b}");
    let mut secret = incoming_paper("TUYỆT MẬT phương án nhân sự");
    secret["secrecy"] = json!("tuyet_mat");
    secret["number_symbol"] = json!("9/MAT-XYZ");
    let (s, b) = app.post_json("/api/v1/documents/incoming", &secret).await;
    assert_eq!(s, 201, "{b}");
    app.log.integrate(now).await.expect("integrate");
    let r = app
        .http
        .get(app.url("/public/dashboard?year=2025"))
        .send()
        .await
        .expect("dashboard");
    assert_eq!(r.status().as_u16(), 200);
    let h = r.headers().clone();
    assert_eq!(
        h.get("content-type").and_then(|v| v.to_str().ok()),
        Some("text/html; charset=utf-8")
    );
    assert!(
        h.get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|c| c.starts_with("default-src 'none'")),
        "{h:?}"
    );
    let html = r.text().await.expect("html");
    assert!(
        !html.contains("<script"),
        "no script, and the subject is escaped"
    );
    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; kế hoạch"));
    assert!(html.contains("7/KH-&lt;b&gt;"));
    assert!(!html.contains("TUYỆT MẬT") && !html.contains("9/MAT-XYZ"));
    // The year row: two documents, one of them secret (counted only).
    assert!(
        html.contains("<th scope=\"row\">Năm 2025</th><td>2</td><td>1</td>"),
        "{html}"
    );
    assert!(html.contains("Nhật ký minh bạch có 1 mục"), "{html}");
    // Deadlines count once they have passed or been met.
    let mut due = incoming_paper("có hạn");
    due["due_on"] = json!("2025-06-20");
    let (s, d) = app.post_json("/api/v1/documents/incoming", &due).await;
    assert_eq!(s, 201, "{d}");
    let (_, st) = app.get("/public/v1/stats?year=2025", "").await;
    assert_eq!(st["total"]["with_deadline"], 0, "{st}");
    let (s, _) = app
        .patch_json(
            &format!("/api/v1/documents/{}/handling", d["id"]),
            &json!({"status": "done", "resolved_on": "2025-06-15"}),
        )
        .await;
    assert_eq!(s, 200);
    let (_, st) = app.get("/public/v1/stats?year=2025", "").await;
    assert_eq!(
        (
            st["total"]["with_deadline"].as_u64(),
            st["total"]["on_time"].as_u64()
        ),
        (Some(1), Some(1)),
        "{st}"
    );
    // `/` leads to the dashboard; a bad year is refused.
    let r = app.http.get(app.url("/")).send().await.expect("root");
    assert_eq!(r.url().path(), "/public/dashboard");
    assert_eq!(r.status().as_u16(), 200);
    let r = app
        .http
        .get(app.url("/public/dashboard?year=abc"))
        .send()
        .await
        .expect("bad year");
    assert_eq!(r.status().as_u16(), 422);
});
