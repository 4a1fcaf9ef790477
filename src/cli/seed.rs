//! `vanthu seed`: a large synthetic data set for benchmarks.

use crate::config::Config;

/// Fill an empty data folder with a large synthetic data set for benchmarks
#[derive(Debug, Clone, clap::Args)]
pub struct SeedArgs {
    /// How many documents
    #[arg(long, default_value_t = 10_000)]
    documents: usize,
    /// Register year
    #[arg(long, default_value_t = 2025)]
    year: i32,
    /// Then time the year's compliance grouped by unit against a plain COUNT(*)
    #[arg(long)]
    bench: bool,
}

/// Seed, then time when asked.
pub async fn run(config: &Config, a: SeedArgs) -> anyhow::Result<u8> {
    let SeedArgs {
        documents,
        year,
        bench,
    } = a;
    let reg = super::open(config).await?;
    if documents > 0 {
        let bar = indicatif::ProgressBar::new(documents as u64);
        let t = std::time::Instant::now();
        let sum = crate::seed::seed(&reg, documents, year, |k| bar.set_position(k as u64)).await?;
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
        println!("{}", crate::seed::bench(&reg, year, 5).await?);
    }
    Ok(0)
}
