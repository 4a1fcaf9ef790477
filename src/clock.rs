//! Time: an injectable clock, and Vietnam time (UTC+7, no daylight saving),
//! in which registers change year at 00:00 on 1 January (Decree 30 Art. 15).

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};

/// Vietnam's offset from UTC: +07:00 all year.
pub fn vietnam() -> FixedOffset {
    // 7 * 3600 is within ±86 400 s, so `east_opt` cannot return None.
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// The calendar date in Vietnam at instant `t`.
pub fn vn_date(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&vietnam()).date_naive()
}

/// The register year in Vietnam at instant `t`.
pub fn vn_year(t: DateTime<Utc>) -> i32 {
    vn_date(t).year()
}

/// Where "now" comes from. The server uses the system clock; tests inject one.
#[derive(Clone, Default)]
pub struct Clock {
    fixed: Option<Arc<Mutex<DateTime<Utc>>>>,
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.fixed {
            None => f.write_str("Clock(system)"),
            Some(_) => f.write_str("Clock(fixed)"),
        }
    }
}

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self { fixed: None }
    }

    /// A clock stopped at `t`, movable with [`Clock::set`].
    pub fn fixed(t: DateTime<Utc>) -> Self {
        Self {
            fixed: Some(Arc::new(Mutex::new(t))),
        }
    }

    /// Move a fixed clock to `t`; no effect on the system clock.
    pub fn set(&self, t: DateTime<Utc>) {
        if let Some(m) = &self.fixed {
            *m.lock().unwrap_or_else(|p| p.into_inner()) = t;
        }
    }

    /// The current instant.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.fixed {
            None => Utc::now(),
            Some(m) => *m.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Today's date in Vietnam.
    pub fn today_vn(&self) -> NaiveDate {
        vn_date(self.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_turns_at_vietnam_midnight() {
        let before: DateTime<Utc> = "2024-12-31T16:59:59Z".parse().expect("valid");
        let after: DateTime<Utc> = "2024-12-31T17:00:00Z".parse().expect("valid");
        assert_eq!(vn_year(before), 2024);
        assert_eq!(vn_year(after), 2025);
    }
}
