//! A sparse Merkle-Patricia trie: the nodes a witness reveals, with the pruned subtrees
//! kept as their hashes (`Digest`). Reads, inserts and deletes that stay inside the
//! revealed part work as in a full trie; one that needs a pruned node fails with
//! `TrieError::MissingNode`, which means the witness was incomplete.
//!
//! Keys are nibble sequences (`nibbles`). Every key in a trie has no other key as a prefix
//! (fixed-length hashed keys, or RLP-encoded indices), so branches never hold a value.

use alloc::{boxed::Box, vec, vec::Vec};
use core::cell::OnceCell;
use revm::primitives::B256;

use crate::hash::keccak256;

/// Keccak-256 of the RLP of an empty string: the root of an empty trie.
pub const EMPTY_ROOT: B256 = B256::new([
    0x56, 0xe8, 0x1f, 0x17, 0x1b, 0xcc, 0x55, 0xa6, 0xff, 0x83, 0x45, 0xe6, 0x92, 0xc0, 0xf8, 0x6e,
    0x5b, 0x48, 0xe0, 0x1b, 0x99, 0x6c, 0xad, 0xc0, 0x01, 0x62, 0x2f, 0xb5, 0xe3, 0x63, 0xb4, 0x21,
]);

/// Reported through `Debug` in the guest's failure message.
#[derive(Debug)]
#[allow(dead_code)]
pub enum TrieError {
    /// The operation needs the node behind this hash, which the witness pruned.
    MissingNode(B256),
    /// A key that is a prefix of another (or equal to a branch's path): never valid here.
    KeyIsPrefix,
}

#[derive(Default)]
pub enum Node {
    #[default]
    Null,
    Branch {
        children: Box<[Node; 16]>,
        cached: OnceCell<NodeRef>,
    },
    Leaf {
        path: Vec<u8>,
        value: Vec<u8>,
        cached: OnceCell<NodeRef>,
    },
    Extension {
        path: Vec<u8>,
        child: Box<Node>,
        cached: OnceCell<NodeRef>,
    },
    Digest(B256),
}

/// How a parent refers to a node: its RLP itself when shorter than 32 bytes, else its hash.
#[derive(Clone)]
pub enum NodeRef {
    Inline(Vec<u8>),
    Hash(B256),
}

impl Node {
    pub fn branch(children: [Node; 16]) -> Node {
        Node::Branch {
            children: Box::new(children),
            cached: OnceCell::new(),
        }
    }

    pub fn leaf(path: Vec<u8>, value: Vec<u8>) -> Node {
        Node::Leaf {
            path,
            value,
            cached: OnceCell::new(),
        }
    }

    pub fn extension(path: Vec<u8>, child: Node) -> Node {
        Node::Extension {
            path,
            child: Box::new(child),
            cached: OnceCell::new(),
        }
    }

    /// The trie's root hash (a lone root is hashed even when its RLP is short).
    pub fn hash(&self) -> B256 {
        match self {
            Node::Null => EMPTY_ROOT,
            Node::Digest(hash) => *hash,
            _ => match self.reference() {
                NodeRef::Hash(hash) => *hash,
                NodeRef::Inline(rlp) => keccak256(rlp),
            },
        }
    }

    /// Computed once per node and kept until a change below it (the trie is hashed for the
    /// parent state and again for the post state, mostly over the same nodes).
    fn reference(&self) -> &NodeRef {
        let cached = match self {
            Node::Null | Node::Digest(_) => unreachable!("referenced through `append_reference`"),
            Node::Branch { cached, .. }
            | Node::Leaf { cached, .. }
            | Node::Extension { cached, .. } => cached,
        };
        cached.get_or_init(|| {
            let rlp = self.rlp();
            if rlp.len() < 32 {
                NodeRef::Inline(rlp)
            } else {
                NodeRef::Hash(keccak256(&rlp))
            }
        })
    }

    fn append_reference(&self, out: &mut Vec<u8>) {
        match self {
            Node::Null => out.push(alloy_rlp::EMPTY_STRING_CODE),
            Node::Digest(hash) => append_string(out, hash.as_slice()),
            _ => match self.reference() {
                NodeRef::Inline(rlp) => out.extend_from_slice(rlp),
                NodeRef::Hash(hash) => append_string(out, hash.as_slice()),
            },
        }
    }

