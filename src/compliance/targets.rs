//! The metrics' ids and the plan's target rates, changed per deployment
//! in the configuration. A leaf: the configuration reads it, nothing here
//! reads anything of vanthu.

use std::collections::BTreeMap;

/// The metrics, by stable id.
pub const METRICS: &[(&str, f64, &str)] = &[
    (
        "e_signature",
        1.0,
        "electronic non-secret documents whose current verification is valid / electronic non-secret documents",
    ),
    (
        "dual_signature",
        1.0,
        "electronic outgoing documents with a valid person and a valid organisation signature / electronic outgoing documents",
    ),
    (
        "electronic_exchange",
        1.0,
        "documents exchanged with state agencies electronically / non-secret documents exchanged with state agencies",
    ),
    (
        "signer_coverage",
        1.0,
        "active officials who signed at least one document validly in the period / active officials",
    ),
    (
        "on_time",
        0.99,
        "incoming documents resolved by their deadline / incoming documents whose deadline falls in the period",
    ),
    (
        "digitisation",
        0.70,
        "paper documents with a scanned file / paper documents",
    ),
];

/// The target rate of each metric: the 2024 plan's by default
/// ([`METRICS`]), changed per deployment in the configuration
/// (`[targets]` in the TOML file, or `VANTHU_TARGETS="on_time=0.95,…"`).
#[derive(Debug, Clone, PartialEq)]
pub struct Targets(BTreeMap<&'static str, f64>);

impl Default for Targets {
    fn default() -> Self {
        Self(METRICS.iter().map(|(id, t, _)| (*id, *t)).collect())
    }
}

impl Targets {
    /// The target of metric `id` (0 for an unknown id).
    pub fn get(&self, id: &str) -> f64 {
        self.0.get(id).copied().unwrap_or(0.0)
    }

    /// Set one target: `id` must be a metric id and `rate` a fraction
    /// between 0 and 1 (0.99 for 99%).
    pub fn set(&mut self, id: &str, rate: f64) -> std::result::Result<(), String> {
        let Some((known, _, _)) = METRICS.iter().find(|(m, _, _)| *m == id) else {
            let ids: Vec<&str> = METRICS.iter().map(|(m, _, _)| *m).collect();
            return Err(format!(
                "unknown metric {id:?} in the targets; the metrics are {}",
                ids.join(", ")
            ));
        };
        if !(0.0..=1.0).contains(&rate) || rate.is_nan() {
            return Err(format!(
                "the target for {id} must be a fraction between 0 and 1 (0.99 for 99%), got {rate}"
            ));
        }
        self.0.insert(known, rate);
        Ok(())
    }

    /// Apply `id=rate` pairs separated by commas, e.g. `on_time=0.95,digitisation=0.8`.
    pub fn apply_spec(&mut self, spec: &str) -> std::result::Result<(), String> {
        for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (id, rate) = part
                .split_once('=')
                .ok_or_else(|| format!("a target must read id=rate, got {part:?}"))?;
            let rate: f64 = rate.trim().parse().map_err(|_| {
                format!(
                    "the target for {} is not a number: {:?}",
                    id.trim(),
                    rate.trim()
                )
            })?;
            self.set(id.trim(), rate)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_default_to_the_plan_and_refuse_bad_values() {
        let mut t = Targets::default();
        assert_eq!(t.get("on_time"), 0.99);
        assert_eq!(t.get("digitisation"), 0.70);
        assert_eq!(t.get("e_signature"), 1.0);
        t.apply_spec(" on_time = 0.95, digitisation=0.8 ")
            .expect("valid");
        assert_eq!((t.get("on_time"), t.get("digitisation")), (0.95, 0.8));
        assert!(
            t.apply_spec("on_time=95")
                .expect_err("refused")
                .contains("between 0 and 1")
        );
        assert!(
            t.apply_spec("speed=0.5")
                .expect_err("refused")
                .contains("unknown metric")
        );
        assert!(
            t.apply_spec("on_time")
                .expect_err("refused")
                .contains("id=rate")
        );
        assert!(
            t.apply_spec("on_time=abc")
                .expect_err("refused")
                .contains("not a number")
        );
        assert!(t.set("on_time", f64::NAN).is_err());
        // A refused spec changed nothing after the last good value.
        assert_eq!(t.get("on_time"), 0.95);
    }
}
