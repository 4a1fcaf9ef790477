//! One typed configuration: command-line flags > `VANTHU_*` environment > an
//! optional TOML file (`--config`) > built-in defaults. Secrets are redacted in `Debug`.

mod resolve;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use clap::Args;
use serde::Deserialize;

/// Default listening address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// Default data folder (database, files, keys).
pub const DEFAULT_DATA_DIR: &str = "./vanthu-data";
/// Default upload limit: 50 MB.
pub const DEFAULT_MAX_UPLOAD_MB: u64 = 50;

/// Options every command accepts (flags and their environment variables).
#[derive(Debug, Clone, Default, Args)]
pub struct CommonOpts {
    /// Data folder: SQLite database, stored files, keys [default: ./vanthu-data]
    #[arg(long, env = "VANTHU_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// Database URL: sqlite://PATH or postgres://USER:PASS@HOST/DB [default: SQLite inside the data folder]
    #[arg(
        long,
        env = "VANTHU_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,
    /// Where PDFs are stored: a folder path, file:///PATH, or s3://BUCKET/PREFIX (feature `s3`) [default: DATA_DIR/files]
    #[arg(long, env = "VANTHU_STORAGE_URL", global = true)]
    pub storage_url: Option<String>,
    /// Optional TOML configuration file with the same keys (snake_case)
    #[arg(long, env = "VANTHU_CONFIG", global = true)]
    pub config: Option<PathBuf>,
}

/// Keys accepted in the TOML file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    storage_url: Option<String>,
    max_upload_mb: Option<u64>,
    agency_code: Option<String>,
    agency_name: Option<String>,
    trust: Option<Vec<PathBuf>>,
    crls: Option<Vec<PathBuf>>,
    log_origin: Option<String>,
    default_trust: Option<bool>,
    accept_unknown_revocation: Option<bool>,
    targets: Option<std::collections::BTreeMap<String, f64>>,
    public_url: Option<String>,
    trusted_proxies: Option<Vec<String>>,
    verify_workers: Option<usize>,
    verify_timeout_secs: Option<u64>,
    public_uploads: Option<usize>,
    staff_uploads: Option<usize>,
    upload_timeout_secs: Option<u64>,
    publication_hold_secs: Option<u64>,
    secret_suffix: Option<String>,
    online_revocation: Option<bool>,
}

/// The resolved configuration.
#[derive(Clone)]
pub struct Config {
    /// Address the server listens on.
    pub listen: SocketAddr,
    /// Data folder.
    pub data_dir: PathBuf,
    /// Database URL (may hold a password: never logged).
    pub database_url: String,
    /// Storage URL or folder for PDFs.
    pub storage_url: String,
    /// Largest accepted upload, in bytes.
    pub max_upload_bytes: u64,
    /// The agency's abbreviation used in outgoing numbers/symbols (e.g. `SNV`).
    pub agency_code: String,
    /// The agency's name, the issuing body of outgoing documents.
    pub agency_name: String,
    /// Extra trust anchors (files or folders) for verification on arrival.
    pub trust_paths: Vec<PathBuf>,
    /// CRL files or folders for verification on arrival.
    pub crl_paths: Vec<PathBuf>,
    /// Trust the bundled Vietnamese roots.
    pub default_trust: bool,
    /// Treat an unknown revocation status as good.
    pub accept_unknown_revocation: bool,
    /// The transparency log's origin line and key name.
    pub log_origin: String,
    /// The compliance targets (the 2024 plan's unless configured).
    pub targets: crate::compliance::targets::Targets,
    /// The address the public reaches the server at; absolute links
    /// (feeds, receipts) are built from it, never from the `Host` header.
    pub public_url: url::Url,
    /// Proxies whose `X-Forwarded-For` is believed (per-client limits).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Verifications run at once.
    pub verify_workers: usize,
    /// Wall-time limit of one verification.
    pub verify_timeout: std::time::Duration,
    /// Public PDF checks handled at once (more get 503).
    pub public_uploads: usize,
    /// Staff uploads handled at once (more get 503).
    pub staff_uploads: usize,
    /// Longest time an upload request may take, body included.
    pub upload_timeout: std::time::Duration,
    /// How long a new document stays out of public view, so that a
    /// mistaken secrecy can be corrected before anything is published.
    pub publication_hold: std::time::Duration,
    /// What the secret series appends to an outgoing number/symbol
    /// (`01/QĐ-SNV` → `01/QĐ-SNV-M`), so the two series never share one.
    pub secret_suffix: String,
    /// Fetch CRLs and OCSP responses online during verification.
    pub online_revocation: bool,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.database_url))
            .field("storage_url", &redact_url(&self.storage_url))
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("agency_code", &self.agency_code)
            .field("agency_name", &self.agency_name)
            .field("trust_paths", &self.trust_paths)
            .field("crl_paths", &self.crl_paths)
            .field("default_trust", &self.default_trust)
            .field("accept_unknown_revocation", &self.accept_unknown_revocation)
            .field("log_origin", &self.log_origin)
            .field("targets", &self.targets)
            .field("public_url", &self.public_url.as_str())
            .field("trusted_proxies", &self.trusted_proxies)
            .field("verify_workers", &self.verify_workers)
            .field("verify_timeout", &self.verify_timeout)
            .field("public_uploads", &self.public_uploads)
            .field("staff_uploads", &self.staff_uploads)
            .field("upload_timeout", &self.upload_timeout)
            .field("publication_hold", &self.publication_hold)
            .field("secret_suffix", &self.secret_suffix)
            .field("online_revocation", &self.online_revocation)
            .finish()
    }
}