    /// The node's own RLP encoding.
    fn rlp(&self) -> Vec<u8> {
        let mut payload = Vec::new();
        match self {
            Node::Null => return vec![alloy_rlp::EMPTY_STRING_CODE],
            Node::Digest(_) => unreachable!("a pruned node has no encoding here"),
            Node::Leaf { path, value, .. } => {
                append_string(&mut payload, &encode_hex_prefix(path, true));
                append_string(&mut payload, value);
            }
            Node::Extension { path, child, .. } => {
                append_string(&mut payload, &encode_hex_prefix(path, false));
                child.append_reference(&mut payload);
            }
            Node::Branch { children, .. } => {
                for child in children.iter() {
                    child.append_reference(&mut payload);
                }
                payload.push(alloy_rlp::EMPTY_STRING_CODE);
            }
        }
        let mut out = Vec::with_capacity(payload.len() + 3);
        alloy_rlp::Header {
            list: true,
            payload_length: payload.len(),
        }
        .encode(&mut out);
        out.extend_from_slice(&payload);
        out
    }

    /// The value stored under `key`, `None` if the trie proves there is none.
    pub fn get(&self, key: &[u8]) -> Result<Option<&[u8]>, TrieError> {
        match self {
            Node::Null => Ok(None),
            Node::Digest(hash) => Err(TrieError::MissingNode(*hash)),
            Node::Leaf { path, value, .. } => {
                Ok((path.as_slice() == key).then_some(value.as_slice()))
            }
            Node::Extension { path, child, .. } => match key.strip_prefix(path.as_slice()) {
                Some(rest) => child.get(rest),
                None => Ok(None),
            },
            Node::Branch { children, .. } => match key.split_first() {
                Some((&nibble, rest)) => children[nibble as usize].get(rest),
                None => Err(TrieError::KeyIsPrefix),
            },
        }
    }

    pub fn insert(&mut self, key: &[u8], new_value: Vec<u8>) -> Result<(), TrieError> {
        match self {
            Node::Null => *self = Node::leaf(key.to_vec(), new_value),
            Node::Digest(hash) => return Err(TrieError::MissingNode(*hash)),
            Node::Branch { children, cached } => {
                let (&nibble, rest) = key.split_first().ok_or(TrieError::KeyIsPrefix)?;
                children[nibble as usize].insert(rest, new_value)?;
                cached.take();
            }
            Node::Leaf {
                path,
                value,
                cached,
            } => {
                if path.as_slice() == key {
                    *value = new_value;
                    cached.take();
                    return Ok(());
                }
                let common = common_prefix_len(path, key);
                if common == path.len() || common == key.len() {
                    return Err(TrieError::KeyIsPrefix);
                }
                let mut children: [Node; 16] = Default::default();
                children[path[common] as usize] =
                    Node::leaf(path[common + 1..].to_vec(), core::mem::take(value));
                children[key[common] as usize] = Node::leaf(key[common + 1..].to_vec(), new_value);
                *self = with_prefix(&key[..common], Node::branch(children));
            }
            Node::Extension {
                path,
                child,
                cached,
            } => {
                let common = common_prefix_len(path, key);
                if common == path.len() {
                    child.insert(&key[common..], new_value)?;
                    cached.take();
                    return Ok(());
                }
                if common == key.len() {
                    return Err(TrieError::KeyIsPrefix);
                }
                // Split the extension where the key leaves it.
                let mut children: [Node; 16] = Default::default();
                let below = core::mem::take(&mut **child);
                children[path[common] as usize] = with_prefix(&path[common + 1..], below);
                children[key[common] as usize] = Node::leaf(key[common + 1..].to_vec(), new_value);
                *self = with_prefix(&key[..common], Node::branch(children));
            }
        }
        Ok(())
    }

