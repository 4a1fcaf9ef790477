//! `vanthu sign`: sign a PDF (PAdES, as an incremental update).

use anyhow::Context;

#[derive(Debug, Clone, clap::Args)]
/// Sign a PDF (PAdES, as an incremental update: earlier signatures stay valid)
pub struct SignArgs {
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
    visible: Option<crate::sign::Placement>,
    /// Claimed signing time, RFC 3339 (default: now)
    #[arg(long, value_parser = super::parse_time)]
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

fn parse_placement(s: &str) -> Result<crate::sign::Placement, String> {
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
    Ok(crate::sign::Placement {
        page,
        rect: [x1, y1, x2, y2],
    })
}

/// Sign `input` into `output` (written whole or not at all).
pub fn run(args: SignArgs) -> anyhow::Result<u8> {
    use crate::sign;
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