/// Replace the password of a URL with `***`.
pub fn redact_url(s: &str) -> String {
    match url::Url::parse(s) {
        Ok(mut u) if u.password().is_some() => {
            // set_password only fails for URLs that cannot have a password,
            // and this one already has one.
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => s.to_string(),
    }
}

/// Server-only options, layered the same way.
#[derive(Debug, Clone, Default)]
pub struct ServerOpts {
    /// `--listen` / `VANTHU_LISTEN`.
    pub listen: Option<String>,
    /// `--max-upload-mb` / `VANTHU_MAX_UPLOAD_MB`.
    pub max_upload_mb: Option<u64>,
    /// `--agency-code` / `VANTHU_AGENCY_CODE`.
    pub agency_code: Option<String>,
    /// `--agency-name` / `VANTHU_AGENCY_NAME`.
    pub agency_name: Option<String>,
    /// `--public-url` / `VANTHU_PUBLIC_URL`.
    pub public_url: Option<String>,
}

impl Config {
    /// A configuration for tests and tools: everything inside `data_dir`.
    pub fn for_data_dir(data_dir: &Path) -> Self {
        Self {
            listen: DEFAULT_LISTEN.parse().expect("constant address parses"),
            data_dir: data_dir.to_path_buf(),
            database_url: default_sqlite_url(data_dir),
            storage_url: data_dir.join("files").to_string_lossy().into_owned(),
            max_upload_bytes: DEFAULT_MAX_UPLOAD_MB * 1_000_000,
            agency_code: "SNV".into(),
            agency_name: "Sở Nội vụ".into(),
            trust_paths: Vec::new(),
            crl_paths: Vec::new(),
            default_trust: true,
            accept_unknown_revocation: false,
            log_origin: "vanthu.local/snv".into(),
            targets: crate::compliance::targets::Targets::default(),
            public_url: url::Url::parse("http://127.0.0.1:8080/").expect("constant URL parses"),
            trusted_proxies: Vec::new(),
            verify_workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
            verify_timeout: std::time::Duration::from_secs(30),
            public_uploads: 4,
            staff_uploads: 16,
            upload_timeout: std::time::Duration::from_secs(120),
            publication_hold: std::time::Duration::from_secs(DEFAULT_PUBLICATION_HOLD_SECS),
            secret_suffix: DEFAULT_SECRET_SUFFIX.into(),
            online_revocation: true,
        }
    }

    /// The verifier's options for documents arriving through the registry.
    pub fn verify_options(&self) -> anyhow::Result<crate::sigverify::Options> {
        use crate::sigverify::{Options, Policy, TrustStore};
        let mut trust = if self.default_trust {
            TrustStore::vietnam()
        } else {
            TrustStore::empty()
        };
        for p in &self.trust_paths {
            trust
                .add_anchors(p)
                .map_err(|e| anyhow::anyhow!("trust anchors {}: {e}", p.display()))?;
        }
        for p in &self.crl_paths {
            trust
                .add_crls(p)
                .map_err(|e| anyhow::anyhow!("CRLs {}: {e}", p.display()))?;
        }
        Ok(Options {
            trust,
            at: None,
            policy: Policy {
                accept_unknown_revocation: self.accept_unknown_revocation,
                ..Policy::default()
            },
            ..Options::default()
        })
    }

    /// True when the database is the embedded SQLite one.
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

/// Default publication hold: 15 minutes.
pub const DEFAULT_PUBLICATION_HOLD_SECS: u64 = 900;
/// Default suffix of the secret series' numbers/symbols.
pub const DEFAULT_SECRET_SUFFIX: &str = "-M";

fn default_sqlite_url(data_dir: &Path) -> String {
    format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("vanthu.db").to_string_lossy()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_file_override_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("vanthu.toml");
        std::fs::write(
            &file,
            "listen = \"0.0.0.0:9000\"\nagency_code = \"SYT\"\nmax_upload_mb = 10\n",
        )
        .expect("write");
        let common = CommonOpts {
            config: Some(file.clone()),
            data_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let c = Config::resolve(&common, &ServerOpts::default()).expect("resolves");
        assert_eq!(c.listen.to_string(), "0.0.0.0:9000");
        assert_eq!(c.agency_code, "SYT");
        assert_eq!(c.max_upload_bytes, 10_000_000);
        assert_eq!(c.agency_name, "Sở Nội vụ");
        assert!(c.database_url.ends_with("vanthu.db?mode=rwc"));
        let flags = ServerOpts {
            listen: Some("127.0.0.1:1".into()),
            agency_code: Some("SNV".into()),
            ..Default::default()
        };
        let c = Config::resolve(&common, &flags).expect("resolves");
        assert_eq!(
            (c.listen.to_string().as_str(), c.agency_code.as_str()),
            ("127.0.0.1:1", "SNV")
        );
    }

    #[test]
    fn targets_come_from_the_file_and_bad_ones_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let file = dir.path().join("vanthu.toml");
        let common = CommonOpts {
            config: Some(file.clone()),
            data_dir: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        std::fs::write(&file, "[targets]\non_time = 0.9\ndigitisation = 0.75\n").expect("write");
        let c = Config::resolve(&common, &ServerOpts::default()).expect("resolves");
        assert_eq!(c.targets.get("on_time"), 0.9);
        assert_eq!(c.targets.get("digitisation"), 0.75);
        assert_eq!(c.targets.get("e_signature"), 1.0);
        for bad in ["[targets]\nspeed = 0.5\n", "[targets]\non_time = 99\n"] {
            std::fs::write(&file, bad).expect("write");
            let e = Config::resolve(&common, &ServerOpts::default()).expect_err(bad);
            assert!(e.to_string().contains("[targets]"), "{e}");
        }
    }

    #[test]
    fn bad_values_are_refused_and_secrets_redacted() {
        let common = CommonOpts::default();
        let bad = ServerOpts {
            listen: Some("not an address".into()),
            ..Default::default()
        };
        assert!(Config::resolve(&common, &bad).is_err());
        let bad = ServerOpts {
            max_upload_mb: Some(0),
            ..Default::default()
        };
        assert!(Config::resolve(&common, &bad).is_err());
        let mut c = Config::for_data_dir(Path::new("/tmp/x"));
        c.database_url = "postgres://u:s3cret@db/vanthu".into();
        let shown = format!("{c:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert!(shown.contains("***"));
    }
}
