//! The guest's WASI world: stdin, pre-opened directories, environment and arguments,
//! packed into the ZisK input (czisk-runtime's `wasi::image`), so the proof commits to
//! every byte the guest can read.

use std::path::{Path, PathBuf};

use czisk_runtime::wasi::image::{pack, Entry, Preopen, WasiWorld};

use crate::{Error, Limits};

/// Deepest directory nesting read from a pre-opened directory (a symlink loop ends here
/// with an error).
const MAX_DEPTH: usize = 64;

/// A host directory the guest sees, read-only, under another name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dir {
    /// The directory on this machine; every file under it is read into the input.
    pub host: PathBuf,
    /// Its name for the guest (`.` for relative paths in C and Rust, `/` for Go).
    pub guest: String,
}

/// What the guest reads: its stdin and, for czisk's runtime, a WASI world.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Input {
    /// The guest's stdin (`fd_read` on fd 0; ZisK's input region).
    pub stdin: Vec<u8>,
    /// argv, program name included (empty: no arguments at all).
    pub args: Vec<String>,
    /// Environment variables, as (key, value).
    pub env: Vec<(String, String)>,
    /// Pre-opened directories.
    pub dirs: Vec<Dir>,
}

impl Input {
    /// An input of `stdin` alone.
    pub fn stdin(stdin: Vec<u8>) -> Input {
        Input {
            stdin,
            ..Input::default()
        }
    }

    /// Whether it is stdin alone. Then the input is laid out raw (an 8-byte length and
    /// the bytes), the layout ZisK's wasm transpiler and `ziskos` read, so the figures
    /// are those `ziskemu` / `cargo-zisk` give for the same file; otherwise it is a WASI
    /// image, which czisk's runtime reads.
    pub fn is_stdin_only(&self) -> bool {
        self.args.is_empty() && self.env.is_empty() && self.dirs.is_empty()
    }

    /// The bytes of ZisK's input region for a program that runs czisk's runtime
    /// (`wasi`) or not.
    pub(crate) fn framed(&self, wasi: bool) -> Result<Vec<u8>, Error> {
        let too_large = |e: czisk_zisk::InputError| Error::LimitExceeded(e.to_string());
        if self.is_stdin_only() {
            return czisk_zisk::frame_input(&self.stdin).map_err(too_large);
        }
        if !wasi {
            return Err(Error::Input(
                "pre-opened directories (--dir), environment variables (--env) and guest arguments need czisk's runtime: the wasm2zisk backend reads only stdin"
                    .into(),
            ));
        }
        let image = self.image()?;
        czisk_zisk::frame_input(&image).map_err(too_large)
    }

    /// The WASI image (`czisk_runtime::wasi::image`).
    fn image(&self) -> Result<Vec<u8>, Error> {
        let mut preopens = Vec::new();
        // Counted as the files are read, so that a directory far too big for the input
        // region is refused before it is all in memory (`pack` checks the exact total).
        let mut file_bytes = 0u64;
        for dir in &self.dirs {
            let what = format!("pre-opened directory {}::{}", dir.host.display(), dir.guest);
            if dir.guest.is_empty() {
                return Err(Error::Input(format!("{what}: the guest path is empty")));
            }
            let meta = std::fs::metadata(&dir.host).map_err(|e| {
                Error::Input(format!("{what}: cannot open '{}': {e}", dir.host.display()))
            })?;
            if !meta.is_dir() {
                return Err(Error::Input(format!(
                    "{what}: '{}' is not a directory",
                    dir.host.display()
                )));
            }
            preopens.push(Preopen {
                guest_path: dir.guest.as_bytes().to_vec(),
                entries: read_dir(&dir.host, 0, &mut file_bytes)?,
            });
        }
        for (key, _) in &self.env {
            if key.is_empty() || key.contains('=') {
                return Err(Error::Input(format!(
                    "environment variable '{key}': a key must be non-empty and have no '='"
                )));
            }
        }
        let world = WasiWorld {
            stdin: self.stdin.clone(),
            args: self.args.iter().map(|a| a.as_bytes().to_vec()).collect(),
            env: self
                .env
                .iter()
                .map(|(k, v)| format!("{k}={v}").into_bytes())
                .collect(),
            preopens,
        };
        pack(&world, Limits::INPUT_BYTES as u64).map_err(|e| match e {
            czisk_runtime::wasi::image::ImageError::TooLarge { .. } => {
                Error::LimitExceeded(e.to_string())
            }
            other => Error::Input(other.to_string()),
        })
    }
}

/// Every file and directory under `dir` (symlinks followed); `file_bytes` counts the data.
fn read_dir(dir: &Path, depth: usize, file_bytes: &mut u64) -> Result<Vec<Entry>, Error> {
    if depth > MAX_DEPTH {
        return Err(Error::Input(format!(
            "'{}' is nested more than {MAX_DEPTH} directories deep (a symlink loop?)",
            dir.display()
        )));
    }
    let mut entries = Vec::new();
    for item in std::fs::read_dir(dir).map_err(|e| Error::io("list", dir, e))? {
        let item = item.map_err(|e| Error::io("list", dir, e))?;
        let path = item.path();
        let name = item.file_name().into_encoded_bytes();
        let meta = std::fs::metadata(&path).map_err(|e| Error::io("read", &path, e))?;
        if meta.is_dir() {
            entries.push(Entry::Dir {
                name,
                entries: read_dir(&path, depth + 1, file_bytes)?,
            });
        } else {
            *file_bytes += meta.len();
            let max = Limits::INPUT_BYTES as u64;
            if *file_bytes > max {
                return Err(Error::LimitExceeded(format!(
                    "the files under the pre-opened directories pass {max} bytes at '{}': more than the ZisK input region holds",
                    path.display()
                )));
            }
            let data = std::fs::read(&path).map_err(|e| Error::io("read", &path, e))?;
            entries.push(Entry::File { name, data });
        }
    }
    Ok(entries)
}
