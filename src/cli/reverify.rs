//! `vanthu reverify`: verify stored documents again after a trust or CRL
//! change (earlier reports are kept).

use crate::config::Config;

/// Re-verify stored documents after a trust or CRL change (earlier reports are kept)
#[derive(Debug, Clone, clap::Args)]
pub struct ReverifyArgs {
    /// Only documents registered on or after this date (YYYY-MM-DD)
    #[arg(long)]
    since: Option<chrono::NaiveDate>,
}

/// Re-verify, with a progress bar; exit 1 when any verification failed.
pub async fn run(config: &Config, a: ReverifyArgs) -> anyhow::Result<u8> {
    let reg = super::open(config).await?;
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} documents ({eta} left)")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let r = reg
        .reverify(a.since, |done, total| {
            bar.set_length(total);
            bar.set_position(done);
        })
        .await?;
    bar.finish_and_clear();
    println!("{}", serde_json::to_string(&r)?);
    Ok(if r.failed == 0 { 0 } else { 1 })
}
