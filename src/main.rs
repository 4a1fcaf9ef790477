//! The `vanthu` command line: dispatch only; the work is in the library.

use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use vanthu::clock::Clock;
use vanthu::config::{CommonOpts, Config, ServerOpts};
use vanthu::registry::types::Role;

#[derive(Parser)]
#[command(
    name = "vanthu",
    version,
    about = "Registers of official documents (Decree 30/2020), signature checks and transparency"
)]
struct Cli {
    #[command(flatten)]
    common: CommonOpts,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (JSON API under /api/v1, OpenAPI at /openapi.json, Swagger UI at /docs)
    Serve {
        /// Address to listen on [default: 127.0.0.1:8080]
        #[arg(long, env = "VANTHU_LISTEN")]
        listen: Option<String>,
        /// Largest accepted upload in MB
        #[arg(long, env = "VANTHU_MAX_UPLOAD_MB")]
        max_upload_mb: Option<u64>,
        /// Agency abbreviation in outgoing numbers/symbols (e.g. SNV in 42/QĐ-SNV)
        #[arg(long, env = "VANTHU_AGENCY_CODE")]
        agency_code: Option<String>,
        /// Agency name, the issuing body of outgoing documents
        #[arg(long, env = "VANTHU_AGENCY_NAME")]
        agency_name: Option<String>,
        /// The address the public reaches this server at (absolute links in feeds and receipts) [default: http://LISTEN/]
        #[arg(long, env = "VANTHU_PUBLIC_URL")]
        public_url: Option<String>,
        /// Load a demo data set into an empty register and print a demo token
        #[arg(long)]
        demo: bool,
    },
    /// Verify the digital signatures of PDF files (exit 0 all valid, 1 any not valid, 2 unreadable)
    Verify(VerifyArgs),
    /// Sign a PDF (PAdES, as an incremental update: earlier signatures stay valid)
    Sign(SignArgs),
    /// Measure the verifier against openssl dgst and pdfsig (ratios, written as Markdown)
    Bench {
        /// Size of the large signed PDF, in MB
        #[arg(long, default_value_t = 50)]
        size_mb: usize,
        /// Number of small signed PDFs
        #[arg(long, default_value_t = 500)]
        small: usize,
        /// Timed runs per measurement
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// Keep the generated files in this folder
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
        /// Instead, benchmark the transparency log with this many entries
        #[arg(long)]
        log_entries: Option<usize>,
        /// Instead, measure the hostile-file generators against honest files of the same size
        #[arg(long)]
        hostile: bool,
    },
    /// Re-verify stored documents after a trust or CRL change (earlier reports are kept)
    Reverify {
        /// Only documents registered on or after this date (YYYY-MM-DD)
        #[arg(long)]
        since: Option<chrono::NaiveDate>,
    },
    /// Run pending database migrations and exit
    Migrate,
    /// Manage users and their API tokens
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage units
    Unit {
        #[command(subcommand)]
        command: UnitCommand,
    },
    /// Delete stored files that no document references
    Gc {
        /// Keep unreferenced files younger than this many seconds (a request may still be using them)
        #[arg(long, default_value_t = 3600)]
        grace_secs: u64,
    },
    /// The plan's metrics for a year (the same figures as GET /api/v1/compliance)
    Report {
        /// Register year (Vietnam time)
        #[arg(long)]
        year: i32,
        /// Only this unit
        #[arg(long)]
        unit: Option<String>,
        /// Group by unit, month or type
        #[arg(long, value_parser = ["unit", "month", "type"])]
        group_by: Option<String>,
        /// table, csv, json, or xlsx (written to stdout: redirect it to a file)
        #[arg(long, default_value = "table", value_parser = ["table", "csv", "json", "xlsx"])]
        format: String,
        /// Count signatures as they verify now, or as they verified at registration
        #[arg(long, default_value = "now", value_parser = ["now", "registration"])]
        as_verified: String,
        /// Also recount the figures from the documents and exit 1 when the
        /// maintained counters disagree
        #[arg(long)]
        check: bool,
        /// Rebuild the maintained counters from the documents first
        #[arg(long)]
        rebuild: bool,
    },
    /// Fill an empty data folder with a large synthetic data set for benchmarks
    Seed {
        /// How many documents
        #[arg(long, default_value_t = 10_000)]
        documents: usize,
        /// Register year
        #[arg(long, default_value_t = 2025)]
        year: i32,
        /// Then time the year's compliance grouped by unit against a plain COUNT(*)
        #[arg(long)]
        bench: bool,
    },
    /// The public transparency log
    Tlog {
        #[command(subcommand)]
        command: TlogCommand,
    },
    /// The hash-chained audit log
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
}

