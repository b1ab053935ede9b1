//! Content files that are read only when a command needs them: the images under content/ (the
//! logo, narrative and policy images; evidence screenshots are images too) and the SHA-256 of
//! evidence files.
//!
//! Loading a project lists these files but reads none of them: `check` reads the images it
//! validates and hashes the evidence files whose `sha256:` it compares, the package reads the
//! images it shows and hashes the evidence files it lists, and the trust page reads only its own
//! images. A file is read at most once per load, however many steps ask for it.

use super::model::Evidence;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

/// Images larger than this are not offered to the renderers (they would bloat the PDF and the
/// trust page); `check` reports them as any other file it cannot show.
pub const MAX_IMAGE_BYTES: u64 = 20 * 1024 * 1024;

/// One image file: where it is, and its bytes once read (`None` if reading failed).
#[derive(Debug, Clone, Default)]
struct Entry {
    path: PathBuf,
    bytes: OnceLock<Option<Vec<u8>>>,
}

/// The image files under content/ that templates may show, by path relative to content/
/// (`assets/logo.svg`). Listed when the project is loaded, read on first [`Assets::get`].
/// Clones share the files already read.
#[derive(Debug, Clone, Default)]
pub struct Assets {
    files: Arc<BTreeMap<String, Entry>>,
}

impl Assets {
    /// Lists the readable image files (PNG, JPEG, GIF, SVG, WebP; under 20 MB; at most 8 folders
    /// deep) under `content`, without reading them.
    pub fn scan(content: &Path) -> Assets {
        let mut files = BTreeMap::new();
        for e in walkdir::WalkDir::new(content)
            .max_depth(8)
            .into_iter()
            .filter_map(|e| e.ok())
        {
            let p = e.path();
            let is_img = p.extension().and_then(|x| x.to_str()).is_some_and(|x| {
                matches!(
                    x.to_ascii_lowercase().as_str(),
                    "png" | "jpg" | "jpeg" | "gif" | "svg" | "webp"
                )
            });
            if e.file_type().is_file()
                && is_img
                && e.metadata().is_ok_and(|m| m.len() < MAX_IMAGE_BYTES)
                // Opened, not read: a file that cannot be read is not listed, as before.
                && std::fs::File::open(p).is_ok()
            {
                let rel = p.strip_prefix(content).unwrap_or(p);
                let rel = rel.to_string_lossy().replace('\\', "/");
                files.insert(
                    rel,
                    Entry {
                        path: p.to_path_buf(),
                        bytes: OnceLock::new(),
                    },
                );
            }
        }
        Assets {
            files: Arc::new(files),
        }
    }

    /// Adds a file whose bytes are already known (tests, generated content).
    pub fn insert(&mut self, rel: String, bytes: Vec<u8>) {
        Arc::make_mut(&mut self.files).insert(
            rel,
            Entry {
                path: PathBuf::new(),
                bytes: OnceLock::from(Some(bytes)),
            },
        );
    }

    /// Forgets the image `rel` (tests: a logo file that does not exist).
    pub fn remove(&mut self, rel: &str) {
        Arc::make_mut(&mut self.files).remove(rel);
    }

    /// True if `rel` (relative to content/) is an image that may be shown. Reads nothing.
    pub fn contains_key(&self, rel: &str) -> bool {
        self.files.contains_key(rel)
    }

    /// The bytes of the image `rel` (relative to content/), read from disk on the first call.
    /// `None` if there is no such image or it can no longer be read.
    pub fn get(&self, rel: &str) -> Option<&Vec<u8>> {
        let e = self.files.get(rel)?;
        e.bytes.get_or_init(|| std::fs::read(&e.path).ok()).as_ref()
    }

    /// The images' paths relative to content/, in order. Reads nothing.
    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.files.keys()
    }

    /// The number of images listed.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True if there are no images under content/.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// True if the image `rel` has been read (by [`Assets::get`]) since the project was loaded;
    /// shows which images a command needed.
    pub fn is_read(&self, rel: &str) -> bool {
        self.files.get(rel).is_some_and(|e| e.bytes.get().is_some())
    }
}

/// The SHA-256 of an evidence record's file, computed on first use and kept.
#[derive(Debug, Clone, Default)]
pub struct FileDigest {
    path: Option<PathBuf>,
    sha256: OnceLock<Option<String>>,
}

impl FileDigest {
    /// The digest of the file at `path` (none if the record names no file, or an unsafe path).
    pub fn new(path: Option<PathBuf>) -> FileDigest {
        FileDigest {
            path,
            sha256: OnceLock::new(),
        }
    }

    /// Lower-case hex SHA-256 of the file, read and hashed on the first call; `None` if there is
    /// no file or it cannot be read (a folder, missing, unreadable).
    pub fn get(&self) -> Option<&String> {
        self.sha256
            .get_or_init(|| sha256_file(self.path.as_deref()?))
            .as_ref()
    }

    /// True if the file has been hashed since the project was loaded.
    pub fn computed(&self) -> bool {
        self.sha256.get().is_some()
    }
}

/// Lower-case hex SHA-256 of a file, streamed (a large screenshot is not held in memory).
fn sha256_file(path: &Path) -> Option<String> {
    let mut f = std::fs::File::open(path).ok()?;
    let mut h = Sha256::new();
    std::io::copy(&mut f, &mut h).ok()?;
    Some(super::load::hex(&h.finalize()))
}

impl Evidence {
    /// SHA-256 of the evidence file, computed on first use (for the `sha256:` check and the
    /// views that print it); `None` if the record names no readable file.
    pub fn file_sha256(&self) -> Option<&String> {
        self.file_digest.get()
    }
}
