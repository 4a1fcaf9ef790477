//! Generators of hostile PDFs, for the tests and `vanthu bench --hostile`:
//! each builds, from a few parameters, a small file whose structure makes a
//! naive reader spend memory or time out of all proportion to its size
//! (object-stream header duplication, shared offsets, deep nesting, huge
//! counts, decompression bombs, reference cycles). None is a valid PDF in
//! spirit; all are syntactically plausible enough to be read. Also a tiny
//! honest PDF for tests.

use std::io::Write;

/// A hostile file and what it attacks.
#[derive(Debug, Clone)]
pub struct Hostile {
    /// A short name (file name without extension).
    pub name: &'static str,
    /// What it does to a naive reader.
    pub what: &'static str,
    /// The bytes.
    pub bytes: Vec<u8>,
}

fn deflate(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    // Writing into a Vec cannot fail.
    let _ = e.write_all(data);
    e.finish().unwrap_or_default()
}

/// Objects numbered from 1, written with a classic cross-reference table.
/// `extra_xref` maps further object numbers to offsets of objects already
/// written (several entries may share one offset).
fn classic(objects: &[Vec<u8>], extra_xref: &[(u32, usize)]) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let max_extra = extra_xref.iter().map(|(n, _)| *n).max().unwrap_or(0);
    let size = (objects.len() as u32 + 1).max(max_extra + 1);
    let mut entries = vec![None; size as usize];
    for (i, off) in offsets.iter().enumerate() {
        entries[i + 1] = Some(*off);
    }
    for (n, obj_index) in extra_xref {
        entries[*n as usize] = offsets.get(*obj_index).copied();
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {size}\n").as_bytes());
    for e in &entries {
        match e {
            Some(off) => out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes()),
            None => out.extend_from_slice(b"0000000000 65535 f \n"),
        }
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {size} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n").as_bytes(),
    );
    out
}

fn stream(dict: &str, data: &[u8]) -> Vec<u8> {
    let mut v = format!("<< {dict} /Length {} >>\nstream\n", data.len()).into_bytes();
    v.extend_from_slice(data);
    v.extend_from_slice(b"\nendstream");
    v
}

const PAGE: &[u8] = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>";
const PAGES: &[u8] = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>";