#[derive(clap::Args)]
struct VerifyArgs {
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
    #[arg(long, value_parser = parse_time)]
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

#[derive(clap::Args)]
struct SignArgs {
    /// PKCS#12 file with the key and chain
    #[arg(long, conflicts_with_all = ["key", "cert"])]
    p12: Option<std::path::PathBuf>,
    /// Password of the PKCS#12 file (or VANTHU_P12_PASSWORD)
    #[arg(
        long,
        env = "VANTHU_P12_PASSWORD",
        hide_env_values = true,
        default_value = ""
    )]
    password: String,
    /// PEM private key
    #[arg(long, requires = "cert")]
    key: Option<std::path::PathBuf>,
    /// PEM certificate of the signer, followed by its chain
    #[arg(long, requires = "key")]
    cert: Option<std::path::PathBuf>,
    /// Name of the new signature field
    #[arg(long, default_value = "Signature1")]
    field: String,
    /// Reason (e.g. "Phê duyệt")
    #[arg(long)]
    reason: Option<String>,
    /// Location
    #[arg(long)]
    location: Option<String>,
    /// Contact information
    #[arg(long)]
    contact: Option<String>,
    /// Visible signature: PAGE:X1,Y1,X2,Y2 in points (default: invisible)
    #[arg(long, value_parser = parse_placement)]
    visible: Option<vanthu::sign::Placement>,
    /// Claimed signing time, RFC 3339 (default: now)
    #[arg(long, value_parser = parse_time)]
    time: Option<chrono::DateTime<chrono::Utc>>,
    /// Use adbe.pkcs7.detached instead of PAdES (ETSI.CAdES.detached)
    #[arg(long)]
    pkcs7: bool,
    /// PEM key of a local TSA: adds a signature timestamp (PAdES B-T)
    #[arg(long, requires = "tsa_cert")]
    tsa_key: Option<std::path::PathBuf>,
    /// PEM certificate (and chain) of the local TSA
    #[arg(long, requires = "tsa_key")]
    tsa_cert: Option<std::path::PathBuf>,
    /// Input PDF
    input: std::path::PathBuf,
    /// Output PDF
    output: std::path::PathBuf,
}

fn parse_placement(s: &str) -> Result<vanthu::sign::Placement, String> {
    let err = || "expected PAGE:X1,Y1,X2,Y2, e.g. 1:360,60,560,130".to_string();
    let (page, rect) = s.split_once(':').ok_or_else(err)?;
    let page: u32 = page.parse().map_err(|_| err())?;
    let v: Vec<f32> = rect
        .split(',')
        .map(|x| x.trim().parse::<f32>())
        .collect::<Result<_, _>>()
        .map_err(|_| err())?;
    let [x1, y1, x2, y2] = v[..] else {
        return Err(err());
    };
    if page == 0 || x2 <= x1 || y2 <= y1 {
        return Err(err());
    }
    Ok(vanthu::sign::Placement {
        page,
        rect: [x1, y1, x2, y2],
    })
}

