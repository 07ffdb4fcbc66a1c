//! The WASI image: what a run's WASI world holds (stdin, arguments, environment, the
//! pre-opened directories and their files), packed into the ZisK input region so that the
//! proof commits to every byte the guest can read.
//!
//! The input region holds an 8-byte length and then the data (`zisk_map`). When the data
//! starts with [`MAGIC`] it is an image; otherwise the whole data is stdin, the layout ZisK's
//! wasm transpiler and `ziskos` read, so a raw input file keeps working.
//!
//! Layout (little-endian u64 words, offsets from the start of the data, 8-aligned):
//! - the header, [`HEADER_WORDS`] words indexed by the `W_*` constants;
//! - argument and environment strings, each NUL-terminated, back to back, with a table of
//!   each string's offset in its buffer;
//! - the node table: [`NODE_WORDS`] words per node, indexed by the `N_*` constants. Nodes
//!   `0..preopens` are the pre-opened directories (fd `3 + i`; their name is the guest path
//!   given to `fd_prestat_dir_name`, their parent themselves); every other node is a file or
//!   directory whose parent is a directory node. A directory's children are in name order.
//! - names and file contents.

use crate::zisk_map;

/// "czWASI01" as a little-endian word.
pub const MAGIC: u64 = u64::from_le_bytes(*b"czWASI01");

pub const W_MAGIC: u64 = 0;
pub const W_STDIN_OFF: u64 = 1;
pub const W_STDIN_LEN: u64 = 2;
pub const W_ARGC: u64 = 3;
pub const W_ARGS_BUF_LEN: u64 = 4;
pub const W_ARGS_TABLE: u64 = 5;
pub const W_ARGS_BUF: u64 = 6;
pub const W_ENVC: u64 = 7;
pub const W_ENV_BUF_LEN: u64 = 8;
pub const W_ENV_TABLE: u64 = 9;
pub const W_ENV_BUF: u64 = 10;
pub const W_PREOPENS: u64 = 11;
pub const W_NODES: u64 = 12;
pub const W_NODE_TABLE: u64 = 13;
pub const HEADER_WORDS: u64 = 14;

pub const N_PARENT: u64 = 0;
pub const N_FILETYPE: u64 = 1;
pub const N_NAME_OFF: u64 = 2;
pub const N_NAME_LEN: u64 = 3;
pub const N_DATA_OFF: u64 = 4;
pub const N_SIZE: u64 = 5;
pub const NODE_WORDS: u64 = 6;

/// WASI filetypes the image uses.
pub const FILETYPE_CHARACTER_DEVICE: u64 = 2;
pub const FILETYPE_DIRECTORY: u64 = 3;
pub const FILETYPE_REGULAR_FILE: u64 = 4;

/// A file or directory inside a pre-opened directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    File { name: Vec<u8>, data: Vec<u8> },
    Dir { name: Vec<u8>, entries: Vec<Entry> },
}

impl Entry {
    fn name(&self) -> &[u8] {
        match self {
            Entry::File { name, .. } | Entry::Dir { name, .. } => name,
        }
    }
}

/// A directory the guest sees pre-opened under `guest_path` (wasmtime's `--dir HOST::GUEST`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preopen {
    pub guest_path: Vec<u8>,
    pub entries: Vec<Entry>,
}

/// Everything a run's WASI functions can read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WasiWorld {
    pub stdin: Vec<u8>,
    /// `argv`, the program name first (as wasmtime passes it).
    pub args: Vec<Vec<u8>>,
    /// `KEY=VALUE` strings.
    pub env: Vec<Vec<u8>>,
    pub preopens: Vec<Preopen>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ImageError {
    #[error("{what} contains a NUL byte")]
    Nul { what: String },
    #[error("a file or directory name in a pre-opened directory is empty, '.', '..' or contains '/': {name:?}")]
    BadName { name: String },
    #[error(
        "the WASI input (stdin, arguments, environment and files) is {len} bytes; the ZisK input region holds at most {max}"
    )]
    TooLarge { len: u64, max: u64 },
}

struct Node {
    parent: u64,
    filetype: u64,
    name: Vec<u8>,
    data: Vec<u8>,
}

