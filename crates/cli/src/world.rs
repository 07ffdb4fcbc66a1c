//! The guest's WASI world from the command line: stdin (`--input`), pre-opened directories
//! (`--dir HOST[::GUEST]`, wasmtime's syntax), environment (`--env K=V`) and arguments
//! (after `--`), packed into the ZisK input (czisk-runtime's `wasi::image`).

use std::path::Path;

use anyhow::{bail, Context, Result};
use czisk_runtime::wasi::image::{pack, Entry, Preopen, WasiWorld};

/// Deepest directory nesting read from a `--dir` (a symlink loop ends here with an error).
const MAX_DEPTH: usize = 64;

/// What the command line asked the guest's world to hold.
#[derive(Debug, Default, Clone)]
pub struct WorldArgs {
    pub dirs: Vec<String>,
    pub env: Vec<String>,
    /// Arguments after the program name.
    pub args: Vec<String>,
}

impl WorldArgs {
    pub fn is_empty(&self) -> bool {
        self.dirs.is_empty() && self.env.is_empty() && self.args.is_empty()
    }
}

/// The framed ZisK input holding the WASI image. `program`, when given, is `argv[0]`
/// (before the arguments); without it argv is empty, as Sightglass's runner has it.
pub fn framed_image(stdin: Vec<u8>, program: Option<&str>, world: &WorldArgs) -> Result<Vec<u8>> {
    let mut preopens = Vec::new();
    // Counted as the files are read, so that a directory far too big for the input region
    // is refused before it is all in memory (`pack` checks the exact total).
    let mut file_bytes = 0u64;
    for spec in &world.dirs {
        let (host, guest) = match spec.split_once("::") {
            Some((host, guest)) => (host, guest),
            None => (spec.as_str(), spec.as_str()),
        };
        if guest.is_empty() {
            bail!("--dir {spec}: the guest path is empty");
        }
        let host = Path::new(host);
        let meta = std::fs::metadata(host)
            .with_context(|| format!("--dir {spec}: cannot open '{}'", host.display()))?;
        if !meta.is_dir() {
            bail!("--dir {spec}: '{}' is not a directory", host.display());
        }
        preopens.push(Preopen {
            guest_path: guest.as_bytes().to_vec(),
            entries: read_dir(host, 0, &mut file_bytes)?,
        });
    }
    for var in &world.env {
        if !var.contains('=') {
            bail!("--env {var}: expected KEY=VALUE");
        }
    }
    let mut args: Vec<Vec<u8>> = program.map(|p| p.as_bytes().to_vec()).into_iter().collect();
    args.extend(world.args.iter().map(|a| a.as_bytes().to_vec()));
    let world = WasiWorld {
        stdin,
        args,
        env: world.env.iter().map(|v| v.as_bytes().to_vec()).collect(),
        preopens,
    };
    let image = pack(&world, czisk_zisk::program::MAX_GUEST_INPUT as u64)?;
    Ok(czisk_zisk::frame_input(&image)?)
}

/// Every file and directory under `dir` (symlinks followed); `file_bytes` counts the data.
fn read_dir(dir: &Path, depth: usize, file_bytes: &mut u64) -> Result<Vec<Entry>> {
    if depth > MAX_DEPTH {
        bail!(
            "'{}' is nested more than {MAX_DEPTH} directories deep (a symlink loop?)",
            dir.display()
        );
    }
    let mut entries = Vec::new();
    for item in
        std::fs::read_dir(dir).with_context(|| format!("cannot list '{}'", dir.display()))?
    {
        let item = item.with_context(|| format!("cannot list '{}'", dir.display()))?;
        let path = item.path();
        let name = item.file_name().into_encoded_bytes();
        let meta = std::fs::metadata(&path)
            .with_context(|| format!("cannot read '{}'", path.display()))?;
        if meta.is_dir() {
            entries.push(Entry::Dir {
                name,
                entries: read_dir(&path, depth + 1, file_bytes)?,
            });
        } else {
            *file_bytes += meta.len();
            let max = czisk_zisk::program::MAX_GUEST_INPUT as u64;
            if *file_bytes > max {
                bail!(
                    "the files under the --dir directories pass {max} bytes at '{}': more than the ZisK input region holds",
                    path.display()
                );
            }
            let data = std::fs::read(&path)
                .with_context(|| format!("cannot read '{}'", path.display()))?;
            entries.push(Entry::File { name, data });
        }
    }
    Ok(entries)
}