fn sign_file(args: SignArgs) -> anyhow::Result<u8> {
    use vanthu::sign;
    let read = |p: &std::path::Path| {
        std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))
    };
    let creds = match (&args.p12, &args.key, &args.cert) {
        (Some(p), _, _) => sign::from_p12(&read(p)?, &args.password)?,
        (None, Some(k), Some(c)) => sign::from_pem(&read(k)?, &read(c)?)?,
        _ => anyhow::bail!("give --p12 FILE, or --key KEY.pem --cert CERT.pem"),
    };
    let tsa = match (&args.tsa_key, &args.tsa_cert) {
        (Some(k), Some(c)) => Some(sign::from_pem(&read(k)?, &read(c)?)?),
        _ => None,
    };
    let input = read(&args.input)?;
    let opts = sign::SignOptions {
        field: args.field,
        reason: args.reason,
        location: args.location,
        contact: args.contact,
        visible: args.visible,
        time: args.time.unwrap_or_else(chrono::Utc::now),
        pades: !args.pkcs7,
        tsa,
    };
    let out = sign::sign(&input, &creds, &opts)?;
    // Write beside the target, then rename: a failure never leaves half a file.
    let tmp = args.output.with_extension("pdf.partial");
    std::fs::write(&tmp, &out).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, &args.output)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    eprintln!("signed: {}", args.output.display());
    Ok(0)
}

fn parse_time(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("not an RFC 3339 time (e.g. 2025-06-01T00:00:00Z): {e}"))
}

