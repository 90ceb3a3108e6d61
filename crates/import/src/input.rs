//! Inputs in memory: one file, or a folder of files (OData entity sets). Loading from disk happens here and
//! nowhere else in this crate, so every reader works on bytes and can be tested without files.

use std::path::Path;
use wijkmonitor_model::hash::sha256_hex;
use wijkmonitor_model::Located;

/// The largest single file wijkmonitor reads into memory. The national Leefbaarometer buurt file is ~12 MB
/// and a full Kerncijfers table ~60 MB; anything far beyond is more likely a wrong file than a source.
pub const MAX_FILE_BYTES: u64 = 1 << 30;

/// One file's name and content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// The name as the user gave it (used in messages).
    pub name: String,
    pub bytes: Vec<u8>,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, bytes: impl Into<Vec<u8>>) -> SourceFile {
        SourceFile { name: name.into(), bytes: bytes.into() }
    }

    /// The lowercase hex SHA-256 of the content.
    pub fn sha256(&self) -> String {
        sha256_hex(&self.bytes)
    }

    /// The content as UTF-8 text without a byte-order mark. Binary content (NUL bytes) and invalid UTF-8
    /// are refused with the line and column of the first offending byte.
    pub fn text(&self) -> Result<&str, Located> {
        let bytes = self.bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&self.bytes);
        if let Some(pos) = bytes.iter().position(|&b| b == 0) {
            let (line, column) = line_column(bytes, pos);
            return Err(Located::at(
                &self.name,
                line,
                column,
                "this is a binary file, not text (it contains a NUL byte)",
            ));
        }
        std::str::from_utf8(bytes).map_err(|e| {
            let (line, column) = line_column(bytes, e.valid_up_to());
            Located::at(
                &self.name,
                line,
                column,
                "the file is not valid UTF-8 text (save it as UTF-8, or it may be a binary file)",
            )
        })
    }

    /// The file name without its folder.
    pub fn base_name(&self) -> &str {
        self.name.rsplit(['/', '\\']).next().unwrap_or(&self.name)
    }
}

/// The 1-based line and column of a byte offset.
pub fn line_column(bytes: &[u8], offset: usize) -> (u64, u64) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() as u64 + 1;
    (line, column)
}

/// A file or a folder of files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    File(SourceFile),
    /// A folder; `files` holds its regular files (not recursing), sorted by name.
    Folder {
        name: String,
        files: Vec<SourceFile>,
    },
}

impl Input {
    /// Reads a file or a folder's files from disk.
    pub fn load(path: &Path) -> Result<Input, Located> {
        let name = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| Located::at(&name, 0, 0, format!("cannot open: {e}")))?;
        if meta.is_dir() {
            let mut files = Vec::new();
            let entries = std::fs::read_dir(path).map_err(|e| Located::at(&name, 0, 0, format!("cannot list: {e}")))?;
            for entry in entries {
                let entry = entry.map_err(|e| Located::at(&name, 0, 0, format!("cannot list: {e}")))?;
                let p = entry.path();
                if p.is_file() {
                    files.push(load_file(&p)?);
                }
            }
            files.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(Input::Folder { name, files })
        } else {
            Ok(Input::File(load_file(path)?))
        }
    }

    pub fn name(&self) -> &str {
        match self {
            Input::File(f) => &f.name,
            Input::Folder { name, .. } => name,
        }
    }

    /// The SHA-256 identifying this input: of the file, or of the sorted list of `base name, SHA-256` lines
    /// of a folder's files, so renaming the folder does not change it but changing any file does.
    pub fn sha256(&self) -> String {
        match self {
            Input::File(f) => f.sha256(),
            Input::Folder { files, .. } => {
                let mut lines: Vec<String> =
                    files.iter().map(|f| format!("{} {}\n", f.base_name(), f.sha256())).collect();
                lines.sort();
                sha256_hex(lines.concat().as_bytes())
            }
        }
    }

    /// The one file of a single-file input; a folder is refused.
    pub fn single_file(&self) -> Result<&SourceFile, Located> {
        match self {
            Input::File(f) => Ok(f),
            Input::Folder { name, .. } => {
                Err(Located::at(name, 0, 0, "this format is read from one file, not a folder"))
            }
        }
    }

    /// A file of a folder input by base name, compared without case (`DataProperties.json`).
    pub fn file_named(&self, base: &str) -> Option<&SourceFile> {
        match self {
            Input::File(f) => f.base_name().eq_ignore_ascii_case(base).then_some(f),
            Input::Folder { files, .. } => files.iter().find(|f| f.base_name().eq_ignore_ascii_case(base)),
        }
    }

    /// All files of the input.
    pub fn files(&self) -> &[SourceFile] {
        match self {
            Input::File(f) => std::slice::from_ref(f),
            Input::Folder { files, .. } => files,
        }
    }
}

fn load_file(path: &Path) -> Result<SourceFile, Located> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| Located::at(&name, 0, 0, format!("cannot open: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(Located::at(
            &name,
            0,
            0,
            format!("the file is {} bytes; wijkmonitor reads files up to {MAX_FILE_BYTES} bytes", meta.len()),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| Located::at(&name, 0, 0, format!("cannot read: {e}")))?;
    Ok(SourceFile { name, bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_and_invalid_text_are_located() {
        let f = SourceFile::new("x.csv", b"a,b\nc,\0d\n".to_vec());
        assert_eq!(
            f.text().unwrap_err().to_string(),
            "x.csv:2:3: this is a binary file, not text (it contains a NUL byte)"
        );
        let f = SourceFile::new("x.csv", b"a,b\n\xff\n".to_vec());
        assert!(f.text().unwrap_err().to_string().starts_with("x.csv:2:1: the file is not valid UTF-8"));
        let f = SourceFile::new("x.csv", b"\xEF\xBB\xBFa,b\n".to_vec());
        assert_eq!(f.text().unwrap(), "a,b\n");
    }

    #[test]
    fn folder_hash_ignores_folder_name_but_not_content() {
        let a = Input::Folder { name: "a".into(), files: vec![SourceFile::new("a/x.json", b"1".to_vec())] };
        let b = Input::Folder { name: "b".into(), files: vec![SourceFile::new("b/x.json", b"1".to_vec())] };
        let c = Input::Folder { name: "b".into(), files: vec![SourceFile::new("b/x.json", b"2".to_vec())] };
        assert_eq!(a.sha256(), b.sha256());
        assert_ne!(b.sha256(), c.sha256());
    }
}