    /// Removes `key`; returns whether it was there. Collapsing a branch down to one child
    /// needs that child's kind, so a pruned lone sibling is a `MissingNode`.
    pub fn delete(&mut self, key: &[u8]) -> Result<bool, TrieError> {
        match self {
            Node::Null => Ok(false),
            Node::Digest(hash) => Err(TrieError::MissingNode(*hash)),
            Node::Leaf { path, .. } => {
                if path.as_slice() != key {
                    return Ok(false);
                }
                *self = Node::Null;
                Ok(true)
            }
            Node::Extension { path, child, .. } => {
                let Some(rest) = key.strip_prefix(path.as_slice()) else {
                    return Ok(false);
                };
                if !child.delete(rest)? {
                    return Ok(false);
                }
                let prefix = core::mem::take(path);
                let below = core::mem::take(&mut **child);
                *self = with_prefix(&prefix, below);
                Ok(true)
            }
            Node::Branch { children, cached } => {
                let Some((&nibble, rest)) = key.split_first() else {
                    return Err(TrieError::KeyIsPrefix);
                };
                if !children[nibble as usize].delete(rest)? {
                    return Ok(false);
                }
                cached.take();
                let mut occupied = children
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| !matches!(c, Node::Null));
                match (occupied.next(), occupied.next()) {
                    (None, _) => *self = Node::Null,
                    (Some((only, _)), None) => {
                        let lone = core::mem::take(&mut children[only]);
                        if let Node::Digest(hash) = lone {
                            return Err(TrieError::MissingNode(hash));
                        }
                        *self = with_prefix(&[only as u8], lone);
                    }
                    _ => {}
                }
                Ok(true)
            }
        }
    }
}

/// `node` reached through `prefix` more nibbles: leaves and extensions absorb the prefix,
/// anything else gets an extension in front (no extension for an empty prefix).
fn with_prefix(prefix: &[u8], node: Node) -> Node {
    if prefix.is_empty() {
        return node;
    }
    match node {
        Node::Null => Node::Null,
        Node::Leaf { path, value, .. } => Node::leaf([prefix, &path].concat(), value),
        Node::Extension { path, child, .. } => Node::Extension {
            path: [prefix, &path].concat(),
            child,
            cached: OnceCell::new(),
        },
        other => Node::extension(prefix.to_vec(), other),
    }
}

