//! `vanthu bench`: the verifier against openssl and pdfsig, the log, or
//! the hostile-file generators (ratios against baselines of the same run,
//! written as Markdown).

/// Measure the verifier against openssl dgst and pdfsig (ratios, written as Markdown)
#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
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
}

/// Run the benchmark asked for and print its Markdown.
pub fn run(a: BenchArgs) -> anyhow::Result<u8> {
    let md = if let Some(n) = a.log_entries {
        crate::bench::run_log(n.max(1))?
    } else if a.hostile {
        crate::bench::run_hostile(a.runs.max(1), a.dir.as_deref())?
    } else {
        crate::bench::run(&crate::bench::BenchOptions {
            size_mb: a.size_mb,
            small: a.small,
            runs: a.runs.max(1),
            dir: a.dir,
        })?
    };
    println!("{md}");
    Ok(0)
}
