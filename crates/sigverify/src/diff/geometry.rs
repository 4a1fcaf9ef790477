//! Where a content stream draws: a small interpreter of the graphics and
//! text operators (ISO 32000-1 8.2 and 9.4) that follows the transformation
//! matrices and reports the boxes of text, images and filled shapes in
//! default user space. It is an estimate — glyph widths are approximated,
//! clipping and transparency are ignored — good enough to say whether a
//! widget added or filled after signing lies over signed text, never to
//! render.

use crate::lex;
use crate::obj::{self, Dict, Obj};
use crate::xref::Doc;

/// A rectangle in user space.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    /// Lower-left x.
    pub x0: f64,
    /// Lower-left y.
    pub y0: f64,
    /// Upper-right x.
    pub x1: f64,
    /// Upper-right y.
    pub y1: f64,
}

impl Rect {
    /// The rectangle of a PDF `[x0 y0 x1 y1]` array (normalised).
    pub fn from_obj(o: &Obj) -> Option<Rect> {
        let Obj::Array(a) = o else { return None };
        if a.len() != 4 {
            return None;
        }
        let v: Vec<f64> = a.iter().filter_map(num).collect();
        if v.len() != 4 {
            return None;
        }
        Some(Rect {
            x0: v[0].min(v[2]),
            y0: v[1].min(v[3]),
            x1: v[0].max(v[2]),
            y1: v[1].max(v[3]),
        })
    }

    /// Its area.
    pub fn area(&self) -> f64 {
        (self.x1 - self.x0).max(0.0) * (self.y1 - self.y0).max(0.0)
    }

    /// Whether `(x, y)` lies inside.
    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.x0 && x <= self.x1 && y >= self.y0 && y <= self.y1
    }

    /// Its centre.
    pub fn centre(&self) -> (f64, f64) {
        ((self.x0 + self.x1) / 2.0, (self.y0 + self.y1) / 2.0)
    }

    /// The overlap with `o`, if any.
    pub fn intersect(&self, o: &Rect) -> Option<Rect> {
        let r = Rect {
            x0: self.x0.max(o.x0),
            y0: self.y0.max(o.y0),
            x1: self.x1.min(o.x1),
            y1: self.y1.min(o.y1),
        };
        (r.x1 > r.x0 && r.y1 > r.y0).then_some(r)
    }

    /// `[x0 y0 x1 y1]` rounded, for messages.
    pub fn show(&self) -> String {
        format!(
            "[{:.0} {:.0} {:.0} {:.0}]",
            self.x0, self.y0, self.x1, self.y1
        )
    }
}

/// A number operand.
pub fn num(o: &Obj) -> Option<f64> {
    match o {
        Obj::Int(i) => Some(*i as f64),
        Obj::Real(r) => Some(*r),
        _ => None,
    }
}

/// An affine matrix `[a b c d e f]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Matrix(pub [f64; 6]);

impl Matrix {
    /// The identity.
    pub const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// From six number operands or a PDF array.
    pub fn from_nums(v: &[f64]) -> Option<Matrix> {
        let a: [f64; 6] = v.try_into().ok()?;
        a.iter().all(|x| x.is_finite()).then_some(Matrix(a))
    }

    /// `self × other` (apply self first, then other).
    pub fn then(&self, o: &Matrix) -> Matrix {
        let [a, b, c, d, e, f] = self.0;
        let [a2, b2, c2, d2, e2, f2] = o.0;
        Matrix([
            a * a2 + b * c2,
            a * b2 + b * d2,
            c * a2 + d * c2,
            c * b2 + d * d2,
            e * a2 + f * c2 + e2,
            e * b2 + f * d2 + f2,
        ])
    }

    /// The image of a point.
    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }

    /// The bounding box of the image of `r`.
    pub fn bbox(&self, r: &Rect) -> Rect {
        let pts = [
            self.apply(r.x0, r.y0),
            self.apply(r.x1, r.y0),
            self.apply(r.x0, r.y1),
            self.apply(r.x1, r.y1),
        ];
        let xs = pts.iter().map(|p| p.0);
        let ys = pts.iter().map(|p| p.1);
        Rect {
            x0: xs.clone().fold(f64::INFINITY, f64::min),
            y0: ys.clone().fold(f64::INFINITY, f64::min),
            x1: xs.fold(f64::NEG_INFINITY, f64::max),
            y1: ys.fold(f64::NEG_INFINITY, f64::max),
        }
    }
}

