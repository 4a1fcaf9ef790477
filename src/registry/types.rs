//! The vocabulary of the registers: directions, series, levels of secrecy and
//! urgency, channels, handling status, roles, and the document-type table of
//! Decree 30/2020 Phụ lục III with its abbreviations.

use crate::text::fold;

macro_rules! str_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $s:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $s)] $var),+
        }
        // The schema is written here, not derived: the derive cannot read
        // the spellings through the macro and would publish the variant
        // names instead of what the API sends.
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some([$($s),+]))
                    .into()
            }
        }
        impl utoipa::ToSchema for $name {}
        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            /// The wire and database spelling.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$var => $s),+ }
            }
            /// Parse the wire spelling.
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$var),)+ _ => None }
            }
            /// The accepted spellings joined for error messages.
            pub fn choices() -> String {
                [$($s),+].join(", ")
            }
        }
        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

str_enum!(
    /// Which register a document is in.
    Direction {
        /// Văn bản đến: received from outside.
        Incoming = "incoming",
        /// Văn bản đi: issued by the agency.
        Outgoing = "outgoing",
    }
);

str_enum!(
    /// The number series: secret documents are numbered apart (Decree 30 Art. 15).
    Series {
        /// Ordinary documents.
        Normal = "normal",
        /// Documents with a secrecy level.
        Secret = "secret",
    }
);

str_enum!(
    /// Độ mật.
    Secrecy {
        /// Not classified.
        None = "none",
        /// Mật.
        Mat = "mat",
        /// Tối mật.
        ToiMat = "toi_mat",
        /// Tuyệt mật.
        TuyetMat = "tuyet_mat",
    }
);

impl Secrecy {
    /// Its rank: none < mật < tối mật < tuyệt mật.
    pub fn rank(self) -> usize {
        Self::ALL.iter().position(|x| *x == self).unwrap_or(0)
    }

    /// The series a document of this level is numbered in.
    pub fn series(self) -> Series {
        if self == Secrecy::None {
            Series::Normal
        } else {
            Series::Secret
        }
    }
}

str_enum!(
    /// Độ khẩn.
    Urgency {
        /// Thường.
        Normal = "normal",
        /// Khẩn.
        Khan = "khan",
        /// Thượng khẩn.
        ThuongKhan = "thuong_khan",
        /// Hỏa tốc.
        HoaToc = "hoa_toc",
    }
);

str_enum!(
    /// How the document travelled.
    Channel {
        /// Exchanged as an electronic document.
        Electronic = "electronic",
        /// Exchanged on paper (a scan may be attached).
        Paper = "paper",
    }
);

str_enum!(
    /// Who is on the other side of the exchange.
    Counterpart {
        /// Another state agency.
        StateAgency = "state_agency",
        /// A citizen.
        Citizen = "citizen",
        /// An enterprise or organisation outside the state.
        Enterprise = "enterprise",
        /// Inside the agency.
        Internal = "internal",
    }
);

str_enum!(
    /// Handling status (Decree 30 Art. 23–24); `recalled` only through recall (Art. 18).
    Status {
        /// Registered, not yet assigned.
        Registered = "registered",
        /// Assigned to a unit or person.
        Assigned = "assigned",
        /// Being handled.
        InProgress = "in_progress",
        /// Handling finished.
        Done = "done",
        /// Recalled: kept with its history, excluded from work.
        Recalled = "recalled",
    }
);

str_enum!(
    /// What a user may do.
    Role {
        /// Văn thư: registers and updates documents.
        Clerk = "clerk",
        /// Reads everything, changes nothing.
        Auditor = "auditor",
        /// Manages users, units and officials.
        Admin = "admin",
    }
);

/// One row of the document-type table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct DocType {
    /// Tên loại văn bản.
    pub name: &'static str,
    /// Chữ viết tắt (none for công văn and thư công).
    pub abbr: Option<&'static str>,
    /// Only received, never issued by a department (legal normative documents).
    pub incoming_only: bool,
}

const fn t(name: &'static str, abbr: &'static str) -> DocType {
    DocType {
        name,
        abbr: Some(abbr),
        incoming_only: false,
    }
}

const fn legal(name: &'static str, abbr: Option<&'static str>) -> DocType {
    DocType {
        name,
        abbr,
        incoming_only: true,
    }
}

