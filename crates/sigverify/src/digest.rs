//! One streaming pass over the file: the file's SHA-256, the digest of each
//! signature's signed ranges, and where each revision ends (`%%EOF`), all
//! computed while the bytes are read once, in chunks, with each hash on its
//! own thread — so a large file costs about one hash's time and a few
//! chunks of memory, never the whole file.

use std::io;
use std::sync::Arc;
use std::sync::mpsc::sync_channel;

use openssl::hash::{Hasher, MessageDigest};

use super::cms::Digest;
use super::source::Source;

/// Bytes read per step.
const CHUNK: usize = 1 << 20;
/// Below this size everything runs on the calling thread.
const THREADED_FROM: u64 = 4 << 20;

/// A digest to compute over some spans of the file.
#[derive(Clone)]
pub struct Job {
    /// (start, end) byte spans, in order.
    pub spans: Vec<(u64, u64)>,
    /// The algorithm.
    pub digest: Digest,
}

/// What the pass found.
#[derive(Debug, Clone, Default)]
pub struct PassResult {
    /// SHA-256 of the whole file.
    pub file_sha256: Vec<u8>,
    /// One digest per job, in order.
    pub digests: Vec<Vec<u8>>,
    /// End offset of each revision (after `%%EOF` and its end-of-line).
    pub revision_ends: Vec<u64>,
}

struct Feeder {
    h: Hasher,
    spans: Vec<(u64, u64)>,
    xof: Option<usize>,
}

impl Feeder {
    fn new(md: MessageDigest, spans: Vec<(u64, u64)>, xof: Option<usize>) -> io::Result<Self> {
        Ok(Self {
            h: Hasher::new(md).map_err(io::Error::other)?,
            spans,
            xof,
        })
    }
    fn feed(&mut self, off: u64, chunk: &[u8]) -> io::Result<()> {
        let end = off + chunk.len() as u64;
        for &(s, e) in &self.spans {
            let (a, b) = (s.max(off), e.min(end));
            if a < b {
                self.h
                    .update(&chunk[(a - off) as usize..(b - off) as usize])
                    .map_err(io::Error::other)?;
            }
        }
        Ok(())
    }
    fn finish(mut self) -> io::Result<Vec<u8>> {
        match self.xof {
            None => Ok(self.h.finish().map_err(io::Error::other)?.to_vec()),
            Some(n) => {
                let mut out = vec![0u8; n];
                self.h.finish_xof(&mut out).map_err(io::Error::other)?;
                Ok(out)
            }
        }
    }
}

fn scan_eofs(
    prev_tail: &[u8],
    off: u64,
    chunk: &[u8],
    out: &mut Vec<u64>,
    next_byte: impl Fn(u64) -> Option<u8>,
) {
    let mut push = |at: u64| {
        let mut e = at + 5;
        if next_byte(e) == Some(b'\r') {
            e += 1;
        }
        if next_byte(e) == Some(b'\n') {
            e += 1;
        }
        out.push(e);
    };
    // A marker split across the previous chunk and this one.
    if !prev_tail.is_empty() {
        let mut joint = prev_tail.to_vec();
        joint.extend_from_slice(&chunk[..chunk.len().min(4)]);
        let base = off - prev_tail.len() as u64;
        for k in memchr::memmem::find_iter(&joint, b"%%EOF") {
            if k + 5 > prev_tail.len() && k < prev_tail.len() {
                push(base + k as u64);
            }
        }
    }
    for k in memchr::memmem::find_iter(chunk, b"%%EOF") {
        push(off + k as u64);
    }
}

/// Read `src` once, computing the file's SHA-256 and every job's digest.
pub fn pass(src: &dyn Source, jobs: &[Job]) -> io::Result<PassResult> {
    let len = src.len();
    let mut feeders = vec![Feeder::new(MessageDigest::sha256(), vec![(0, len)], None)?];
    for j in jobs {
        feeders.push(Feeder::new(j.digest.md, j.spans.clone(), j.digest.xof_len)?);
    }
    let byte_at = |p: u64| src.read_vec(p, 1).ok().and_then(|v| v.first().copied());
    let mut eofs = Vec::new();
    let mut tail: Vec<u8> = Vec::new();
    if len < THREADED_FROM {
        let mut off = 0u64;
        while off < len {
            let chunk = src.read_vec(off, CHUNK)?;
            if chunk.is_empty() {
                break;
            }
            for f in &mut feeders {
                f.feed(off, &chunk)?;
            }
            scan_eofs(&tail, off, &chunk, &mut eofs, byte_at);
            tail = chunk[chunk.len().saturating_sub(4)..].to_vec();
            off += chunk.len() as u64;
        }
        let mut it = feeders.into_iter().map(Feeder::finish);
        let file_sha256 = it.next().transpose()?.unwrap_or_default();
        let digests = it.collect::<io::Result<Vec<_>>>()?;
        return Ok(PassResult {
            file_sha256,
            digests,
            revision_ends: eofs,
        });
    }
    std::thread::scope(|scope| -> io::Result<PassResult> {
        let mut senders = Vec::new();
        let mut handles = Vec::new();
        for mut f in feeders {
            let (tx, rx) = sync_channel::<(u64, Arc<Vec<u8>>)>(4);
            senders.push(tx);
            handles.push(scope.spawn(move || -> io::Result<Vec<u8>> {
                while let Ok((off, chunk)) = rx.recv() {
                    f.feed(off, &chunk)?;
                }
                f.finish()
            }));
        }
        let mut off = 0u64;
        let mut read_err = None;
        while off < len {
            let chunk = match src.read_vec(off, CHUNK) {
                Ok(c) if !c.is_empty() => Arc::new(c),
                Ok(_) => break,
                Err(e) => {
                    read_err = Some(e);
                    break;
                }
            };
            scan_eofs(&tail, off, &chunk, &mut eofs, byte_at);
            tail = chunk[chunk.len().saturating_sub(4)..].to_vec();
            for tx in &senders {
                // A worker that stopped reports its error when joined.
                let _ = tx.send((off, chunk.clone()));
            }
            off += chunk.len() as u64;
        }
        drop(senders);
        let mut results = Vec::new();
        for h in handles {
            results.push(
                h.join()
                    .map_err(|_| io::Error::other("a hashing thread failed"))??,
            );
        }
        if let Some(e) = read_err {
            return Err(e);
        }
        let mut it = results.into_iter();
        Ok(PassResult {
            file_sha256: it.next().unwrap_or_default(),
            digests: it.collect(),
            revision_ends: eofs,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cms::digest_for;

    #[test]
    fn matches_plain_hashing_threaded_or_not() {
        for size in [100usize, 5 << 20] {
            let mut data: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
            data[size / 2..size / 2 + 5].copy_from_slice(b"%%EOF");
            let d = digest_for("2.16.840.1.101.3.4.2.1").expect("sha256");
            let job = Job {
                spans: vec![(0, 10), (50, size as u64)],
                digest: d,
            };
            let r = pass(&data.as_slice(), &[job]).expect("pass");
            assert_eq!(r.file_sha256, openssl::sha::sha256(&data).to_vec());
            let mut want = data[..10].to_vec();
            want.extend_from_slice(&data[50..]);
            assert_eq!(r.digests[0], openssl::sha::sha256(&want).to_vec());
            assert_eq!(r.revision_ends, vec![(size / 2 + 5) as u64]);
        }
    }
}