fn common_prefix_len(a: &[u8], b: &[u8]) -> usize {
    a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

fn append_string(out: &mut Vec<u8>, bytes: &[u8]) {
    alloy_rlp::Encodable::encode(bytes, out);
}

/// A byte key as the trie walks it: high nibble first.
pub fn nibbles(key: &[u8]) -> Vec<u8> {
    key.iter().flat_map(|b| [b >> 4, b & 0x0f]).collect()
}

/// Hex-prefix encoding (Yellow Paper appendix C): a flag nibble (2 for a leaf, +1 for an odd
/// length), a zero pad nibble when the length is even, then the path's nibbles packed.
pub fn encode_hex_prefix(path: &[u8], leaf: bool) -> Vec<u8> {
    let flag = if leaf { 2 } else { 0 } + (path.len() % 2) as u8;
    let mut out = Vec::with_capacity(path.len() / 2 + 1);
    let rest = if path.len() % 2 == 1 {
        out.push(flag << 4 | path[0]);
        &path[1..]
    } else {
        out.push(flag << 4);
        path
    };
    out.extend(rest.chunks(2).map(|pair| pair[0] << 4 | pair[1]));
    out
}

/// The inverse of `encode_hex_prefix`, `None` if malformed or of the other node kind.
pub fn decode_hex_prefix(encoded: &[u8], leaf: bool) -> Option<Vec<u8>> {
    let (&first, rest) = encoded.split_first()?;
    let flag = first >> 4;
    if flag >> 1 != leaf as u8 || flag > 3 {
        return None;
    }
    let mut path = Vec::with_capacity(rest.len() * 2 + 1);
    if flag & 1 == 1 {
        path.push(first & 0x0f);
    } else if first & 0x0f != 0 {
        return None;
    }
    path.extend(nibbles(rest));
    Some(path)
}

#[cfg(all(test, not(target_os = "none")))]
mod tests {
    use super::*;

    fn key(i: u32) -> Vec<u8> {
        nibbles(keccak256(i.to_be_bytes()).as_slice())
    }

    /// Root of a trie built by inserting keys in order, without deletions: every shape of
    /// trie these tests make is checked against a rebuild from scratch.
    fn rebuilt(entries: &[(Vec<u8>, Vec<u8>)]) -> B256 {
        let mut trie = Node::Null;
        for (k, v) in entries {
            trie.insert(k, v.clone()).unwrap();
        }
        trie.hash()
    }

    #[test]
    fn known_roots() {
        assert_eq!(Node::Null.hash(), EMPTY_ROOT);
        assert_eq!(EMPTY_ROOT, keccak256([0x80]));
        // The transactions root of a block with one transaction whose encoding is 0x01:
        // key rlp(0) = 0x80, value 0x01; hash of rlp([0x20 0x80 hex-prefix path, 0x01]).
        let mut trie = Node::Null;
        trie.insert(&nibbles(&[0x80]), vec![0x01]).unwrap();
        assert_eq!(trie.hash(), keccak256([0xc4, 0x82, 0x20, 0x80, 0x01]));
    }

    #[test]
    fn hex_prefix_round_trips() {
        for len in 0..6 {
            let path: Vec<u8> = (0..len).map(|i| (i * 7 % 16) as u8).collect();
            for leaf in [false, true] {
                let encoded = encode_hex_prefix(&path, leaf);
                assert_eq!(decode_hex_prefix(&encoded, leaf), Some(path.clone()));
                assert_eq!(decode_hex_prefix(&encoded, !leaf), None);
            }
        }
    }

    #[test]
    fn insert_get_delete_match_a_rebuild() {
        let mut trie = Node::Null;
        let mut entries = Vec::new();
        for i in 0..200u32 {
            let value = vec![i as u8; 1 + (i as usize % 40)];
            trie.insert(&key(i), value.clone()).unwrap();
            entries.push((key(i), value));
            if i % 17 == 0 {
                assert_eq!(trie.hash(), rebuilt(&entries));
            }
        }
        for (k, v) in &entries {
            assert_eq!(trie.get(k).unwrap(), Some(v.as_slice()));
        }
        assert_eq!(trie.get(&key(1000)).unwrap(), None);
        // Delete two thirds, checking the root against a rebuild of what is left.
        for i in (0..200u32).filter(|i| i % 3 != 0) {
            assert!(trie.delete(&key(i)).unwrap());
            assert!(!trie.delete(&key(i)).unwrap());
            entries.retain(|(k, _)| *k != key(i));
            if i % 11 == 0 {
                assert_eq!(trie.hash(), rebuilt(&entries));
            }
        }
        assert_eq!(trie.hash(), rebuilt(&entries));
        for (k, _) in entries.clone() {
            trie.delete(&k).unwrap();
        }
        assert_eq!(trie.hash(), EMPTY_ROOT);
    }

    #[test]
    fn pruned_subtrees_keep_the_root_and_report_what_is_missing() {
        let mut full = Node::Null;
        for i in 0..50u32 {
            full.insert(&key(i), vec![i as u8; 33]).unwrap();
        }
        let root = full.hash();
        // Prune every child of the root branch except the one holding key(0).
        let Node::Branch { children, .. } = &full else {
            panic!("50 keys make a root branch")
        };
        let keep = key(0)[0] as usize;
        let pruned: [Node; 16] = core::array::from_fn(|i| match &children[i] {
            Node::Null => Node::Null,
            child if i == keep => rebuild_subtree(child),
            child => Node::Digest(child.hash()),
        });
        let mut sparse = Node::branch(pruned);
        assert_eq!(sparse.hash(), root);
        assert_eq!(sparse.get(&key(0)).unwrap(), Some(&[0u8; 33][..]));
        let elsewhere = (1..50).find(|&i| key(i)[0] as usize != keep).unwrap();
        assert!(matches!(
            sparse.get(&key(elsewhere)),
            Err(TrieError::MissingNode(_))
        ));
        // A change inside the revealed part gives the same root as in the full trie.
        sparse.insert(&key(0), vec![7; 40]).unwrap();
        full.insert(&key(0), vec![7; 40]).unwrap();
        assert_eq!(sparse.hash(), full.hash());
    }

    fn rebuild_subtree(node: &Node) -> Node {
        match node {
            Node::Null => Node::Null,
            Node::Digest(h) => Node::Digest(*h),
            Node::Leaf { path, value, .. } => Node::leaf(path.clone(), value.clone()),
            Node::Extension { path, child, .. } => {
                Node::extension(path.clone(), rebuild_subtree(child))
            }
            Node::Branch { children, .. } => {
                Node::branch(core::array::from_fn(|i| rebuild_subtree(&children[i])))
            }
        }
    }
}
