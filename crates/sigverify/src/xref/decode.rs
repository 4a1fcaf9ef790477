//! Stream filters as the cross-reference reader needs them: Flate, with
//! PNG predictors, bounded in size and drawn from the budget.

use std::io::Read;

use super::DocError;
use crate::budget::Budget;
use crate::obj::{Dict, Obj};

/// Decode Flate data, optionally with a PNG predictor, to at most `max`
/// bytes, drawing the decompressed bytes from `budget`.
pub fn decode_with(
    data: &[u8],
    dict: &Dict,
    max: usize,
    budget: Option<&Budget>,
) -> Result<Vec<u8>, String> {
    let filter: Vec<Vec<u8>> = match dict.get(b"Filter") {
        None | Some(Obj::Null) => vec![],
        Some(Obj::Name(n)) => vec![n.clone()],
        Some(Obj::Array(a)) => a
            .iter()
            .filter_map(|o| {
                if let Obj::Name(n) = o {
                    Some(n.clone())
                } else {
                    None
                }
            })
            .collect(),
        _ => return Err("bad /Filter".into()),
    };
    let mut out = data.to_vec();
    for f in &filter {
        match f.as_slice() {
            b"FlateDecode" | b"Fl" => {
                let mut d = flate2::read::ZlibDecoder::new(out.as_slice()).take(max as u64 + 1);
                let mut v = Vec::new();
                if d.read_to_end(&mut v).is_err() && v.is_empty() {
                    return Err("corrupt Flate data".into());
                }
                if v.len() > max {
                    return Err(format!("a stream decompresses to more than {max} bytes"));
                }
                if let Some(b) = budget {
                    b.bytes(v.len() as u64).map_err(|e| DocError::from(e).0)?;
                }
                out = v;
            }
            other => {
                return Err(format!(
                    "unsupported filter {}",
                    String::from_utf8_lossy(other)
                ));
            }
        }
    }
    let parms = match dict.get(b"DecodeParms") {
        Some(Obj::Dict(d)) => Some(d.clone()),
        Some(Obj::Array(a)) => a.iter().find_map(|o| {
            if let Obj::Dict(d) = o {
                Some(d.clone())
            } else {
                None
            }
        }),
        _ => None,
    };
    if let Some(p) = parms {
        let pred = p.int(b"Predictor").unwrap_or(1);
        if pred >= 10 {
            let cols = p.int(b"Columns").unwrap_or(1).clamp(1, 1 << 20) as usize;
            let colors = p.int(b"Colors").unwrap_or(1).clamp(1, 32) as usize;
            let bpc = p.int(b"BitsPerComponent").unwrap_or(8).clamp(1, 16) as usize;
            let bpp = (colors * bpc).div_ceil(8).max(1);
            let row = (cols * colors * bpc).div_ceil(8);
            out = png_unpredict(&out, row, bpp)?;
        } else if pred == 2 {
            return Err("TIFF predictor is not supported".into());
        }
    }
    Ok(out)
}

fn png_unpredict(data: &[u8], row: usize, bpp: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(data.len());
    let mut prev = vec![0u8; row];
    for chunk in data.chunks(row + 1) {
        if chunk.len() < row + 1 {
            break;
        }
        let ft = chunk[0];
        let mut cur = chunk[1..].to_vec();
        for i in 0..row {
            let a = if i >= bpp { cur[i - bpp] } else { 0 };
            let b = prev[i];
            let c = if i >= bpp { prev[i - bpp] } else { 0 };
            cur[i] = match ft {
                0 => cur[i],
                1 => cur[i].wrapping_add(a),
                2 => cur[i].wrapping_add(b),
                3 => cur[i].wrapping_add(((u16::from(a) + u16::from(b)) / 2) as u8),
                4 => {
                    let p = i16::from(a) + i16::from(b) - i16::from(c);
                    let (pa, pb, pc) = (
                        (p - i16::from(a)).abs(),
                        (p - i16::from(b)).abs(),
                        (p - i16::from(c)).abs(),
                    );
                    let pr = if pa <= pb && pa <= pc {
                        a
                    } else if pb <= pc {
                        b
                    } else {
                        c
                    };
                    cur[i].wrapping_add(pr)
                }
                _ => return Err("bad PNG predictor".into()),
            };
        }
        out.extend_from_slice(&cur);
        prev = cur;
    }
    Ok(out)
}