/// Packs `world` into the data of the input region (to be framed with its length).
/// `capacity` is the most the region can hold.
pub fn pack(world: &WasiWorld, capacity: u64) -> Result<Vec<u8>, ImageError> {
    for (what, strings) in [
        ("an argument", &world.args),
        ("an environment variable", &world.env),
    ] {
        if let Some(s) = strings.iter().find(|s| s.contains(&0)) {
            return Err(ImageError::Nul {
                what: format!("{what} ({:?})", String::from_utf8_lossy(s)),
            });
        }
    }
    // Breadth first: roots, then each directory's children in name order.
    let mut nodes: Vec<Node> = world
        .preopens
        .iter()
        .enumerate()
        .map(|(i, p)| Node {
            parent: i as u64,
            filetype: FILETYPE_DIRECTORY,
            name: p.guest_path.clone(),
            data: Vec::new(),
        })
        .collect();
    let mut queue: std::collections::VecDeque<(u64, &[Entry])> = world
        .preopens
        .iter()
        .enumerate()
        .map(|(i, p)| (i as u64, p.entries.as_slice()))
        .collect();
    while let Some((parent, entries)) = queue.pop_front() {
        let mut sorted: Vec<&Entry> = entries.iter().collect();
        sorted.sort_by(|a, b| a.name().cmp(b.name()));
        for entry in sorted {
            let name = entry.name();
            if name.is_empty() || name == b"." || name == b".." || name.contains(&b'/') {
                return Err(ImageError::BadName {
                    name: String::from_utf8_lossy(name).into(),
                });
            }
            let index = nodes.len() as u64;
            match entry {
                Entry::File { data, .. } => nodes.push(Node {
                    parent,
                    filetype: FILETYPE_REGULAR_FILE,
                    name: name.to_vec(),
                    data: data.clone(),
                }),
                Entry::Dir { entries, .. } => {
                    nodes.push(Node {
                        parent,
                        filetype: FILETYPE_DIRECTORY,
                        name: name.to_vec(),
                        data: Vec::new(),
                    });
                    queue.push_back((index, entries));
                }
            }
        }
    }

    let mut image = Image {
        bytes: vec![0; (HEADER_WORDS * 8) as usize],
    };
    image.set(W_MAGIC, MAGIC);
    let stdin_off = image.append(&world.stdin);
    image.set(W_STDIN_OFF, stdin_off);
    image.set(W_STDIN_LEN, world.stdin.len() as u64);
    for (strings, [count, buf_len, table, buf]) in [
        (
            &world.args,
            [W_ARGC, W_ARGS_BUF_LEN, W_ARGS_TABLE, W_ARGS_BUF],
        ),
        (&world.env, [W_ENVC, W_ENV_BUF_LEN, W_ENV_TABLE, W_ENV_BUF]),
    ] {
        let mut buffer = Vec::new();
        let mut offsets = Vec::new();
        for s in strings {
            offsets.extend_from_slice(&(buffer.len() as u64).to_le_bytes());
            buffer.extend_from_slice(s);
            buffer.push(0);
        }
        image.set(count, strings.len() as u64);
        image.set(buf_len, buffer.len() as u64);
        let at = image.append(&offsets);
        image.set(table, at);
        let at = image.append(&buffer);
        image.set(buf, at);
    }
    image.set(W_PREOPENS, world.preopens.len() as u64);
    image.set(W_NODES, nodes.len() as u64);
    let table = image.append(&vec![0; nodes.len() * (NODE_WORDS * 8) as usize]);
    image.set(W_NODE_TABLE, table);
    for (i, node) in nodes.iter().enumerate() {
        let name_off = image.append(&node.name);
        let data_off = image.append(&node.data);
        let word = |field: u64| (table / 8) + i as u64 * NODE_WORDS + field;
        image.set(word(N_PARENT), node.parent);
        image.set(word(N_FILETYPE), node.filetype);
        image.set(word(N_NAME_OFF), name_off);
        image.set(word(N_NAME_LEN), node.name.len() as u64);
        image.set(word(N_DATA_OFF), data_off);
        image.set(word(N_SIZE), node.data.len() as u64);
    }
    let len = image.bytes.len() as u64;
    if len > capacity {
        return Err(ImageError::TooLarge { len, max: capacity });
    }
    Ok(image.bytes)
}

