//! The plan's metrics on a crafted data set, with figures computed by hand:
//! secret documents out of the exchange and signature rates, an invalid
//! signature counted as not signed, recalled documents excluded, and the
//! evidence of each metric summing to denominator − numerator.

mod counters;
mod exports;
mod figures;

use serde_json::{Value, json};

use crate::fixtures::fixture;
use crate::harness::TestApp;

/// Register a document at `path` (electronic when `file` is given, unless
/// its channel is `paper-scan`); returns its id.
pub(super) async fn reg(app: &TestApp, path: &str, mut meta: Value, file: Option<&str>) -> i64 {
    if file.is_some() && meta["channel"] != "paper-scan" {
        meta["channel"] = json!("electronic");
    } else if meta["channel"] == "paper-scan" {
        meta["channel"] = json!("paper");
    }
    let (s, d) = match file {
        Some(f) => {
            app.post_multipart(path, &meta.to_string(), Some(fixture(f)))
                .await
        }
        None => app.post_json(path, &meta).await,
    };
    assert_eq!(s, 201, "{d}");
    d["id"].as_i64().expect("id")
}
