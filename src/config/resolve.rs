//! Resolving a [`Config`] from its sources, step by step: the TOML file,
//! then flags and environment over it, then the values derived from others,
//! each checked as it is read.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::{
    CommonOpts, Config, DEFAULT_DATA_DIR, DEFAULT_LISTEN, DEFAULT_MAX_UPLOAD_MB,
    DEFAULT_PUBLICATION_HOLD_SECS, DEFAULT_SECRET_SUFFIX, FileConfig, ServerOpts,
    default_sqlite_url,
};
use crate::compliance::targets::Targets;

impl Config {
    /// Resolve flags and environment (already merged by clap) over the TOML
    /// file over the defaults.
    pub fn resolve(common: &CommonOpts, server: &ServerOpts) -> anyhow::Result<Self> {
        let mut file = read_file(common.config.as_deref())?;
        let places = Places::resolve(common, server, &mut file)?;
        let log_origin = log_origin(&places.agency_code, file.log_origin.take())?;
        let targets = targets(file.targets.take())?;
        let edge = Edge::resolve(server, places.listen, &mut file)?;
        let limits = Limits::resolve(&file)?;
        Ok(Self {
            public_url: edge.public_url,
            trusted_proxies: edge.trusted_proxies,
            verify_workers: limits.verify_workers,
            verify_timeout: limits.verify_timeout,
            public_uploads: limits.public_uploads,
            staff_uploads: limits.staff_uploads,
            upload_timeout: limits.upload_timeout,
            publication_hold: limits.publication_hold,
            secret_suffix: edge.secret_suffix,
            online_revocation: flag("VANTHU_ONLINE_REVOCATION", file.online_revocation, true)?,
            targets,
            log_origin,
            listen: places.listen,
            data_dir: places.data_dir,
            database_url: places.database_url,
            storage_url: places.storage_url,
            max_upload_bytes: places.max_upload_mb * 1_000_000,
            agency_code: places.agency_code,
            agency_name: places.agency_name,
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
}

/// The TOML file at `path`, or an empty one when there is none.
fn read_file(path: Option<&Path>) -> anyhow::Result<FileConfig> {
    Ok(match path {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                anyhow::anyhow!("cannot read configuration file {}: {e}", path.display())
            })?;
            toml::from_str::<FileConfig>(&text).map_err(|e| {
                anyhow::anyhow!("invalid configuration file {}: {e}", path.display())
            })?
        }
        None => FileConfig::default(),
    })
}

/// Where the program listens and keeps its data, and whose register it is
/// (flags over the file over the defaults).
struct Places {
    data_dir: PathBuf,
    listen: SocketAddr,
    database_url: String,
    storage_url: String,
    max_upload_mb: u64,
    agency_code: String,
    agency_name: String,
}

impl Places {
    /// The places from `common` and `server` over `file` (taking what it uses).
    fn resolve(
        common: &CommonOpts,
        server: &ServerOpts,
        file: &mut FileConfig,
    ) -> anyhow::Result<Self> {
        let data_dir = common
            .data_dir
            .clone()
            .or(file.data_dir.take())
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA_DIR));
        let listen_s = server
            .listen
            .clone()
            .or(file.listen.take())
            .unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        let listen: SocketAddr = listen_s
            .parse()
            .map_err(|e| anyhow::anyhow!("invalid listen address {listen_s:?}: {e}"))?;
        let database_url = common
            .database_url
            .clone()
            .or(file.database_url.take())
            .unwrap_or_else(|| default_sqlite_url(&data_dir));
        let storage_url = common
            .storage_url
            .clone()
            .or(file.storage_url.take())
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
            .or(file.agency_code.take())
            .unwrap_or_else(|| "SNV".to_string());
        if agency_code.trim().is_empty() || agency_code.contains(['/', ' ']) {
            anyhow::bail!("agency code must be a non-empty abbreviation without '/' or spaces");
        }
        let agency_name = server
            .agency_name
            .clone()
            .or(file.agency_name.take())
            .unwrap_or_else(|| "Sở Nội vụ".to_string());
        Ok(Self {
            data_dir,
            listen,
            database_url,
            storage_url,
            max_upload_mb,
            agency_code,
            agency_name,
        })
    }
}

/// The log's origin: `VANTHU_LOG_ORIGIN` over the file's, else derived from
/// the agency code; non-empty, without '+' or spaces.
fn log_origin(agency_code: &str, file: Option<String>) -> anyhow::Result<String> {
    let log_origin = std::env::var("VANTHU_LOG_ORIGIN")
        .ok()
        .or(file)
        .unwrap_or_else(|| format!("vanthu.local/{}", agency_code.to_lowercase()));
    if log_origin.is_empty()
        || log_origin.contains('+')
        || log_origin.chars().any(char::is_whitespace)
    {
        anyhow::bail!("the log origin must be non-empty, without '+' or spaces: {log_origin:?}");
    }
    Ok(log_origin)
}

