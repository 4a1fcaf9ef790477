//! A failure between storing the file and committing the row leaves no row,
//! no number taken, and no orphan after the sweep; a stored file is never
//! swept while a row references it.

use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::json;

use crate::both;
use crate::harness::{TestApp, incoming_paper, pdf};

both!(
    failure_before_commit_leaves_nothing,
    |app: TestApp| async move {
        let mut m = incoming_paper("Sự cố giữa chừng");
        m["channel"] = json!("electronic");
        app.registry
            .hooks
            .danger_fail_before_commit
            .store(true, Ordering::SeqCst);
        let (s, b) = app
            .post_multipart(
                "/api/v1/documents/incoming",
                &m.to_string(),
                Some(pdf("sự cố")),
            )
            .await;
        assert_eq!(s, 500, "{b}");
        assert_eq!(b["error"]["code"], "internal");
        assert!(
            !b.to_string().contains("injected"),
            "internal details must not leak: {b}"
        );
        app.registry
            .hooks
            .danger_fail_before_commit
            .store(false, Ordering::SeqCst);

        assert_eq!(app.count("documents").await, 0);
        assert_eq!(app.count("files").await, 0);
        // The file was durably stored before the failure…
        assert_eq!(app.blobs().await, 1);
        // …a sweep with a grace period keeps it (a request could still be using it)…
        let r = app
            .registry
            .gc(Duration::from_secs(3600))
            .await
            .expect("gc");
        assert_eq!((r.deleted, r.kept_recent), (0, 1));
        // …and the sweep without grace removes the orphan.
        let r = app.registry.gc(Duration::ZERO).await.expect("gc");
        assert_eq!(r.deleted, 1);
        assert_eq!(app.blobs().await, 0);

        // The number was not consumed.
        let (s, b) = app
            .post_multipart(
                "/api/v1/documents/incoming",
                &m.to_string(),
                Some(pdf("sự cố")),
            )
            .await;
        assert_eq!(s, 201, "{b}");
        assert_eq!(b["register_number"], 1);
        // A referenced file survives any sweep.
        let r = app.registry.gc(Duration::ZERO).await.expect("gc");
        assert_eq!((r.deleted, r.scanned), (0, 1));
        assert!(r.missing.is_empty());
        // (PostgreSQL's id sequence is not transactional: ids may skip, register numbers may not.)
        let f = app
            .http
            .get(app.url(&format!("/api/v1/documents/{}/file", b["id"])))
            .bearer_auth(&app.clerk)
            .send()
            .await
            .expect("download");
        assert_eq!(f.status().as_u16(), 200);
        assert_eq!(f.bytes().await.expect("bytes").to_vec(), pdf("sự cố"));
    }
);
