//! The register searches' query parameters: the staff's and the public's
//! (only filters on fields the public projection shows).

use super::AppState;
use super::extract::{FromQuery, Pairs};
use crate::registry::Error;
use crate::registry::documents::ListQuery;

const LIST_PARAMS: &[&str] = &[
    "q",
    "direction",
    "year",
    "unit",
    "doc_type",
    "status",
    "secrecy",
    "urgency",
    "channel",
    "counterpart",
    "from",
    "to",
    "page",
    "per_page",
];

/// The staff register search (`GET /api/v1/documents`).
#[derive(Debug, Clone)]
pub struct StaffSearch(pub ListQuery);

impl FromQuery for StaffSearch {
    const ALLOWED: &'static [&'static str] = LIST_PARAMS;
    fn from_query(q: &Pairs, _: &AppState) -> Result<Self, Error> {
        Ok(Self(list_query_of(q)?))
    }
}

/// The filters the public may use: only fields its projection shows
/// (no unit, urgency or secrecy, which would let a visitor test guesses
/// about hidden fields).
pub const PUBLIC_LIST_PARAMS: &[&str] = &[
    "q",
    "direction",
    "year",
    "doc_type",
    "status",
    "channel",
    "counterpart",
    "from",
    "to",
    "page",
    "per_page",
];

/// The public search (`GET /public/v1/documents`).
#[derive(Debug, Clone)]
pub struct PublicSearch(pub ListQuery);

impl FromQuery for PublicSearch {
    const ALLOWED: &'static [&'static str] = PUBLIC_LIST_PARAMS;
    fn from_query(q: &Pairs, _: &AppState) -> Result<Self, Error> {
        Ok(Self(list_query_of(q)?))
    }
}

/// The search filters from checked pairs (empty values count as absent).
fn list_query_of(p: &Pairs) -> Result<ListQuery, Error> {
    Ok(ListQuery {
        q: p.get("q"),
        direction: p.get("direction"),
        year: p.num("year")?,
        unit: p.get("unit"),
        doc_type: p.get("doc_type"),
        status: p.get("status"),
        secrecy: p.get("secrecy"),
        urgency: p.get("urgency"),
        channel: p.get("channel"),
        counterpart: p.get("counterpart"),
        from: p.get("from"),
        to: p.get("to"),
        page: p.num("page")?,
        per_page: p.num("per_page")?,
    })
}