fn verify_files(args: VerifyArgs) -> anyhow::Result<u8> {
    use vanthu::sigverify::{self, Options, Policy, TrustStore, human, report::Status};
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
        Some(vanthu::sigverify::Online(std::sync::Arc::new(
            vanthu::online::HttpFetch::standalone()?,
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
    let bytes = vanthu::sigverify::revision(&data, n).ok_or_else(|| {
        anyhow::anyhow!(
            "{} has {} revision(s); there is no revision {n}",
            file.display(),
            vanthu::sigverify::revision_ends(&data).len()
        )
    })?;
    let tmp = std::path::PathBuf::from(format!("{out}.partial"));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, out).with_context(|| format!("cannot write {out}"))?;
    eprintln!("revision {n}: {} bytes written to {out}", bytes.len());
    Ok(0)
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user and print its API token (only the token, on stdout)
    Add {
        /// Login name
        name: String,
        /// clerk, auditor or admin
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
    /// Print a new token for an existing user (the old one stops working)
    Token {
        /// Login name
        name: String,
    },
    /// Disable a user
    Disable {
        /// Login name
        name: String,
    },
    /// List users
    List,
}

#[derive(Subcommand)]
enum UnitCommand {
    /// Add a unit
    Add {
        /// Code used in numbers/symbols, e.g. VP
        code: String,
        /// Full name
        name: String,
        /// Parent unit code
        #[arg(long)]
        parent: Option<String>,
    },
    /// List units
    List,
}

#[derive(Subcommand)]
enum TlogCommand {
    /// Print the log's verifier key (C2SP vkey form)
    Key,
    /// Sequence pending events now and sign a checkpoint (printed)
    Checkpoint,
    /// Check a log: signature, entries against the signed root, and that it only grew since the last check
    Verify {
        /// A vanthu server's base URL (e.g. http://127.0.0.1:8080)
        #[arg(long, conflicts_with = "dir", required_unless_present = "dir")]
        url: Option<String>,
        /// A folder with `checkpoint` and `tile/…`
        #[arg(long)]
        dir: Option<std::path::PathBuf>,
        /// The log's verifier key, or a file holding it
        #[arg(long)]
        vkey: Option<String>,
        /// Where to remember the last checkpoint seen
        #[arg(long)]
        state: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the chain; exit 1 if any entry was altered or removed
    Verify,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| format!("role must be one of: {}", Role::choices()))
}

/// The actor named in the audit log for command-line changes.
fn cli_actor() -> String {
    let who = std::env::var("USER").unwrap_or_else(|_| "unknown".into());
    format!("cli:{who}")
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("vanthu=info,tower_http=warn")
            }),
        )
        .with_writer(std::io::stderr)
        .init();
    // Offline commands run without an async runtime (a verify per file stays cheap).
    let result = match cli.command {
        Command::Verify(args) => verify_files(args),
        Command::Sign(args) => sign_file(args),
        Command::Bench {
            log_entries: Some(n),
            ..
        } => vanthu::bench::run_log(n.max(1)).map(|md| {
            println!("{md}");
            0
        }),
        Command::Bench {
            hostile: true,
            runs,
            dir,
            ..
        } => vanthu::bench::run_hostile(runs.max(1), dir.as_deref()).map(|md| {
            println!("{md}");
            0
        }),
        Command::Bench {
            size_mb,
            small,
            runs,
            dir,
            ..
        } => vanthu::bench::run(&vanthu::bench::BenchOptions {
            size_mb,
            small,
            runs: runs.max(1),
            dir,
        })
        .map(|md| {
            println!("{md}");
            0
        }),
        command => {
            return online(Cli {
                common: cli.common,
                command,
            });
        }
    };
    match result {
        Ok(code) => std::process::ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

fn online(cli: Cli) -> std::process::ExitCode {
    let rt = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    match rt.block_on(run(cli)) {
        Ok(code) => std::process::ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::from(2)
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<u8> {
    let mut server = ServerOpts::default();
    if let Command::Serve {
        listen,
        max_upload_mb,
        agency_code,
        agency_name,
        public_url,
        ..
    } = &cli.command
    {
        server = ServerOpts {
            listen: listen.clone(),
            max_upload_mb: *max_upload_mb,
            agency_code: agency_code.clone(),
            agency_name: agency_name.clone(),
            public_url: public_url.clone(),
        };
    }
    let config = Config::resolve(&cli.common, &server)?;
    tracing::debug!(?config, "configuration");
    let open = || async { vanthu::app::open_registry(&config, Clock::system()).await };
    match cli.command {
        Command::Serve { demo, .. } => serve(config.clone(), demo).await,
        Command::Verify(_) | Command::Sign(_) | Command::Bench { .. } => {
            anyhow::bail!("offline commands run before the runtime starts")
        }
        Command::Reverify { since } => {
            let reg = open().await?;
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:40} {pos}/{len} documents ({eta} left)",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let r = reg
                .reverify(since, |done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                })
                .await?;
            bar.finish_and_clear();
            println!("{}", serde_json::to_string(&r)?);
            Ok(if r.failed == 0 { 0 } else { 1 })
        }
        Command::Migrate => {
            let db = vanthu::db::open(&config.database_url).await?;
            db.close().await.ok();
            eprintln!("migrations applied");
            Ok(0)
        }
        Command::User { command } => {
            let reg = open().await?;
            match command {
                UserCommand::Add { name, role } => {
                    let (_, token) = reg.add_user(&name, role, &cli_actor()).await?;
                    println!("{token}");
                }
                UserCommand::Token { name } => {
                    println!("{}", reg.rotate_token(&name, &cli_actor()).await?);
                    if !reg.user_is_active(&name).await? {
                        eprintln!(
                            "warning: user {name} is disabled; the new token works only once an administrator enables the user"
                        );
                    }
                }
                UserCommand::Disable { name } => {
                    reg.set_user_active(&name, false, None, &cli_actor())
                        .await?;
                    eprintln!("user {name} disabled");
                }
                UserCommand::List => {
                    for u in reg.list_users().await? {
                        println!(
                            "{}\t{}\t{}",
                            u.name,
                            u.role,
                            if u.active { "active" } else { "disabled" }
                        );
                    }
                }
            }
            Ok(0)
        }
        Command::Unit { command } => {
            let reg = open().await?;
            match command {
                UnitCommand::Add { code, name, parent } => {
                    let u = reg
                        .add_unit(
                            &serde_json::json!({"code": code, "name": name, "parent_code": parent}),
                            &cli_actor(),
                        )
                        .await?;
                    eprintln!("unit {} added", u.code);
                }
                UnitCommand::List => {
                    for u in reg.list_units().await? {
                        println!(
                            "{}\t{}\t{}",
                            u.code,
                            u.name,
                            if u.active { "active" } else { "inactive" }
                        );
                    }
                }
            }
            Ok(0)
        }
        Command::Gc { grace_secs } => {
            let reg = open().await?;
            let r = reg.gc(Duration::from_secs(grace_secs)).await?;
            println!("{}", serde_json::to_string(&r)?);
            Ok(if r.missing.is_empty() { 0 } else { 1 })
        }
        Command::Tlog {
            command: TlogCommand::Checkpoint,
        } => {
            let db = vanthu::db::open(&config.database_url).await?;
            let log = vanthu::public::log::Log::open(db, &config.data_dir, &config.log_origin)?;
            let now = chrono::Utc::now();
            log.integrate(now).await?;
            print!("{}", log.checkpoint(now).await?);
            Ok(0)
        }
        Command::Tlog {
            command: TlogCommand::Key,
        } => {
            let db = vanthu::db::open(&config.database_url).await?;
            let log = vanthu::public::log::Log::open(db, &config.data_dir, &config.log_origin)?;
            println!("{}", log.vkey()?);
            Ok(0)
        }
        Command::Tlog {
            command:
                TlogCommand::Verify {
                    url,
                    dir,
                    vkey,
                    state,
                },
        } => {
            use vanthu::public::monitor::{self, MonitorError, Origin};
            let origin = match (url, dir) {
                (Some(u), _) => Origin::Url(u),
                (None, Some(d)) => Origin::Dir(d),
                (None, None) => anyhow::bail!("give --url or --dir"),
            };
            match monitor::verify(&origin, vkey.as_deref(), state.as_deref()).await {
                Ok((_, summary)) => {
                    println!("{summary}");
                    Ok(0)
                }
                Err(e @ MonitorError::Inconsistent(_)) => {
                    println!("{e}");
                    Ok(1)
                }
                Err(e) => Err(e.into()),
            }
        }
        Command::Seed {
            documents,
            year,
            bench,
        } => {
            let reg = open().await?;
            if documents > 0 {
                let bar = indicatif::ProgressBar::new(documents as u64);
                let t = std::time::Instant::now();
                let sum = vanthu::seed::seed(&reg, documents, year, |k| bar.set_position(k as u64))
                    .await?;
                bar.finish_and_clear();
                println!(
                    "seeded {} documents, {} verifications, {} signatures, {} officials in {} units ({:.1} s)",
                    sum.documents,
                    sum.verifications,
                    sum.signatures,
                    sum.officials,
                    sum.units,
                    t.elapsed().as_secs_f64()
                );
            }
            if bench {
                println!("{}", vanthu::seed::bench(&reg, year, 5).await?);
            }
            Ok(0)
        }
        Command::Report {
            year,
            unit,
            group_by,
            format,
            as_verified,
            check,
            rebuild,
        } => {
            use vanthu::compliance::{self, Filter, GroupBy};
            let reg = open().await?;
            if rebuild {
                compliance::rollup::rebuild(&reg.db).await?;
                eprintln!("compliance counters rebuilt from the documents");
            }
            let from = chrono::NaiveDate::from_ymd_opt(year, 1, 1)
                .ok_or_else(|| anyhow::anyhow!("bad year {year}"))?;
            let to = chrono::NaiveDate::from_ymd_opt(year, 12, 31)
                .ok_or_else(|| anyhow::anyhow!("bad year {year}"))?;
            let g = match group_by.as_deref() {
                Some("unit") => GroupBy::Unit,
                Some("month") => GroupBy::Month,
                Some("type") => GroupBy::Type,
                _ => GroupBy::None,
            };
            let filter = Filter {
                from,
                to,
                unit,
                direction: None,
                doc_type: None,
                as_registered: as_verified == "registration",
            };
            // Only the workbook carries the evidence; the rest comes from the counters.
            let (m, ev) = if format == "xlsx" {
                compliance::compute(&reg, &config.targets, &filter, g).await?
            } else {
                (
                    compliance::rollup::metrics(&reg, &config.targets, &filter, g).await?,
                    Vec::new(),
                )
            };
            if check {
                let recount = compliance::fast::metrics(&reg, &config.targets, &filter, g).await?;
                if recount != m {
                    eprintln!(
                        "the compliance counters disagree with a recount from the documents; \
                         run vanthu report --rebuild (counters: {} rows, recount: {} rows)",
                        m.len(),
                        recount.len()
                    );
                    for (a, b) in m.iter().zip(&recount) {
                        if a != b {
                            eprintln!(
                                "  {} {}: counters {}/{}, recount {}/{}",
                                a.id,
                                a.group,
                                a.numerator,
                                a.denominator,
                                b.numerator,
                                b.denominator
                            );
                        }
                    }
                    return Ok(1);
                }
                eprintln!("checked: the counters equal a recount from the documents");
            }
            match format.as_str() {
                "json" => println!(
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({"year": year, "metrics": m}))?
                ),
                "csv" => print!("{}", compliance::metrics_csv(&m)),
                "xlsx" => {
                    use std::io::Write;
                    let bytes = compliance::xlsx(&m, &ev)?;
                    std::io::stdout().write_all(&bytes)?;
                }
                _ => {
                    println!(
                        "{:<20} {:<12} {:>9} {:>11} {:>8} {:>7}  met",
                        "metric", "group", "numerator", "denominator", "rate", "target"
                    );
                    for r in &m {
                        println!(
                            "{:<20} {:<12} {:>9} {:>11} {:>8} {:>7}  {}",
                            r.id,
                            r.group,
                            r.numerator,
                            r.denominator,
                            r.rate
                                .map(|x| format!("{:.1}%", x * 100.0))
                                .unwrap_or_else(|| "-".into()),
                            format!("{:.0}%", r.target * 100.0),
                            if r.met { "yes" } else { "NO" }
                        );
                    }
                }
            }
            Ok(0)
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let reg = open().await?;
            let r = vanthu::registry::audit::verify(&reg.db).await?;
            if r.ok {
                println!("audit log intact: {} entries", r.entries);
                Ok(0)
            } else {
                println!("audit log BROKEN: {}", r.problem.unwrap_or_default());
                Ok(1)
            }
        }
    }
}

async fn serve(config: Config, demo: bool) -> anyhow::Result<u8> {
    // The demo signs its documents with its own throwaway CA, trusted only in demo mode.
    let pki = if demo {
        Some(vanthu::demo::demo_pki(
            &config.data_dir.join("demo-pki"),
            &config.agency_name,
        )?)
    } else {
        None
    };
    let setup = vanthu::app::Setup {
        extra_anchors: pki.iter().map(|p| p.root.clone()).collect(),
        // The demo CA publishes no CRL.
        accept_unknown_revocation: demo,
        ..Default::default()
    };
    let app = vanthu::app::Application::build(&config, Clock::system(), setup).await?;
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let addr = listener.local_addr()?;
    println!("vanthu listening on http://{addr}  (API /api/v1, docs http://{addr}/docs)");
    if demo {
        let reg = &app.registry;
        let added = vanthu::demo::load(reg, pki.as_ref()).await?;
        let name = "demo-clerk";
        let token = match reg.add_user(name, Role::Clerk, "demo").await {
            Ok((_, t)) => t,
            Err(_) => reg.rotate_token(name, "demo").await?,
        };
        if added > 0 {
            println!("demo data loaded: {added} documents");
        }
        println!("demo clerk token: {token}");
        println!(
            "try: curl -H 'Authorization: Bearer {token}' 'http://{addr}/api/v1/documents?q=cai+cach'"
        );
    }
    app.run(listener, shutdown_signal()).await?;
    Ok(0)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        tokio::signal::ctrl_c().await.ok();
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
