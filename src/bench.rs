//! `vanthu bench`: measures the verifier against baselines in the same run,
//! as ratios (never timed assertions). A large signed PDF (image streams) is
//! compared with `openssl dgst -sha256` on the same file — the physical
//! limit, hashing the signed bytes — and with poppler's `pdfsig` when
//! installed; many small signed PDFs compare one `vanthu verify` over all
//! of them, and one process per file, with `pdfsig` per file.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::Context;
use lopdf::{Document, Object, Stream, dictionary};
use openssl::asn1::Asn1Time;
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::rsa::Rsa;
use openssl::x509::{X509, X509NameBuilder};

use crate::sign::{self, Credentials, SignOptions};

/// What to measure.
#[derive(Debug, Clone)]
pub struct BenchOptions {
    /// Size of the large file, in MB.
    pub size_mb: usize,
    /// How many small files.
    pub small: usize,
    /// Timed runs per measurement (the median is reported).
    pub runs: usize,
    /// Where to write the files (a temporary folder when None).
    pub dir: Option<PathBuf>,
}

fn credentials() -> anyhow::Result<Credentials> {
    let key = PKey::from_rsa(Rsa::generate(2048)?)?;
    let mut name = X509NameBuilder::new()?;
    name.append_entry_by_text("CN", "Benchmark Signer")?;
    let name = name.build();
    let mut b = X509::builder()?;
    b.set_version(2)?;
    let serial = BigNum::from_u32(1)?.to_asn1_integer()?;
    b.set_serial_number(&serial)?;
    b.set_subject_name(&name)?;
    b.set_issuer_name(&name)?;
    b.set_pubkey(&key)?;
    let (from, to) = (Asn1Time::days_from_now(0)?, Asn1Time::days_from_now(365)?);
    b.set_not_before(&from)?;
    b.set_not_after(&to)?;
    b.sign(&key, MessageDigest::sha256())?;
    Ok(Credentials {
        key,
        cert: b.build(),
        chain: vec![],
    })
}

/// A one-page PDF carrying an uncompressed image of about `bytes` bytes of noise.
fn pdf_with_image(bytes: usize, seed: u64) -> anyhow::Result<Vec<u8>> {
    let side = ((bytes / 3) as f64).sqrt().max(1.0) as usize;
    let mut data = vec![0u8; side * side * 3];
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    for chunk in data.chunks_mut(8) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        for (i, b) in chunk.iter_mut().enumerate() {
            *b = (x >> (i * 8)) as u8;
        }
    }
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let img = doc.add_object(Stream::new(
        dictionary! { "Type" => "XObject", "Subtype" => "Image", "Width" => side as i64, "Height" => side as i64,
            "ColorSpace" => "DeviceRGB", "BitsPerComponent" => 8 },
        data,
    ));
    let content = doc.add_object(Stream::new(
        dictionary! {},
        b"q 500 0 0 500 50 300 cm /Im1 Do Q".to_vec(),
    ));
    let page = doc.add_object(dictionary! {
        "Type" => "Page", "Parent" => pages_id, "Contents" => content,
        "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        "Resources" => dictionary! { "XObject" => dictionary! { "Im1" => img } },
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => vec![page.into()], "Count" => 1 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out)?;
    Ok(out)
}

fn signed(bytes: usize, seed: u64, creds: &Credentials) -> anyhow::Result<Vec<u8>> {
    let pdf = pdf_with_image(bytes, seed)?;
    let opts = SignOptions::pades_now("Signature1", None);
    Ok(sign::sign(&pdf, creds, &opts)?)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time_cmd(runs: usize, mut make: impl FnMut() -> Command) -> anyhow::Result<(Duration, String)> {
    let mut last = String::new();
    // One warm-up run: the file is in the page cache for every contender.
    let out = make()
        .output()
        .context("cannot run the benchmark command")?;
    last.push_str(&String::from_utf8_lossy(&out.stderr));
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let out = make().output()?;
        times.push(t.elapsed());
        last = String::from_utf8_lossy(&out.stderr).into_owned();
    }
    Ok((median(times), last))
}

fn peak_kb(stderr: &str) -> Option<u64> {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak_rss_kb="))
        .and_then(|v| v.trim().parse().ok())
}

fn have(cmd: &str) -> bool {
    Command::new(cmd).arg("-v").output().is_ok()
}