struct Image {
    bytes: Vec<u8>,
}

impl Image {
    fn set(&mut self, word: u64, value: u64) {
        let at = (word * 8) as usize;
        self.bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
    }

    /// Appends `data` at the next 8-aligned offset; returns that offset.
    fn append(&mut self, data: &[u8]) -> u64 {
        let at = self.bytes.len() as u64;
        self.bytes.extend_from_slice(data);
        self.bytes.resize(self.bytes.len().next_multiple_of(8), 0);
        at
    }
}

/// The absolute address of header word `w` (only meaningful when an image is present).
pub(crate) const fn header_addr(w: u64) -> u64 {
    zisk_map::INPUT_DATA_ADDR + 8 * w
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(bytes: &[u8], w: u64) -> u64 {
        let at = (w * 8) as usize;
        u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap())
    }

    #[test]
    fn packs_stdin_strings_and_a_tree_breadth_first_in_name_order() {
        let world = WasiWorld {
            stdin: b"in".to_vec(),
            args: vec![b"prog".to_vec(), b"x".to_vec()],
            env: vec![b"K=V".to_vec()],
            preopens: vec![Preopen {
                guest_path: b".".to_vec(),
                entries: vec![
                    Entry::Dir {
                        name: b"sub".to_vec(),
                        entries: vec![Entry::File {
                            name: b"deep".to_vec(),
                            data: b"d".to_vec(),
                        }],
                    },
                    Entry::File {
                        name: b"a.txt".to_vec(),
                        data: b"hello".to_vec(),
                    },
                ],
            }],
        };
        let image = pack(&world, 1 << 20).unwrap();
        assert_eq!(word(&image, W_MAGIC), MAGIC);
        assert_eq!(image.len() % 8, 0);
        let stdin = word(&image, W_STDIN_OFF) as usize;
        assert_eq!(&image[stdin..stdin + 2], b"in");
        assert_eq!(word(&image, W_ARGC), 2);
        assert_eq!(word(&image, W_ARGS_BUF_LEN), 7);
        let buf = word(&image, W_ARGS_BUF) as usize;
        assert_eq!(&image[buf..buf + 7], b"prog\0x\0");
        let table = word(&image, W_ARGS_TABLE) as usize;
        assert_eq!(word(&image[table..], 1), 5);
        assert_eq!(word(&image, W_NODES), 4);
        let nodes = word(&image, W_NODE_TABLE) / 8;
        let field = |n: u64, f: u64| word(&image, nodes + n * NODE_WORDS + f);
        let name = |n: u64| {
            let at = field(n, N_NAME_OFF) as usize;
            image[at..at + field(n, N_NAME_LEN) as usize].to_vec()
        };
        // Root, then a.txt before sub (name order), then sub's child.
        assert_eq!(
            (0..4).map(name).collect::<Vec<_>>(),
            [&b"."[..], b"a.txt", b"sub", b"deep"]
        );
        assert_eq!(
            (0..4).map(|n| field(n, N_PARENT)).collect::<Vec<_>>(),
            [0, 0, 0, 2]
        );
        assert_eq!(field(1, N_SIZE), 5);
        let data = field(1, N_DATA_OFF) as usize;
        assert_eq!(&image[data..data + 5], b"hello");
        assert_eq!(field(2, N_FILETYPE), FILETYPE_DIRECTORY);
    }

    #[test]
    fn refuses_what_the_guest_could_not_see_faithfully() {
        let nul = WasiWorld {
            args: vec![b"a\0b".to_vec()],
            ..Default::default()
        };
        assert!(matches!(pack(&nul, 1 << 20), Err(ImageError::Nul { .. })));
        let big = WasiWorld {
            stdin: vec![1; 1000],
            ..Default::default()
        };
        assert!(matches!(
            pack(&big, 999),
            Err(ImageError::TooLarge {
                len: 1112,
                max: 999
            })
        ));
        let dotdot = WasiWorld {
            preopens: vec![Preopen {
                guest_path: b".".to_vec(),
                entries: vec![Entry::File {
                    name: b"..".to_vec(),
                    data: vec![],
                }],
            }],
            ..Default::default()
        };
        assert!(matches!(
            pack(&dotdot, 1 << 20),
            Err(ImageError::BadName { .. })
        ));
    }
}