/// Targets: the file's table, then VANTHU_TARGETS over it.
fn targets(file: Option<std::collections::BTreeMap<String, f64>>) -> anyhow::Result<Targets> {
    let mut targets = Targets::default();
    for (id, rate) in file.unwrap_or_default() {
        targets
            .set(&id, rate)
            .map_err(|e| anyhow::anyhow!("configuration file, [targets]: {e}"))?;
    }
    if let Ok(spec) = std::env::var("VANTHU_TARGETS") {
        targets
            .apply_spec(&spec)
            .map_err(|e| anyhow::anyhow!("VANTHU_TARGETS: {e}"))?;
    }
    Ok(targets)
}

/// The public edge: the URL the public sees, the proxies trusted to say who
/// is calling, and the secret series' suffix.
struct Edge {
    public_url: url::Url,
    trusted_proxies: Vec<ipnet::IpNet>,
    secret_suffix: String,
}

impl Edge {
    /// The edge from `server` and the environment over `file` (taking what it
    /// uses); the public URL defaults to the `listen` address.
    fn resolve(
        server: &ServerOpts,
        listen: SocketAddr,
        file: &mut FileConfig,
    ) -> anyhow::Result<Self> {
        let public_url = match server.public_url.clone().or(file.public_url.take()) {
            Some(u) => parse_public_url(&u)?,
            None => parse_public_url(&format!("http://{listen}/"))?,
        };
        let proxies: Vec<String> = match env_or("VANTHU_TRUSTED_PROXIES") {
            Some(v) => v.split(',').map(|s| s.trim().to_string()).collect(),
            None => file.trusted_proxies.take().unwrap_or_default(),
        };
        let trusted_proxies = proxies
            .iter()
            .filter(|s| !s.is_empty())
            .map(|s| parse_net(s))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let secret_suffix = env_or("VANTHU_SECRET_SUFFIX")
            .or(file.secret_suffix.take())
            .unwrap_or_else(|| DEFAULT_SECRET_SUFFIX.to_string());
        check_secret_suffix(&secret_suffix)?;
        Ok(Self {
            public_url,
            trusted_proxies,
            secret_suffix,
        })
    }
}

/// The limits on work: verifier workers, upload slots and timeouts, and
/// the publication hold (environment over the file over the defaults).
struct Limits {
    verify_workers: usize,
    verify_timeout: Duration,
    public_uploads: usize,
    staff_uploads: usize,
    upload_timeout: Duration,
    publication_hold: Duration,
}

impl Limits {
    /// The limits from the environment over `file`, each within its bounds.
    fn resolve(file: &FileConfig) -> anyhow::Result<Self> {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
        Ok(Self {
            verify_workers: number(
                "VANTHU_VERIFY_WORKERS",
                file.verify_workers.map(|v| v as u64),
                cores,
                1,
                256,
            )? as usize,
            verify_timeout: Duration::from_secs(number(
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
            upload_timeout: Duration::from_secs(number(
                "VANTHU_UPLOAD_TIMEOUT_SECS",
                file.upload_timeout_secs,
                120,
                5,
                86_400,
            )?),
            publication_hold: Duration::from_secs(number(
                "VANTHU_PUBLICATION_HOLD_SECS",
                file.publication_hold_secs,
                DEFAULT_PUBLICATION_HOLD_SECS,
                0,
                30 * 86_400,
            )?),
        })
    }
}

/// Paths from the environment variable `var` (a path list), else the file's.
fn paths(var: &str, file: Option<Vec<PathBuf>>) -> Vec<PathBuf> {
    match std::env::var_os(var) {
        Some(v) if !v.is_empty() => std::env::split_paths(&v).collect(),
        _ => file.unwrap_or_default(),
    }
}

/// A yes/no from the environment variable `var`, else the file's, else `default`.
fn flag(var: &str, file: Option<bool>, default: bool) -> anyhow::Result<bool> {
    match std::env::var(var) {
        Ok(v) => match v.as_str() {
            "1" | "true" | "yes" => Ok(true),
            "0" | "false" | "no" => Ok(false),
            _ => anyhow::bail!("{var} must be true or false, got {v:?}"),
        },
        Err(_) => Ok(file.unwrap_or(default)),
    }
}

/// The environment variable `var`, unless unset or blank.
fn env_or(var: &str) -> Option<String> {
    std::env::var(var).ok().filter(|v| !v.trim().is_empty())
}

/// A whole number from `var`, else the file's, else `default`, within `lo..=hi`.
fn number(var: &str, file: Option<u64>, default: u64, lo: u64, hi: u64) -> anyhow::Result<u64> {
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
}

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

/// Refuse a secret series suffix that is empty, long, or has spaces or `/`.
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