/// Run the benchmarks; returns a Markdown report.
pub fn run(opts: &BenchOptions) -> anyhow::Result<String> {
    let tmp;
    let dir: &Path = match &opts.dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d
        }
        None => {
            tmp = tempdir()?;
            &tmp
        }
    };
    let exe = std::env::current_exe()?;
    let creds = credentials()?;
    let cert_path = dir.join("bench-signer.pem");
    std::fs::write(&cert_path, creds.cert.to_pem()?)?;
    let verify_cmd = |files: &[PathBuf]| {
        let mut c = Command::new(&exe);
        c.args([
            "verify",
            "--json",
            "--no-default-trust",
            "--accept-unknown-revocation",
            "--peak-memory",
            "--trust",
        ])
        .arg(&cert_path)
        .args(files);
        c
    };
    let mut md = String::new();
    md.push_str(&format!(
        "Measured {} on {} cores; median of {} runs after a warm-up run.\n\n",
        chrono::Utc::now().format("%Y-%m-%d"),
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        opts.runs
    ));

    md.push_str(&large_file(dir, opts, &creds, &verify_cmd)?);
    md.push_str(&small_files(dir, opts, &creds, &verify_cmd)?);
    Ok(md)
}

/// A command running `vanthu verify` over some files.
type VerifyCmd<'a> = &'a dyn Fn(&[PathBuf]) -> Command;

/// The large file's section: one signed PDF of `opts.size_mb` MB, timed
/// against `openssl dgst` (and `pdfsig`), with the peak memory.
fn large_file(
    dir: &Path,
    opts: &BenchOptions,
    creds: &Credentials,
    verify_cmd: VerifyCmd,
) -> anyhow::Result<String> {
    let mut md = String::new();
    let big = dir.join("large-signed.pdf");
    std::fs::write(&big, signed(opts.size_mb * 1_000_000, 1, creds)?)?;
    let size = std::fs::metadata(&big)?.len();
    let check = verify_cmd(std::slice::from_ref(&big)).output()?;
    let rep: serde_json::Value =
        serde_json::from_slice(&check.stdout).context("vanthu verify output")?;
    anyhow::ensure!(
        rep["status"] == "valid",
        "the benchmark file does not verify: {}",
        rep
    );
    let (t_dgst, _) = time_cmd(opts.runs, || {
        let mut c = Command::new("openssl");
        c.args(["dgst", "-sha256"]).arg(&big);
        c
    })?;
    let (t_vt, err) = time_cmd(opts.runs, || verify_cmd(std::slice::from_ref(&big)))?;
    let peak = peak_kb(&err).unwrap_or(0);
    md.push_str(&format!(
        "## One {:.1} MB signed PDF (image streams, one RSA-2048 signature)\n\n",
        size as f64 / 1e6
    ));
    md.push_str("| command | median time | ratio to `openssl dgst -sha256` |\n|---|---|---|\n");
    md.push_str(&format!(
        "| `openssl dgst -sha256` | {:.1} ms | 1.00 |\n",
        t_dgst.as_secs_f64() * 1e3
    ));
    md.push_str(&format!(
        "| `vanthu verify` | {:.1} ms | {:.2} |\n",
        t_vt.as_secs_f64() * 1e3,
        t_vt.as_secs_f64() / t_dgst.as_secs_f64()
    ));
    if have("pdfsig") {
        let (t_ps, _) = time_cmd(opts.runs, || {
            let mut c = Command::new("pdfsig");
            c.arg(&big);
            c
        })?;
        md.push_str(&format!(
            "| `pdfsig` | {:.1} ms | {:.2} |\n",
            t_ps.as_secs_f64() * 1e3,
            t_ps.as_secs_f64() / t_dgst.as_secs_f64()
        ));
    }
    md.push_str(&format!(
        "\nPeak memory of `vanthu verify` (VmHWM): {:.1} MB = {:.2} × the file size.\n\n",
        peak as f64 / 1024.0,
        peak as f64 * 1024.0 / size as f64
    ));
    Ok(md)
}

