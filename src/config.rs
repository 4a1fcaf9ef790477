//! One typed configuration: command-line flags > `VANTHU_*` environment > an
//! optional TOML file (`--config`) > built-in defaults. Secrets are redacted in `Debug`.

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
    /// Resolve flags and environment (already merged by clap) over the TOML
    /// file over the defaults.
    pub fn resolve(common: &CommonOpts, server: &ServerOpts) -> anyhow::Result<Self> {
        let file = match &common.config {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    anyhow::anyhow!("cannot read configuration file {}: {e}", path.display())
                })?;
                toml::from_str::<FileConfig>(&text).map_err(|e| {
                    anyhow::anyhow!("invalid configuration file {}: {e}", path.display())
                })?
            }
            None => FileConfig::default(),
        };
        let data_dir = common
            .data_dir
            .clone()
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let listen_s = server
            .listen
            .clone()
            .or(file.listen)
            .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        let listen: SocketAddr = listen_s
            .parse()
            .map_err(|e| anyhow::anyhow!("invalid listen address {listen_s:?}: {e}"))?;
        let database_url = common
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| default_sqlite_url(&data_dir));
        let storage_url = common
            .storage_url
            .clone()
            .or(file.storage_url)
            .unwrap_or_else(|| data_dir.join("files").to_string_lossy().into_owned());
        let max_upload_mb = server
            .max_upload_mb
            .or(file.max_upload_mb)
            .unwrap_or(DEFAULT_MAX_UPLOAD_MB);
        if max_upload_mb == 0 || max_upload_mb > 4096 {
            anyhow::bail!("max upload size must be between 1 and 4096 MB, got {max_upload_mb}");
        }
        let agency_code = server
            .agency_code
            .clone()
            .or(file.agency_code)
            .unwrap_or_else(|| "SNV".to_string());
        if agency_code.trim().is_empty() || agency_code.contains(['/', ' ']) {
            anyhow::bail!("agency code must be a non-empty abbreviation without '/' or spaces");
        }
        let agency_name = server
            .agency_name
            .clone()
            .or(file.agency_name)
            .unwrap_or_else(|| "Sở Nội vụ".to_string());
        let paths = |var: &str, file: Option<Vec<PathBuf>>| -> Vec<PathBuf> {
            match std::env::var_os(var) {
                Some(v) if !v.is_empty() => std::env::split_paths(&v).collect(),
                _ => file.unwrap_or_default(),
            }
        };
        let flag = |var: &str, file: Option<bool>, default: bool| -> anyhow::Result<bool> {
            match std::env::var(var) {
                Ok(v) => match v.as_str() {
                    "1" | "true" | "yes" => Ok(true),
                    "0" | "false" | "no" => Ok(false),
                    _ => anyhow::bail!("{var} must be true or false, got {v:?}"),
                },
                Err(_) => Ok(file.unwrap_or(default)),
            }
        };
        let log_origin = std::env::var("VANTHU_LOG_ORIGIN")
            .ok()
            .or(file.log_origin)
            .unwrap_or_else(|| format!("vanthu.local/{}", agency_code.to_lowercase()));
        if log_origin.is_empty()
            || log_origin.contains('+')
            || log_origin.chars().any(char::is_whitespace)
        {
            anyhow::bail!(
                "the log origin must be non-empty, without '+' or spaces: {log_origin:?}"
            );
        }
        // Targets: the file's table, then VANTHU_TARGETS over it.
        let mut targets = crate::compliance::targets::Targets::default();
        for (id, rate) in file.targets.unwrap_or_default() {
            targets
                .set(&id, rate)
                .map_err(|e| anyhow::anyhow!("configuration file, [targets]: {e}"))?;
        }
        if let Ok(spec) = std::env::var("VANTHU_TARGETS") {
            targets
                .apply_spec(&spec)
                .map_err(|e| anyhow::anyhow!("VANTHU_TARGETS: {e}"))?;
        }
        let env_or = |var: &str| std::env::var(var).ok().filter(|v| !v.trim().is_empty());
        let number =
            |var: &str, file: Option<u64>, default: u64, lo: u64, hi: u64| -> anyhow::Result<u64> {
                let v = match env_or(var) {
                    Some(v) => v
                        .trim()
                        .parse::<u64>()
                        .map_err(|_| anyhow::anyhow!("{var} must be a whole number, got {v:?}"))?,
                    None => file.unwrap_or(default),
                };
                if !(lo..=hi).contains(&v) {
                    anyhow::bail!("{var} must be between {lo} and {hi}, got {v}");
                }
                Ok(v)
            };
        let public_url = match server.public_url.clone().or(file.public_url) {
            Some(u) => parse_public_url(&u)?,
            None => parse_public_url(&format!("http://{listen}/"))?,
        };
        let proxies: Vec<String> = match env_or("VANTHU_TRUSTED_PROXIES") {
            Some(v) => v.split(',').map(|s| s.trim().to_string()).collect(),
            None => file.trusted_proxies.unwrap_or_default(),
        };
        let trusted_proxies = proxies
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| parse_net(s))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
        let secret_suffix = env_or("VANTHU_SECRET_SUFFIX")
            .or(file.secret_suffix)
            .unwrap_or_else(|| DEFAULT_SECRET_SUFFIX.to_string());
        check_secret_suffix(&secret_suffix)?;
        Ok(Self {
            public_url,
            trusted_proxies,
            verify_workers: number(
                "VANTHU_VERIFY_WORKERS",
                file.verify_workers.map(|v| v as u64),
                cores,
                1,
                256,
            )? as usize,
            verify_timeout: std::time::Duration::from_secs(number(
                "VANTHU_VERIFY_TIMEOUT_SECS",
                file.verify_timeout_secs,
                30,
                1,
                3600,
            )?),
            public_uploads: number(
                "VANTHU_PUBLIC_UPLOADS",
                file.public_uploads.map(|v| v as u64),
                4,
                1,
                1024,
            )? as usize,
            staff_uploads: number(
                "VANTHU_STAFF_UPLOADS",
                file.staff_uploads.map(|v| v as u64),
                16,
                1,
                4096,
            )? as usize,
            upload_timeout: std::time::Duration::from_secs(number(
                "VANTHU_UPLOAD_TIMEOUT_SECS",
                file.upload_timeout_secs,
                120,
                5,
                86_400,
            )?),
            publication_hold: std::time::Duration::from_secs(number(
                "VANTHU_PUBLICATION_HOLD_SECS",
                file.publication_hold_secs,
                DEFAULT_PUBLICATION_HOLD_SECS,
                0,
                30 * 86_400,
            )?),
            secret_suffix,
            online_revocation: flag("VANTHU_ONLINE_REVOCATION", file.online_revocation, true)?,
            targets,
            log_origin,
            listen,
            data_dir,
            database_url,
            storage_url,
            max_upload_bytes: max_upload_mb * 1_000_000,
            agency_code,
            agency_name,
            trust_paths: paths("VANTHU_TRUST", file.trust),
            crl_paths: paths("VANTHU_CRLS", file.crls),
            default_trust: flag("VANTHU_DEFAULT_TRUST", file.default_trust, true)?,
            accept_unknown_revocation: flag(
                "VANTHU_ACCEPT_UNKNOWN_REVOCATION",
                file.accept_unknown_revocation,
                false,
            )?,
        })
    }

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

