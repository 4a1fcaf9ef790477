//! The work one verification may cost: every parser step draws from one
//! per-document budget of parsed items, bytes read or decompressed and wall
//! time, and stops when the caller cancels. A hostile file therefore ends
//! in a report (with a `RESOURCE_LIMIT` or `MALFORMED_PDF` problem), never
//! in an exhausted process.

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How much work one document may cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Objects produced by the parser, counted once per node (memory held
    /// by the object cache is bounded by this).
    pub parsed_items: u64,
    /// Object nodes handed out to the verifier, cached copies included.
    pub handed_items: u64,
    /// Bytes read to parse objects and tables plus bytes decompressed.
    pub bytes: u64,
    /// Wall time.
    pub time: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            parsed_items: 4_000_000,
            handed_items: 40_000_000,
            bytes: 512 << 20,
            time: Duration::from_secs(60),
        }
    }
}

/// Which limit ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exhausted {
    /// Too many objects parsed.
    ParsedItems,
    /// Too many object nodes handed out.
    HandedItems,
    /// Too many bytes parsed or decompressed.
    Bytes,
    /// The wall-time limit passed.
    Time,
    /// The caller gave up (its request was dropped or the server is stopping).
    Cancelled,
}

impl Exhausted {
    /// Whether the file itself is to blame (as opposed to the clock or the caller).
    pub fn is_structural(self) -> bool {
        matches!(self, Self::ParsedItems | Self::HandedItems | Self::Bytes)
    }

    /// A sentence for the report.
    pub fn describe(self, l: &Limits) -> String {
        match self {
            Self::ParsedItems => format!(
                "the file holds more than {} PDF objects to read",
                l.parsed_items
            ),
            Self::HandedItems => format!(
                "reading the file's structure needs more than {} object lookups (objects shared or referenced pathologically)",
                l.handed_items
            ),
            Self::Bytes => format!(
                "reading the file's structure needs more than {} MB of parsing or decompression",
                l.bytes >> 20
            ),
            Self::Time => format!("verification took longer than {} s", l.time.as_secs_f64()),
            Self::Cancelled => "verification was cancelled".to_string(),
        }
    }
}

/// A cancellation flag shared with the caller.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// A new flag, not set.
    pub fn new() -> Self {
        Self::default()
    }
    /// Ask the verification to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    /// Whether it was asked to stop.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// The running account of one document.
#[derive(Debug)]
pub struct Budget {
    limits: Limits,
    parsed: Cell<u64>,
    handed: Cell<u64>,
    bytes: Cell<u64>,
    deadline: Instant,
    cancel: Option<Cancel>,
    exhausted: Cell<Option<Exhausted>>,
}

impl Budget {
    /// A fresh budget starting now.
    pub fn new(limits: Limits, cancel: Option<Cancel>) -> Self {
        let now = Instant::now();
        Self {
            limits,
            parsed: Cell::new(0),
            handed: Cell::new(0),
            bytes: Cell::new(0),
            deadline: now.checked_add(limits.time).unwrap_or(now),
            cancel,
            exhausted: Cell::new(None),
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// The first limit that ran out, if any.
    pub fn exhausted(&self) -> Option<Exhausted> {
        self.exhausted.get()
    }

    fn fail(&self, why: Exhausted) -> Result<(), Exhausted> {
        if self.exhausted.get().is_none() {
            self.exhausted.set(Some(why));
        }
        Err(self.exhausted.get().unwrap_or(why))
    }

    /// Check the clock and the cancellation flag (and whether an earlier
    /// draw already failed: once spent, a budget stays spent).
    pub fn check(&self) -> Result<(), Exhausted> {
        if let Some(e) = self.exhausted.get() {
            return Err(e);
        }
        if self.cancel.as_ref().is_some_and(Cancel::is_cancelled) {
            return self.fail(Exhausted::Cancelled);
        }
        if Instant::now() >= self.deadline {
            return self.fail(Exhausted::Time);
        }
        Ok(())
    }

    fn draw(&self, cell: &Cell<u64>, n: u64, max: u64, why: Exhausted) -> Result<(), Exhausted> {
        self.check()?;
        let v = cell.get().saturating_add(n);
        cell.set(v);
        if v > max {
            return self.fail(why);
        }
        Ok(())
    }

    /// Account for `n` object nodes produced by the parser.
    pub fn parsed(&self, n: u64) -> Result<(), Exhausted> {
        self.draw(
            &self.parsed,
            n,
            self.limits.parsed_items,
            Exhausted::ParsedItems,
        )
    }

    /// Account for `n` object nodes handed to a caller.
    pub fn handed(&self, n: u64) -> Result<(), Exhausted> {
        self.draw(
            &self.handed,
            n,
            self.limits.handed_items,
            Exhausted::HandedItems,
        )
    }

    /// Account for `n` bytes read for parsing or produced by decompression.
    pub fn bytes(&self, n: u64) -> Result<(), Exhausted> {
        self.draw(&self.bytes, n, self.limits.bytes, Exhausted::Bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_until_spent_and_stays_spent() {
        let b = Budget::new(
            Limits {
                parsed_items: 10,
                ..Limits::default()
            },
            None,
        );
        assert!(b.parsed(6).is_ok());
        assert_eq!(b.parsed(6), Err(Exhausted::ParsedItems));
        assert_eq!(b.bytes(1), Err(Exhausted::ParsedItems), "spent stays spent");
        assert_eq!(b.exhausted(), Some(Exhausted::ParsedItems));
    }

    #[test]
    fn cancellation_and_time() {
        let c = Cancel::new();
        let b = Budget::new(Limits::default(), Some(c.clone()));
        assert!(b.check().is_ok());
        c.cancel();
        assert_eq!(b.check(), Err(Exhausted::Cancelled));
        let t = Budget::new(
            Limits {
                time: Duration::ZERO,
                ..Limits::default()
            },
            None,
        );
        assert_eq!(t.bytes(1), Err(Exhausted::Time));
    }
}
