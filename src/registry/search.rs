//! The folded search texts stored with each document: the staff text (every
//! field a clerk searches by) and the public text (only the fields the
//! public projection shows, and nothing at all for a document the public
//! may not see). Both are recomputed from the row on every write, so a
//! former handler's name does not stay findable; rows written under an
//! older recipe are rebuilt once at start.

use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TryIntoModel,
};

use super::error::{Error, Result};
use crate::entity::documents;
use crate::text::fold;

/// The recipe of the texts; rows with a lower `search_version` are rebuilt.
pub const SEARCH_VERSION: i16 = 1;

/// The fields the texts are made of.
#[derive(Debug, Default)]
pub struct SearchFields<'a> {
    /// Số, ký hiệu.
    pub number_symbol: Option<&'a str>,
    /// Type name.
    pub doc_type: &'a str,
    /// Type abbreviation.
    pub doc_type_abbr: Option<&'a str>,
    /// Issuing body.
    pub issuer: &'a str,
    /// Trích yếu.
    pub subject: &'a str,
    /// Recipients.
    pub recipients: &'a [String],
    /// Signer named by the clerk (staff only).
    pub signer_name: Option<&'a str>,
    /// Handler (staff only).
    pub handler: Option<&'a str>,
    /// Notes (staff only).
    pub notes: Option<&'a str>,
    /// The reply's number/symbol (staff only).
    pub reply_number_symbol: Option<&'a str>,
    /// Whether the public may see the document at all.
    pub public: bool,
}

/// The two folded texts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTexts {
    /// What staff search.
    pub staff: String,
    /// What the public search (empty for a document it may not see).
    pub public: String,
}

/// Fold the fields into the two texts.
pub fn texts(f: &SearchFields<'_>) -> SearchTexts {
    let recipients = f.recipients.join(" ");
    let shown = [
        f.number_symbol.unwrap_or(""),
        f.doc_type,
        f.doc_type_abbr.unwrap_or(""),
        f.issuer,
        f.subject,
        &recipients,
    ];
    let hidden = [
        f.signer_name.unwrap_or(""),
        f.handler.unwrap_or(""),
        f.notes.unwrap_or(""),
        f.reply_number_symbol.unwrap_or(""),
    ];
    let public = if f.public {
        fold(&shown.join(" "))
    } else {
        String::new()
    };
    let mut all: Vec<&str> = shown.to_vec();
    all.extend(hidden);
    SearchTexts {
        staff: fold(&all.join(" ")),
        public,
    }
}

/// The texts of a stored row.
pub fn texts_of(m: &documents::Model) -> SearchTexts {
    let recipients: Vec<String> = serde_json::from_str(&m.recipients).unwrap_or_default();
    texts(&SearchFields {
        number_symbol: m.number_symbol.as_deref(),
        doc_type: &m.doc_type,
        doc_type_abbr: m.doc_type_abbr.as_deref(),
        issuer: &m.issuer,
        subject: &m.subject,
        recipients: &recipients,
        signer_name: m.signer_name.as_deref(),
        handler: m.handler.as_deref(),
        notes: m.notes.as_deref(),
        reply_number_symbol: m.reply_number_symbol.as_deref(),
        public: m.secrecy == "none" && m.is_public,
    })
}

/// Set an updated row's search texts from its new values (every field of
/// `am` must be set or unchanged, as it is when built from a stored row).
pub fn refresh(am: &mut documents::ActiveModel) -> Result<()> {
    let m = am
        .clone()
        .try_into_model()
        .map_err(|e| Error::Internal(format!("document row incomplete for search: {e}")))?;
    let t = texts_of(&m);
    am.search_text = Set(t.staff);
    am.public_search = Set(t.public);
    am.search_version = Set(SEARCH_VERSION);
    Ok(())
}

/// Rebuild the texts of rows written under an older recipe; returns how many.
pub async fn ensure<C: ConnectionTrait>(db: &C) -> Result<u64> {
    let mut done = 0u64;
    loop {
        let rows = documents::Entity::find()
            .filter(documents::Column::SearchVersion.lt(SEARCH_VERSION))
            .order_by_asc(documents::Column::Id)
            .limit(1000)
            .all(db)
            .await?;
        if rows.is_empty() {
            return Ok(done);
        }
        for m in rows {
            let t = texts_of(&m);
            let mut am: documents::ActiveModel = m.into();
            am.search_text = Set(t.staff);
            am.public_search = Set(t.public);
            am.search_version = Set(SEARCH_VERSION);
            am.update(db).await?;
            done += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_fields_are_staff_only_and_secret_documents_have_no_public_text() {
        let rec = vec!["Kho bạc Nhà nước".to_string()];
        let f = SearchFields {
            number_symbol: Some("42/QĐ-UBND"),
            doc_type: "Quyết định",
            doc_type_abbr: Some("QĐ"),
            issuer: "Ủy ban nhân dân",
            subject: "Cải cách hành chính",
            recipients: &rec,
            signer_name: Some("Nguyễn Văn An"),
            handler: Some("Võ Thị Hạnh"),
            notes: Some("ghi chú nội bộ"),
            reply_number_symbol: None,
            public: true,
        };
        let t = texts(&f);
        assert!(t.public.contains("cai cach") && t.public.contains("kho bac"));
        for hidden in ["vo thi hanh", "nguyen van an", "noi bo"] {
            assert!(!t.public.contains(hidden), "{hidden} is not public");
            assert!(t.staff.contains(hidden), "{hidden} is searchable by staff");
        }
        let secret = texts(&SearchFields { public: false, ..f });
        assert_eq!(secret.public, "");
    }
}