/// An absolute `http(s)` URL without query or fragment, ending in `/`.
fn parse_public_url(s: &str) -> anyhow::Result<url::Url> {
    let mut u =
        url::Url::parse(s.trim()).map_err(|e| anyhow::anyhow!("invalid public URL {s:?}: {e}"))?;
    if !matches!(u.scheme(), "http" | "https") || u.host().is_none() {
        anyhow::bail!("the public URL must be http:// or https:// with a host, got {s:?}");
    }
    if u.query().is_some() || u.fragment().is_some() || !u.username().is_empty() {
        anyhow::bail!("the public URL must not carry a query, fragment or user: {s:?}");
    }
    if !u.path().ends_with('/') {
        let p = format!("{}/", u.path());
        u.set_path(&p);
    }
    Ok(u)
}

/// An address or network (`10.0.0.1`, `10.0.0.0/8`, `::1`).
fn parse_net(s: &str) -> anyhow::Result<ipnet::IpNet> {
    if let Ok(n) = s.parse::<ipnet::IpNet>() {
        return Ok(n);
    }
    s.parse::<std::net::IpAddr>()
        .map(ipnet::IpNet::from)
        .map_err(|_| anyhow::anyhow!("trusted proxy {s:?} is not an IP address or network"))
}

fn check_secret_suffix(s: &str) -> anyhow::Result<()> {
    if s.is_empty()
        || s.chars().count() > 10
        || s.chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '/')
    {
        anyhow::bail!(
            "the secret series suffix must be 1 to 10 characters without spaces or '/', got {s:?} (an empty one would let both series issue the same number/symbol)"
        );
    }
    Ok(())
}

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
