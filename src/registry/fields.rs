//! Reading request JSON objects field by field, so that every refusal names
//! its field: unknown keys, wrong types, empty or over-long text, bad dates
//! and values outside an enumeration each get their own error.

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::error::{Error, Result};
use crate::text::clean;

/// A JSON object whose keys have been checked against an allow-list.
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    /// Accept `v` if it is an object with only `allowed` keys.
    pub fn new(v: &'a Value, allowed: &[&str]) -> Result<Self> {
        let map = v.as_object().ok_or_else(|| {
            Error::bad_request(
                "malformed_json",
                None,
                "the request body must be a JSON object",
            )
        })?;
        if let Some(k) = map.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(Error::invalid(
                "unknown_field",
                k,
                format!(
                    "unknown field {k:?}; accepted fields: {}",
                    allowed.join(", ")
                ),
            ));
        }
        Ok(Self { map })
    }

    /// Whether the key is present (even as null).
    pub fn has(&self, name: &str) -> bool {
        self.map.contains_key(name)
    }

    fn raw(&self, name: &str) -> Option<&'a Value> {
        match self.map.get(name) {
            None | Some(Value::Null) => None,
            Some(v) => Some(v),
        }
    }

    /// Optional text: absent, null and blank are `None`; NFC, trimmed,
    /// whitespace collapsed; refused above `max` characters or with control characters.
    pub fn text(&self, name: &str, max: usize) -> Result<Option<String>> {
        let Some(v) = self.raw(name) else {
            return Ok(None);
        };
        let s = v.as_str().ok_or_else(|| {
            Error::invalid("invalid_type", name, format!("{name} must be a string"))
        })?;
        check_text(name, s, max)
    }

    /// Optional identifier (a number/symbol, a code): as [`Fields::text`],
    /// but an invisible character is refused rather than dropped.
    pub fn identifier(&self, name: &str, max: usize) -> Result<Option<String>> {
        let Some(v) = self.raw(name) else {
            return Ok(None);
        };
        let s = v.as_str().ok_or_else(|| {
            Error::invalid("invalid_type", name, format!("{name} must be a string"))
        })?;
        check_identifier(name, s, max)
    }

    /// Required, non-blank text.
    pub fn required_text(&self, name: &str, max: usize) -> Result<String> {
        self.text(name, max)?.ok_or_else(|| {
            Error::invalid(
                "missing_field",
                name,
                format!("{name} is required and must not be empty"),
            )
        })
    }

    /// Optional date `YYYY-MM-DD`.
    pub fn date(&self, name: &str) -> Result<Option<NaiveDate>> {
        let Some(s) = self.text(name, 10)? else {
            return Ok(None);
        };
        parse_date(name, &s).map(Some)
    }

    /// Optional value of a string enumeration.
    pub fn choice<T>(
        &self,
        name: &str,
        parse: fn(&str) -> Option<T>,
        choices: &str,
    ) -> Result<Option<T>> {
        let Some(s) = self.text(name, 40)? else {
            return Ok(None);
        };
        parse(&s).map(Some).ok_or_else(|| {
            Error::invalid(
                "invalid_value",
                name,
                format!("{name} must be one of: {choices}; got {s:?}"),
            )
        })
    }

    /// Optional positive integer up to `max`.
    pub fn count(&self, name: &str, max: i64) -> Result<Option<i32>> {
        let Some(v) = self.raw(name) else {
            return Ok(None);
        };
        match v.as_i64() {
            Some(n) if (1..=max).contains(&n) => Ok(i32::try_from(n).ok()),
            _ => Err(Error::invalid(
                "invalid_value",
                name,
                format!("{name} must be a whole number from 1 to {max}"),
            )),
        }
    }

    /// Optional list of non-blank strings.
    pub fn text_list(&self, name: &str, max_items: usize, max_len: usize) -> Result<Vec<String>> {
        let Some(v) = self.raw(name) else {
            return Ok(vec![]);
        };
        let items = v.as_array().ok_or_else(|| {
            Error::invalid(
                "invalid_type",
                name,
                format!("{name} must be a list of strings"),
            )
        })?;
        if items.len() > max_items {
            return Err(Error::invalid(
                "too_many",
                name,
                format!(
                    "{name} has {} items; at most {max_items} are accepted",
                    items.len()
                ),
            ));
        }
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let field = format!("{name}[{i}]");
            let s = item.as_str().ok_or_else(|| {
                Error::invalid("invalid_type", &field, format!("{field} must be a string"))
            })?;
            match check_text(&field, s, max_len)? {
                Some(s) => out.push(s),
                None => {
                    return Err(Error::invalid(
                        "missing_field",
                        &field,
                        format!("{field} must not be empty"),
                    ));
                }
            }
        }
        Ok(out)
    }
}

/// Clean free text: refuse control and bidirectional-override characters
/// (they make text display differently from what is stored), drop
/// zero-width and other invisible characters, NFC, trim, collapse
/// whitespace; refuse text without one visible character and over-long text.
pub fn check_text(name: &str, s: &str, max: usize) -> Result<Option<String>> {
    refuse_controls(name, s)?;
    let kept: String = s
        .chars()
        .filter(|c| !crate::text::is_invisible(*c))
        .collect();
    finish(name, &kept, max)
}

/// Clean an identifier (a number/symbol, a code): as [`check_text`], but
/// invisible characters are refused, not dropped — `125/QĐ-UBND` with a
/// hidden zero-width space is not `125/QĐ-UBND`, and must not pass for it.
pub fn check_identifier(name: &str, s: &str, max: usize) -> Result<Option<String>> {
    refuse_controls(name, s)?;
    if let Some(c) = s.chars().find(|c| crate::text::is_invisible(*c)) {
        return Err(Error::invalid(
            "invalid_value",
            name,
            format!(
                "{name} contains an invisible character (U+{:04X}); type it again without it",
                c as u32
            ),
        ));
    }
    finish(name, s, max)
}

fn refuse_controls(name: &str, s: &str) -> Result<()> {
    if s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Error::invalid(
            "invalid_value",
            name,
            format!("{name} contains control characters"),
        ));
    }
    if let Some(c) = s.chars().find(|c| crate::text::is_bidi_control(*c)) {
        return Err(Error::invalid(
            "invalid_value",
            name,
            format!(
                "{name} contains a text-direction control character (U+{:04X}), which makes it display differently from what is stored",
                c as u32
            ),
        ));
    }
    Ok(())
}

fn finish(name: &str, s: &str, max: usize) -> Result<Option<String>> {
    let s = clean(s);
    if s.is_empty() {
        return Ok(None);
    }
    if !s.chars().any(crate::text::is_visible) {
        return Err(Error::invalid(
            "invalid_value",
            name,
            format!("{name} has no visible character"),
        ));
    }
    let n = s.chars().count();
    if n > max {
        return Err(Error::invalid(
            "too_long",
            name,
            format!("{name} has {n} characters; at most {max} are accepted"),
        ));
    }
    Ok(Some(s))
}

/// Parse a calendar date written `YYYY-MM-DD`.
pub fn parse_date(name: &str, s: &str) -> Result<NaiveDate> {
    let ok_shape = s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-';
    match (ok_shape, NaiveDate::parse_from_str(s, "%Y-%m-%d")) {
        (true, Ok(d)) => Ok(d),
        _ => Err(Error::invalid(
            "invalid_date",
            name,
            format!("{name} must be a calendar date written YYYY-MM-DD; got {s:?}"),
        )),
    }
}