/// The small files' section: `opts.small` signed PDFs, verified in one
/// invocation and one process per file (and by `pdfsig` per file).
fn small_files(
    dir: &Path,
    opts: &BenchOptions,
    creds: &Credentials,
    verify_cmd: VerifyCmd,
) -> anyhow::Result<String> {
    let mut md = String::new();
    let small_dir = dir.join("small");
    std::fs::create_dir_all(&small_dir)?;
    let mut files = Vec::new();
    for i in 0..opts.small {
        let p = small_dir.join(format!("small-{i:04}.pdf"));
        std::fs::write(&p, signed(30_000, i as u64 + 2, creds)?)?;
        files.push(p);
    }
    let avg = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum::<u64>()
        / files.len().max(1) as u64;
    let (t_batch, _) = time_cmd(opts.runs, || verify_cmd(&files))?;
    let t0 = Instant::now();
    for f in &files {
        verify_cmd(std::slice::from_ref(f)).output()?;
    }
    let t_each = t0.elapsed();
    md.push_str(&format!(
        "## {} small signed PDFs (about {} KB each, RSA-2048)\n\n",
        files.len(),
        avg / 1000
    ));
    md.push_str("| command | time for all | files per second |\n|---|---|---|\n");
    let fps = |d: Duration| files.len() as f64 / d.as_secs_f64();
    md.push_str(&format!(
        "| `vanthu verify` once over all files | {:.0} ms | {:.0} |\n",
        t_batch.as_secs_f64() * 1e3,
        fps(t_batch)
    ));
    md.push_str(&format!(
        "| `vanthu verify` once per file | {:.0} ms | {:.0} |\n",
        t_each.as_secs_f64() * 1e3,
        fps(t_each)
    ));
    if have("pdfsig") {
        let t0 = Instant::now();
        for f in &files {
            Command::new("pdfsig").arg(f).output()?;
        }
        let t_ps = t0.elapsed();
        md.push_str(&format!(
            "| `pdfsig` once per file | {:.0} ms | {:.0} |\n",
            t_ps.as_secs_f64() * 1e3,
            fps(t_ps)
        ));
        md.push_str(&format!(
            "\nRatios to `pdfsig` per file: one invocation {:.1}×, one process per file {:.1}×.\n",
            fps(t_batch) / fps(t_ps),
            fps(t_each) / fps(t_ps)
        ));
    } else {
        md.push_str("\n`pdfsig` is not installed (Debian: poppler-utils); its rows are missing.\n");
    }
    Ok(md)
}