/// What a mark is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Glyphs shown by a text operator (leader dots and underscores excluded).
    Text,
    /// An image (XObject or inline).
    Image,
    /// A filled path.
    Fill,
}

/// One thing drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mark {
    /// What it is.
    pub kind: Kind,
    /// Where, in user space.
    pub rect: Rect,
}

/// Most operators interpreted in one call (with nested forms).
const MAX_OPS: usize = 2_000_000;

/// The marks `content` makes with `resources`, starting from `ctm`.
pub fn marks(doc: &Doc<'_>, content: &[u8], resources: &Dict, ctm: Matrix) -> Vec<Mark> {
    let mut out = Vec::new();
    let mut ops = 0usize;
    run(doc, content, resources, ctm, 0, &mut out, &mut ops);
    out
}

struct TextState {
    tm: Matrix,
    tlm: Matrix,
    size: f64,
    leading: f64,
    two_byte: bool,
}

fn resolve_dict(doc: &Doc<'_>, o: Option<&Obj>) -> Dict {
    match o.map(|o| doc.resolve(o)) {
        Some(Ok(Obj::Dict(d))) | Some(Ok(Obj::Stream(d, _))) => d,
        _ => Dict::default(),
    }
}

/// Interpret `content` with `resources` from the matrix `start`, adding
/// what it draws to `out` (forms are followed to depth 6; `ops` counts the
/// operators of every level against [`MAX_OPS`]).
///
/// Long by design: one match over the operators, which share one graphics and text state.
fn run(
    doc: &Doc<'_>,
    content: &[u8],
    resources: &Dict,
    start: Matrix,
    depth: usize,
    out: &mut Vec<Mark>,
    ops: &mut usize,
) {
    let fonts = resolve_dict(doc, resources.get(b"Font"));
    let xobjects = resolve_dict(doc, resources.get(b"XObject"));
    let mut ctm = start;
    let mut stack: Vec<Matrix> = Vec::new();
    let mut ts = TextState {
        tm: Matrix::IDENTITY,
        tlm: Matrix::IDENTITY,
        size: 12.0,
        leading: 0.0,
        two_byte: false,
    };
    let mut path: Option<Rect> = None;
    let mut args: Vec<Obj> = Vec::new();
    let mut p = 0;
    while p < content.len() {
        *ops += 1;
        if *ops > MAX_OPS || ((*ops).is_multiple_of(4096) && doc.budget().check().is_err()) {
            return;
        }
        p = lex::skip_ws(content, p);
        let Some(&c) = content.get(p) else { break };
        let starts_operand =
            c.is_ascii_digit() || matches!(c, b'+' | b'-' | b'.' | b'/' | b'(' | b'<' | b'[');
        if starts_operand {
            match obj::parse(content, p, 0, 0) {
                Ok((o, e)) if e > p => {
                    args.push(o);
                    if args.len() > 64 {
                        args.remove(0);
                    }
                    p = e;
                }
                _ => p += 1,
            }
            continue;
        }
        let end = content[p..]
            .iter()
            .position(|b| lex::is_ws(*b) || lex::is_delim(*b))
            .map_or(content.len(), |k| p + k);
        let op = &content[p..end.max(p + 1).min(content.len())];
        p = end.max(p + 1);
        let n: Vec<f64> = args.iter().filter_map(num).collect();
        match op {
            b"q" => stack.push(ctm),
            b"Q" => ctm = stack.pop().unwrap_or(start),
            b"cm" => {
                if let Some(m) = Matrix::from_nums(&n) {
                    ctm = m.then(&ctm);
                }
            }
            b"BT" => {
                ts.tm = Matrix::IDENTITY;
                ts.tlm = Matrix::IDENTITY;
            }
            b"Tf" => {
                if let Some(s) = n.first() {
                    ts.size = *s;
                }
                if let Some(Obj::Name(name)) = args.first() {
                    let f = resolve_dict(doc, fonts.get(name));
                    ts.two_byte = f.name(b"Subtype") == Some(b"Type0");
                }
            }
            b"TL" => ts.leading = n.first().copied().unwrap_or(0.0),
            b"Td" | b"TD" => {
                if let [tx, ty] = n[..] {
                    if op == b"TD" {
                        ts.leading = -ty;
                    }
                    ts.tlm = Matrix([1.0, 0.0, 0.0, 1.0, tx, ty]).then(&ts.tlm);
                    ts.tm = ts.tlm;
                }
            }
            b"Tm" => {
                if let Some(m) = Matrix::from_nums(&n) {
                    ts.tlm = m;
                    ts.tm = m;
                }
            }
            b"T*" => {
                ts.tlm = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, -ts.leading]).then(&ts.tlm);
                ts.tm = ts.tlm;
            }
            b"Tj" | b"'" | b"\"" | b"TJ" => {
                if op != b"Tj" && op != b"TJ" {
                    ts.tlm = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, -ts.leading]).then(&ts.tlm);
                    ts.tm = ts.tlm;
                }
                let (glyphs, adjust, leaders) = shown(args.last(), ts.two_byte);
                let width = (glyphs as f64 * 0.5 - adjust / 1000.0) * ts.size.abs();
                if glyphs > 0 && !leaders {
                    let r = Rect {
                        x0: 0.0,
                        y0: -0.2 * ts.size.abs(),
                        x1: width.max(0.1),
                        y1: 0.8 * ts.size.abs(),
                    };
                    out.push(Mark {
                        kind: Kind::Text,
                        rect: ts.tm.then(&ctm).bbox(&r),
                    });
                }
                ts.tm = Matrix([1.0, 0.0, 0.0, 1.0, width, 0.0]).then(&ts.tm);
            }
            b"re" => {
                if let [x, y, w, h] = n[..] {
                    let r = ctm.bbox(&Rect {
                        x0: x.min(x + w),
                        y0: y.min(y + h),
                        x1: x.max(x + w),
                        y1: y.max(y + h),
                    });
                    path = Some(union(path, r));
                }
            }
            b"m" | b"l" => {
                if let [x, y] = n[..] {
                    let (x, y) = ctm.apply(x, y);
                    path = Some(union(
                        path,
                        Rect {
                            x0: x,
                            y0: y,
                            x1: x,
                            y1: y,
                        },
                    ));
                }
            }
            b"c" | b"v" | b"y" => {
                for pair in n.chunks(2) {
                    if let [x, y] = pair {
                        let (x, y) = ctm.apply(*x, *y);
                        path = Some(union(
                            path,
                            Rect {
                                x0: x,
                                y0: y,
                                x1: x,
                                y1: y,
                            },
                        ));
                    }
                }
            }
            b"f" | b"F" | b"f*" | b"B" | b"B*" | b"b" | b"b*" => {
                if let Some(r) = path.take()
                    && r.area() > 0.0
                {
                    out.push(Mark {
                        kind: Kind::Fill,
                        rect: r,
                    });
                }
            }
            b"S" | b"s" | b"n" => path = None,
            b"Do" => {
                if let Some(Obj::Name(name)) = args.first()
                    && let Some(x) = xobjects.get(name)
                    && let Ok(Obj::Stream(d, off)) = doc.resolve(x)
                {
                    match d.name(b"Subtype") {
                        Some(b"Image") => out.push(Mark {
                            kind: Kind::Image,
                            rect: ctm.bbox(&Rect {
                                x0: 0.0,
                                y0: 0.0,
                                x1: 1.0,
                                y1: 1.0,
                            }),
                        }),
                        Some(b"Form") if depth < 6 => {
                            let m = d
                                .get(b"Matrix")
                                .and_then(|m| match m {
                                    Obj::Array(a) => Matrix::from_nums(
                                        &a.iter().filter_map(num).collect::<Vec<_>>(),
                                    ),
                                    _ => None,
                                })
                                .unwrap_or(Matrix::IDENTITY);
                            let res = match d.get(b"Resources") {
                                Some(r) => resolve_dict(doc, Some(r)),
                                None => resources.clone(),
                            };
                            if let Ok(data) = doc.stream_data(&d, off) {
                                run(doc, &data, &res, m.then(&ctm), depth + 1, out, ops);
                            }
                        }
                        _ => {}
                    }
                }
            }
            b"BI" => {
                // Inline image: skip to `ID`, then to `EI` after whitespace.
                let rest = &content[p..];
                if let Some(id) = find_word(rest, b"ID") {
                    let data_at = p + id + 3;
                    let ei = content[data_at..]
                        .windows(3)
                        .position(|w| lex::is_ws(w[0]) && &w[1..] == b"EI")
                        .map_or(content.len(), |k| data_at + k + 3);
                    out.push(Mark {
                        kind: Kind::Image,
                        rect: ctm.bbox(&Rect {
                            x0: 0.0,
                            y0: 0.0,
                            x1: 1.0,
                            y1: 1.0,
                        }),
                    });
                    p = ei;
                }
            }
            _ => {}
        }
        args.clear();
    }
}

