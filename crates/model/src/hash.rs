//! SHA-256 in lowercase hex: the one spelling of a file's, a token's or a row's fingerprint across wijkmonitor
//! (provenance of imports, stored token hashes, the audit chain, ETags).

use sha2::{Digest, Sha256};
use std::fmt::Write;

/// The SHA-256 of `bytes` as 64 lowercase hex digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Bytes as lowercase hex.
pub fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// A SHA-256 fed piece by piece (the fingerprint of a folder, of a set of parameters), read out in hex.
#[derive(Debug, Clone, Default)]
pub struct Fingerprint(Sha256);

impl Fingerprint {
    pub fn new() -> Fingerprint {
        Fingerprint::default()
    }

    pub fn update(&mut self, bytes: impl AsRef<[u8]>) -> &mut Fingerprint {
        self.0.update(bytes.as_ref());
        self
    }

    /// The SHA-256 of everything fed, in hex.
    pub fn hex(self) -> String {
        hex(&self.0.finalize())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn known_digest() {
        assert_eq!(super::sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        let mut f = super::Fingerprint::new();
        f.update("a").update(b"bc");
        assert_eq!(f.hex(), super::sha256_hex(b"abc"));
    }
}