/// Decree 30/2020 Phụ lục III (administrative documents and copies), plus
/// the legal normative types an agency receives.
pub const DOC_TYPES: &[DocType] = &[
    t("Nghị quyết", "NQ"),
    t("Quyết định", "QĐ"),
    t("Chỉ thị", "CT"),
    t("Quy chế", "QC"),
    t("Quy định", "QyĐ"),
    t("Thông cáo", "TC"),
    t("Thông báo", "TB"),
    t("Hướng dẫn", "HD"),
    t("Chương trình", "CTr"),
    t("Kế hoạch", "KH"),
    t("Phương án", "PA"),
    t("Đề án", "ĐA"),
    t("Dự án", "DA"),
    t("Báo cáo", "BC"),
    t("Biên bản", "BB"),
    t("Tờ trình", "TTr"),
    t("Hợp đồng", "HĐ"),
    t("Công điện", "CĐ"),
    t("Bản ghi nhớ", "GN"),
    t("Bản thỏa thuận", "TTh"),
    t("Giấy ủy quyền", "GUQ"),
    t("Giấy mời", "GM"),
    t("Giấy giới thiệu", "GGT"),
    t("Giấy nghỉ phép", "NP"),
    t("Phiếu gửi", "PG"),
    t("Phiếu chuyển", "PC"),
    t("Phiếu báo", "PB"),
    t("Bản sao y", "SY"),
    t("Bản sao lục", "SL"),
    t("Bản trích sao", "TS"),
    DocType {
        name: "Công văn",
        abbr: None,
        incoming_only: false,
    },
    DocType {
        name: "Thư công",
        abbr: None,
        incoming_only: false,
    },
    legal("Luật", None),
    legal("Pháp lệnh", None),
    legal("Nghị định", Some("NĐ")),
    legal("Thông tư", Some("TT")),
    legal("Thông tư liên tịch", Some("TTLT")),
];

/// [`find_doc_type`], or the `unknown_doc_type` error naming `field`.
pub fn doc_type_param(
    input: &str,
    field: &str,
) -> Result<&'static DocType, crate::registry::error::Error> {
    find_doc_type(input).ok_or_else(|| {
        crate::registry::error::Error::invalid(
            "unknown_doc_type",
            field,
            format!("unknown document type {input:?}; use a name or abbreviation from Decree 30 Phụ lục III (GET /api/v1/doc-types)"),
        )
    })
}

/// Find a type by abbreviation (exact, then ignoring case) or by name
/// (ignoring case and diacritics). Abbreviations are not folded: `ĐA`
/// (Đề án) and `DA` (Dự án) differ only by the stroke.
pub fn find_doc_type(input: &str) -> Option<&'static DocType> {
    let s = crate::text::clean(input);
    if s.is_empty() {
        return None;
    }
    if let Some(d) = DOC_TYPES.iter().find(|d| d.abbr == Some(s.as_str())) {
        return Some(d);
    }
    let upper = s.to_uppercase();
    if let Some(d) = DOC_TYPES
        .iter()
        .find(|d| d.abbr.is_some_and(|a| a.to_uppercase() == upper))
    {
        return Some(d);
    }
    let key = fold(&s);
    DOC_TYPES.iter().find(|d| fold(d.name) == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_types_by_abbr_and_name() {
        assert_eq!(find_doc_type("QĐ").map(|d| d.name), Some("Quyết định"));
        assert_eq!(
            find_doc_type("quyet dinh").map(|d| d.name),
            Some("Quyết định")
        );
        assert_eq!(find_doc_type("ĐA").map(|d| d.name), Some("Đề án"));
        assert_eq!(find_doc_type("DA").map(|d| d.name), Some("Dự án"));
        assert_eq!(find_doc_type("cong van").map(|d| d.abbr), Some(None));
        assert_eq!(find_doc_type("tth").map(|d| d.name), Some("Bản thỏa thuận"));
        assert!(find_doc_type("CV").is_none());
        assert!(find_doc_type("").is_none());
    }

    #[test]
    fn abbreviations_are_unique_ignoring_case() {
        let mut seen = std::collections::HashSet::new();
        for d in DOC_TYPES {
            if let Some(a) = d.abbr {
                assert!(seen.insert(a.to_uppercase()), "duplicate {a}");
            }
        }
    }
}
