//! `vanthu verify`: the signature verifier on files, offline (or with
//! `--online` revocation), one report per file.

use anyhow::Context;

#[derive(Debug, Clone, clap::Args)]
/// Verify the digital signatures of PDF files (exit 0 all valid, 1 any not valid, 2 unreadable)
pub struct VerifyArgs {
    /// One JSON report per file, one per line
    #[arg(long)]
    json: bool,
    /// Add trust anchors (PEM, DER or P7B; a file or a folder); repeatable
    #[arg(long = "trust", value_name = "PATH")]
    trust: Vec<std::path::PathBuf>,
    /// Do not trust the bundled Vietnamese roots
    #[arg(long)]
    no_default_trust: bool,
    /// Add CRLs (PEM or DER; a file or a folder); repeatable
    #[arg(long = "crl", value_name = "PATH")]
    crl: Vec<std::path::PathBuf>,
    /// Validation time, RFC 3339 (default: now)
    #[arg(long, value_parser = super::parse_time)]
    at: Option<chrono::DateTime<chrono::Utc>>,
    /// Language of the summary: en or vi
    #[arg(long, default_value = "en", value_parser = ["en", "vi"])]
    lang: String,
    /// Treat an unknown revocation status as good instead of INDETERMINATE / TRY_LATER
    #[arg(long)]
    accept_unknown_revocation: bool,
    /// Accept SHA-1 digests (refused by default)
    #[arg(long)]
    allow_sha1: bool,
    /// Fetch CRLs and ask OCSP responders named in the certificates when nothing at hand decides
    #[arg(long)]
    online: bool,
    /// Write the bytes revision N covers (what a signature of that revision signed) to OUT, and exit
    #[arg(long, num_args = 2, value_names = ["N", "OUT"])]
    extract_revision: Option<Vec<String>>,
    /// Print the peak resident memory to stderr at the end (used by `vanthu bench`)
    #[arg(long, hide = true)]
    peak_memory: bool,
    /// SHA-256 fingerprint of a certificate to treat as an organisation's; repeatable
    #[arg(long = "pin-organisation", value_name = "SHA256")]
    pin_organisation: Vec<String>,
    /// PDF files
    #[arg(required = true)]
    files: Vec<std::path::PathBuf>,
}

/// Verify the files; the exit code says how they fared.
pub fn run(args: VerifyArgs) -> anyhow::Result<u8> {
    use crate::sigverify::{self, Options, Policy, TrustStore, human, report::Status};
    let mut trust = if args.no_default_trust {
        TrustStore::empty()
    } else {
        TrustStore::vietnam()
    };
    for p in &args.trust {
        trust
            .add_anchors(p)
            .map_err(|e| anyhow::anyhow!("--trust {}: {e}", p.display()))?;
    }
    for p in &args.crl {
        trust
            .add_crls(p)
            .map_err(|e| anyhow::anyhow!("--crl {}: {e}", p.display()))?;
    }
    for fp in &args.pin_organisation {
        let fp: String = fp
            .chars()
            .filter(|c| *c != ':')
            .collect::<String>()
            .to_ascii_lowercase();
        if fp.len() != 64 || !fp.bytes().all(|b| b.is_ascii_hexdigit()) {
            anyhow::bail!("--pin-organisation needs a SHA-256 fingerprint (64 hex digits)");
        }
        trust.organisation_pins.insert(fp);
    }
    if let Some(x) = &args.extract_revision {
        return extract_revision(&args.files, x);
    }
    let online = if args.online {
        Some(crate::sigverify::Online(std::sync::Arc::new(
            crate::online::HttpFetch::standalone()?,
        )))
    } else {
        None
    };
    let opts = Options {
        online,
        trust,
        at: args.at,
        policy: Policy {
            allow_sha1: args.allow_sha1,
            accept_unknown_revocation: args.accept_unknown_revocation,
            ..Policy::default()
        },
        ..Options::default()
    };
    let lang = if args.lang == "vi" {
        human::Lang::Vi
    } else {
        human::Lang::En
    };
    let mut code = 0u8;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    use std::io::Write;
    for f in &args.files {
        let report = match sigverify::verify_path(f, &opts) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("error: cannot read {}: {e}", f.display());
                code = 2;
                continue;
            }
        };
        if args.json {
            writeln!(out, "{}", serde_json::to_string(&report)?)?;
        } else {
            write!(out, "{}", human::render(&report, lang))?;
        }
        if report.status != Status::Valid && code == 0 {
            code = 1;
        }
    }
    out.flush()?;
    if args.peak_memory
        && let Ok(status) = std::fs::read_to_string("/proc/self/status")
        && let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:"))
    {
        let kb: String = line.chars().filter(char::is_ascii_digit).collect();
        eprintln!("peak_rss_kb={kb}");
    }
    Ok(code)
}

/// `vanthu verify --extract-revision N OUT FILE`: the first N revisions of FILE.
fn extract_revision(files: &[std::path::PathBuf], x: &[String]) -> anyhow::Result<u8> {
    let [n, out] = x else {
        anyhow::bail!("--extract-revision takes N and OUT");
    };
    let n: usize = n
        .parse()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| anyhow::anyhow!("--extract-revision: N is a revision number from 1"))?;
    let [file] = files else {
        anyhow::bail!("--extract-revision works on exactly one FILE");
    };
    let data = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let bytes = crate::sigverify::revision(&data, n).ok_or_else(|| {
        anyhow::anyhow!(
            "{} has {} revision(s); there is no revision {n}",
            file.display(),
            crate::sigverify::revision_ends(&data).len()
        )
    })?;
    let tmp = std::path::PathBuf::from(format!("{out}.partial"));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, out).with_context(|| format!("cannot write {out}"))?;
    eprintln!("revision {n}: {} bytes written to {out}", bytes.len());
    Ok(0)
}