/// Objects 1–3 (catalog with the given AcroForm fields, pages, page) and
/// the object stream at 4 holding `headers` over `body`, written with a
/// cross-reference stream (objects in the stream are type-2 entries).
fn with_object_stream(fields: &str, headers: &str, body: &[u8], in_stream: &[u32]) -> Vec<u8> {
    let catalog = format!("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [{fields}] >> >>")
        .into_bytes();
    let mut data = headers.as_bytes().to_vec();
    let first = data.len();
    data.extend_from_slice(body);
    let n = headers.split_ascii_whitespace().count() / 2;
    let objstm = stream(
        &format!("/Type /ObjStm /N {n} /First {first} /Filter /FlateDecode"),
        &deflate(&data),
    );
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offs = Vec::new();
    for (i, o) in [catalog, PAGES.to_vec(), PAGE.to_vec(), objstm]
        .iter()
        .enumerate()
    {
        offs.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref_num = 5u32;
    let xref_off = out.len();
    let size = in_stream.iter().copied().max().unwrap_or(0).max(xref_num) + 1;
    let mut rows = Vec::new();
    for num in 0..size {
        let mut r = [0u8; 7];
        if num == 0 {
            r[0] = 0;
        } else if (1..=4).contains(&num) || num == xref_num {
            r[0] = 1;
            let off = if num == xref_num {
                xref_off
            } else {
                offs[num as usize - 1]
            } as u32;
            r[1..5].copy_from_slice(&off.to_be_bytes());
        } else if let Some(i) = in_stream.iter().position(|x| *x == num) {
            r[0] = 2;
            r[1..5].copy_from_slice(&4u32.to_be_bytes());
            r[5..7].copy_from_slice(&(i as u16).to_be_bytes());
        }
        rows.extend_from_slice(&r);
    }
    let xs = stream(
        &format!("/Type /XRef /Size {size} /W [1 4 2] /Root 1 0 R /Filter /FlateDecode"),
        &deflate(&rows),
    );
    out.extend_from_slice(format!("{xref_num} 0 obj\n").as_bytes());
    out.extend_from_slice(&xs);
    out.extend_from_slice(format!("\nendobj\nstartxref\n{xref_off}\n%%EOF\n").as_bytes());
    out
}

/// An object stream whose `/N` headers all name the same object at the
/// same place: a reader that parses once per header and keeps every copy
/// holds `headers` copies of a `items`-element array.
pub fn objstm_duplicate_headers(headers: usize, items: usize) -> Hostile {
    let h = "6 0 ".repeat(headers);
    let body = format!("[{}]", "0 ".repeat(items));
    Hostile {
        name: "objstm-duplicate-headers",
        what: "object-stream headers all naming one object",
        bytes: with_object_stream("6 0 R", &h, body.as_bytes(), &[6]),
    }
}

/// An object stream whose headers give `refs` different numbers the same
/// offset, all listed as form fields: each lookup hands out the same
/// `items`-element array.
pub fn objstm_shared_offsets(refs: usize, items: usize) -> Hostile {
    let nums: Vec<u32> = (6..6 + refs as u32).collect();
    let h: String = nums.iter().map(|n| format!("{n} 0 ")).collect();
    let fields: String = nums.iter().map(|n| format!("{n} 0 R ")).collect();
    let body = format!("<< /FT /Tx /Opt [{}] >>", "0 ".repeat(items));
    Hostile {
        name: "objstm-shared-offsets",
        what: "thousands of objects in an object stream at one offset",
        bytes: with_object_stream(&fields, &h, body.as_bytes(), &nums),
    }
}

/// Cross-reference entries of `refs` objects all pointing at one large
/// object (`bytes` long), each listed as a form field.
pub fn xref_shared_offset(refs: usize, bytes: usize) -> Hostile {
    let fields: String = (10..10 + refs).map(|n| format!("{n} 0 R ")).collect();
    let catalog = format!("<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [{fields}] >> >>")
        .into_bytes();
    let big = format!("<< /FT /Tx /Kids [{}] >>", "0 ".repeat(bytes / 2)).into_bytes();
    let objects = vec![catalog, PAGES.to_vec(), PAGE.to_vec(), big];
    let extra: Vec<(u32, usize)> = (10..10 + refs as u32).map(|n| (n, 3)).collect();
    Hostile {
        name: "xref-shared-offset",
        what: "many cross-reference entries pointing at one large object",
        bytes: classic(&objects, &extra),
    }
}

/// A field whose value is nested `depth` arrays deep.
pub fn deep_nesting(depth: usize) -> Hostile {
    let mut v = "[".repeat(depth);
    v.push_str(&"]".repeat(depth));
    let catalog = b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [4 0 R] >> >>".to_vec();
    let field = format!("<< /FT /Sig /V {v} >>").into_bytes();
    Hostile {
        name: "deep-nesting",
        what: "arrays nested far deeper than any real file",
        bytes: classic(&[catalog, PAGES.to_vec(), PAGE.to_vec(), field], &[]),
    }
}

/// A `/DSS` listing the same stream `refs` times, which inflates to
/// `inflated` bytes each time it is read.
pub fn decompression_bomb(refs: usize, inflated: usize) -> Hostile {
    let list: String = (0..refs).map(|_| "4 0 R ").collect();
    let catalog =
        format!("<< /Type /Catalog /Pages 2 0 R /DSS << /Certs [{list}] /CRLs [{list}] >> >>")
            .into_bytes();
    let bomb = stream("/Filter /FlateDecode", &deflate(&vec![0u8; inflated]));
    Hostile {
        name: "decompression-bomb",
        what: "one small stream inflating to many megabytes, listed many times",
        bytes: classic(&[catalog, PAGES.to_vec(), PAGE.to_vec(), bomb], &[]),
    }
}

/// A page tree whose `/Kids` list the tree itself `kids` times, and a
/// `/Count` of a billion.
pub fn page_tree_cycle(kids: usize) -> Hostile {
    let list: String = (0..kids).map(|_| "2 0 R ").collect();
    let catalog = b"<< /Type /Catalog /Pages 2 0 R >>".to_vec();
    let pages = format!("<< /Type /Pages /Kids [{list} 3 0 R] /Count 1000000000 >>").into_bytes();
    Hostile {
        name: "page-tree-cycle",
        what: "a page tree that contains itself",
        bytes: classic(&[catalog, pages, PAGE.to_vec()], &[]),
    }
}

/// A cross-reference table announcing ten million entries, with `/Prev`
/// chains pointing back at themselves.
pub fn huge_counts() -> Hostile {
    let mut out = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n".to_vec();
    let x = out.len();
    out.extend_from_slice(
        format!(
            "xref\n0 10000000\n0000000000 65535 f \ntrailer\n<< /Size 10000000 /Root 1 0 R /Prev {x} >>\nstartxref\n{x}\n%%EOF\n"
        )
        .as_bytes(),
    );
    Hostile {
        name: "huge-counts",
        what: "a cross-reference table announcing ten million entries, chained to itself",
        bytes: out,
    }
}

/// A small well-formed one-page PDF with a line of Helvetica text (a base
/// for tests and for the generators' signed variants).
pub fn tiny_pdf() -> Vec<u8> {
    let content = b"BT /F1 12 Tf 56 780 Td (vanthu) Tj ET";
    let page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_vec();
    classic(
        &[
            b"<< /Type /Catalog /Pages 2 0 R >>".to_vec(),
            PAGES.to_vec(),
            page,
            stream("", content),
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec(),
        ],
        &[],
    )
}

/// Every generator with parameters that overwhelm a naive reader while
/// the file stays small.
pub fn all() -> Vec<Hostile> {
    vec![
        objstm_duplicate_headers(100_000, 2_000),
        objstm_shared_offsets(20_000, 5_000),
        xref_shared_offset(2_000, 1 << 20),
        deep_nesting(100_000),
        decompression_bomb(200, 60 << 20),
        page_tree_cycle(50_000),
        huge_counts(),
    ]
}

/// `update` appended to `signed` as an incremental update whose objects
/// are numbered from `first`: an attack on the changes-after-signing
/// analysis, which reads every object of both revisions.
pub fn appended_to(signed: &[u8], first: u32, objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = signed.to_vec();
    if !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    let prev = signed
        .windows(9)
        .rposition(|w| w == b"startxref")
        .and_then(|p| {
            std::str::from_utf8(&signed[p + 9..])
                .ok()?
                .split_ascii_whitespace()
                .next()?
                .parse::<u64>()
                .ok()
        })
        .unwrap_or(0);
    let mut offs = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offs.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", first + i as u32).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let x = out.len();
    out.extend_from_slice(format!("xref\n{first} {}\n", objects.len()).as_bytes());
    for off in &offs {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    let root = root_ref(signed).unwrap_or_else(|| "1 0 R".into());
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root {root} /Prev {prev} >>\nstartxref\n{x}\n%%EOF\n",
            first as usize + objects.len()
        )
        .as_bytes(),
    );
    out
}

fn root_ref(pdf: &[u8]) -> Option<String> {
    let p = pdf.windows(5).rposition(|w| w == b"/Root")?;
    let rest = std::str::from_utf8(&pdf[p + 5..(p + 40).min(pdf.len())]).ok()?;
    let mut it = rest.split_ascii_whitespace();
    let (n, g) = (it.next()?, it.next()?);
    Some(format!("{n} {g} R"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_are_small() {
        for h in all() {
            assert!(
                h.bytes.len() < 4 << 20,
                "{} is {} bytes",
                h.name,
                h.bytes.len()
            );
            assert!(h.bytes.starts_with(b"%PDF-"), "{}", h.name);
        }
        assert!(objstm_duplicate_headers(100_000, 2_000).bytes.len() < 2_000);
    }
}
