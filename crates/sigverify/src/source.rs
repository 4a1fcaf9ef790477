//! Random access to the bytes being verified: a slice in memory or a file
//! read at offsets, so a large PDF is never loaded whole — only the objects
//! verification needs are read, and the signed ranges are hashed as a stream.

use std::fs::File;
use std::io;

/// Bytes readable at any offset.
pub trait Source: Sync {
    /// Total length.
    fn len(&self) -> u64;
    /// Whether it is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Fill `buf` from `offset`; returns how many bytes were read (short at the end).
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize>;

    /// Read up to `n` bytes at `offset` into a new vector.
    fn read_vec(&self, offset: u64, n: usize) -> io::Result<Vec<u8>> {
        let n = n.min(self.len().saturating_sub(offset) as usize);
        let mut v = vec![0u8; n];
        let mut got = 0;
        while got < n {
            let k = self.read_at(offset + got as u64, &mut v[got..])?;
            if k == 0 {
                break;
            }
            got += k;
        }
        v.truncate(got);
        Ok(v)
    }
}

impl Source for &[u8] {
    fn len(&self) -> u64 {
        <[u8]>::len(self) as u64
    }
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(<[u8]>::len(self));
        let n = buf.len().min(<[u8]>::len(self) - start);
        buf[..n].copy_from_slice(&self[start..start + n]);
        Ok(n)
    }
}

/// A file read with positioned reads (no shared cursor, no mapping).
pub struct FileSource {
    file: File,
    len: u64,
}

impl FileSource {
    /// Wrap an open file.
    pub fn new(file: File) -> io::Result<Self> {
        let len = file.metadata()?.len();
        Ok(Self { file, len })
    }
}

impl Source for FileSource {
    fn len(&self) -> u64 {
        self.len
    }
    #[cfg(unix)]
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        std::os::unix::fs::FileExt::read_at(&self.file, buf, offset)
    }
    #[cfg(windows)]
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> io::Result<usize> {
        std::os::windows::fs::FileExt::seek_read(&self.file, buf, offset)
    }
}