fn union(a: Option<Rect>, b: Rect) -> Rect {
    match a {
        None => b,
        Some(a) => Rect {
            x0: a.x0.min(b.x0),
            y0: a.y0.min(b.y0),
            x1: a.x1.max(b.x1),
            y1: a.y1.max(b.y1),
        },
    }
}

fn find_word(hay: &[u8], w: &[u8]) -> Option<usize> {
    hay.windows(w.len() + 1)
        .position(|x| &x[..w.len()] == w && lex::is_ws(x[w.len()]))
}

/// Glyphs a text operand shows, the `TJ` adjustments (thousandths of
/// text space) and whether every byte is a leader (dots, underscores,
/// dashes, spaces) of a one-byte font.
fn shown(o: Option<&Obj>, two_byte: bool) -> (usize, f64, bool) {
    let mut bytes = Vec::new();
    let mut adjust = 0.0;
    match o {
        Some(Obj::Str(s)) => bytes.extend_from_slice(s),
        Some(Obj::Array(a)) => {
            for x in a {
                match x {
                    Obj::Str(s) => bytes.extend_from_slice(s),
                    other => adjust += num(other).unwrap_or(0.0),
                }
            }
        }
        _ => {}
    }
    let glyphs = if two_byte {
        bytes.len() / 2
    } else {
        bytes.len()
    };
    let leaders = !two_byte
        && bytes
            .iter()
            .all(|b| matches!(b, b'_' | b'.' | b'-' | b' ' | 0x85 | 0xA0));
    (glyphs, adjust, leaders)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc_marks(content: &[u8]) -> Vec<Mark> {
        let pdf = crate::hostile::tiny_pdf();
        let bytes = pdf.as_slice();
        let doc = Doc::open(&bytes).expect("open");
        marks(&doc, content, &Dict::default(), Matrix::IDENTITY)
    }

    #[test]
    fn text_boxes_follow_the_matrices() {
        let m = doc_marks(b"BT /F1 14 Tf 72 680 Td (So tien: 1.000.000 VND) Tj ET");
        assert_eq!(m.len(), 1);
        let r = m[0].rect;
        assert!(r.contains(100.0, 684.0), "{r:?}");
        assert!(!r.contains(100.0, 720.0), "{r:?}");
        let m = doc_marks(b"q 2 0 0 2 0 0 cm BT /F1 10 Tf 10 10 Td (AB) Tj ET Q");
        assert!(m[0].rect.contains(25.0, 25.0), "{:?}", m[0].rect);
    }

    #[test]
    fn fills_and_images_are_marks_but_strokes_and_leaders_are_not() {
        let m = doc_marks(
            b"1 1 1 rg 300 600 200 100 re f 0 0 m 100 0 l S q 50 0 0 50 10 10 cm /Im1 Do Q BT /F1 12 Tf 72 500 Td (______) Tj ET",
        );
        let kinds: Vec<Kind> = m.iter().map(|x| x.kind).collect();
        assert_eq!(kinds, vec![Kind::Fill], "{m:?}");
        assert!(m[0].rect.contains(400.0, 650.0));
    }
}