/// The hostile-file benchmark: each file of [`crate::sigverify::hostile::all`] is
/// verified in its own process, timed (median of `runs`) and its peak
/// memory read, against an honest signed PDF of the same size measured the
/// same way in the same run.
pub fn run_hostile(runs: usize, dir: Option<&Path>) -> anyhow::Result<String> {
    let tmp;
    let dir: &Path = match dir {
        Some(d) => {
            std::fs::create_dir_all(d)?;
            d
        }
        None => {
            tmp = tempdir()?;
            &tmp
        }
    };
    let exe = std::env::current_exe()?;
    let creds = credentials()?;
    let verify = |file: &Path| {
        let mut c = Command::new(&exe);
        c.args([
            "verify",
            "--json",
            "--no-default-trust",
            "--accept-unknown-revocation",
            "--peak-memory",
        ])
        .arg(file);
        c
    };
    let mut md = format!(
        "Measured {} on {} cores; each file verified in its own process, median of {} runs after a warm-up run, \
         against an honest signed PDF of the same size (one RSA-2048 signature over an image) measured the same way.\n\n",
        chrono::Utc::now().format("%Y-%m-%d"),
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        runs
    );
    md.push_str("| hostile file | what it does | size | time | × honest | peak memory | × honest | report |\n|---|---|---|---|---|---|---|---|\n");
    for h in crate::sigverify::hostile::all() {
        let hp = dir.join(format!("{}.pdf", h.name));
        std::fs::write(&hp, &h.bytes)?;
        let honest = dir.join(format!("{}-honest.pdf", h.name));
        std::fs::write(&honest, signed(h.bytes.len().max(2_000), 7, &creds)?)?;
        let (t_h, err_h) = time_cmd(runs, || verify(&hp))?;
        let (t_o, err_o) = time_cmd(runs, || verify(&honest))?;
        let out = verify(&hp).output()?;
        let rep: serde_json::Value =
            serde_json::from_slice(out.stdout.split(|b| *b == b'\n').next().unwrap_or_default())
                .unwrap_or_default();
        let codes: Vec<String> = rep["problems"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|p| p["code"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let (m_h, m_o) = (peak_kb(&err_h).unwrap_or(0), peak_kb(&err_o).unwrap_or(1));
        md.push_str(&format!(
            "| `{}` | {} | {:.0} KB | {:.1} ms | {:.2} | {:.1} MB | {:.2} | {} {} |\n",
            h.name,
            h.what,
            h.bytes.len() as f64 / 1000.0,
            t_h.as_secs_f64() * 1e3,
            t_h.as_secs_f64() / t_o.as_secs_f64(),
            m_h as f64 / 1024.0,
            m_h as f64 / m_o as f64,
            rep["status"].as_str().unwrap_or("?"),
            codes.join(", ")
        ));
    }
    Ok(md)
}

fn tempdir() -> anyhow::Result<PathBuf> {
    let mut r = [0u8; 8];
    openssl::rand::rand_bytes(&mut r)?;
    let d = std::env::temp_dir().join(format!("vanthu-bench-{}", hex::encode(r)));
    std::fs::create_dir_all(&d)?;
    Ok(d)
}

/// The log benchmark: sequencing `entries` public events on SQLite against
/// inserting the same rows without the tree, then inclusion proofs at that size.
pub fn run_log(entries: usize) -> anyhow::Result<String> {
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async move {
        use sea_orm::ConnectionTrait;
        let dir = tempdir()?;
        let db = crate::db::open(&format!("sqlite://{}?mode=rwc", dir.join("bench.db").display())).await?;
        let log = crate::public::log::Log::open(db.clone(), &dir, "bench.local/log")?;
        let now = chrono::Utc::now();
        log.enqueue_synthetic(entries, now).await?;
        let t = Instant::now();
        let mut size = 0;
        while size < entries as u64 {
            size = log.integrate(now).await?;
        }
        let t_log = t.elapsed();
        // Baseline: the same rows, batched the same way, without any tree.
        db.execute_unprepared("CREATE TABLE bench_plain (idx BIGINT PRIMARY KEY, data TEXT NOT NULL, leaf_hash TEXT NOT NULL)").await?;
        let t = Instant::now();
        for batch in (0..entries).step_by(20_000) {
            let txn = crate::db::begin_write(&db).await?;
            let end = (batch + 20_000).min(entries);
            for start in (batch..end).step_by(200) {
                let k = (end - start).min(200);
                let marks = vec!["(?, ?, ?)"; k].join(",");
                let mut vals: Vec<sea_orm::Value> = Vec::with_capacity(k * 3);
                for i in start..start + k {
                    let data = format!("{{\"bench\":{i},\"subject\":\"Văn bản thử {i}\"}}");
                    let lh = hex::encode(crate::tlog::merkle::leaf_hash(data.as_bytes()));
                    vals.extend([(i as i64).into(), data.into(), lh.into()]);
                }
                txn.execute_raw(crate::registry::sql::stmt(txn.get_database_backend(), &format!("INSERT INTO bench_plain (idx, data, leaf_hash) VALUES {marks}"), vals)).await?;
            }
            txn.commit().await?;
        }
        let t_plain = t.elapsed();
        let t = Instant::now();
        let note = log.checkpoint(now).await?;
        let t_cp = t.elapsed();
        let root = log.root(size).await?;
        // Inclusion proofs at the full size.
        let mut times = Vec::new();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..1000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let i = x % size;
            let t = Instant::now();
            let p = log.inclusion(i, size).await?;
            times.push(t.elapsed());
            if times.len() == 1 {
                let leaf = crate::tlog::merkle::leaf_hash(format!("{{\"bench\":{i},\"subject\":\"Văn bản thử {i}\"}}").as_bytes());
                crate::tlog::merkle::verify_inclusion(&leaf, i, size, &p, &root).map_err(|e| anyhow::anyhow!("{e}"))?;
            }
        }
        times.sort();
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        let rate = |d: Duration| entries as f64 / d.as_secs_f64();
        let _ = std::fs::remove_dir_all(&dir);
        Ok(format!(
            "## Transparency log, {entries} entries on SQLite\n\n\
             | measure | value |\n|---|---|\n\
             | sequencing (leaf + every subtree hash, batches of 20 000) | {:.0} entries/s |\n\
             | baseline: the same rows without the tree | {:.0} rows/s |\n\
             | ratio log / baseline | {:.2} |\n\
             | signing a checkpoint (with the consistency check) | {:.1} ms |\n\
             | inclusion proof at size {size}: median | {:.0} µs |\n\
             | inclusion proof at size {size}: 99th percentile | {:.0} µs |\n\n\
             Checkpoint: `{}`\n",
            rate(t_log),
            rate(t_plain),
            rate(t_log) / rate(t_plain),
            t_cp.as_secs_f64() * 1e3,
            us(times[times.len() / 2]),
            us(times[times.len() * 99 / 100]),
            note.lines().nth(1).unwrap_or("")
        ))
    })
}
