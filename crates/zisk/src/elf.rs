//! A minimal static RISC-V ELF: a header and one PT_LOAD program header per segment. ZisK's
//! loader builds the image from PT_LOAD segments only, so no sections are written.

pub struct Segment {
    pub addr: u64,
    pub bytes: Vec<u8>,
    /// PF_X = 1, PF_W = 2, PF_R = 4.
    pub flags: u32,
}

const EHDR: usize = 64;
const PHDR: usize = 56;

pub fn write_elf(entry: u64, segments: &[Segment]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    out.extend_from_slice(&2u16.to_le_bytes()); // ET_EXEC
    out.extend_from_slice(&243u16.to_le_bytes()); // EM_RISCV
    out.extend_from_slice(&1u32.to_le_bytes());
    out.extend_from_slice(&entry.to_le_bytes());
    out.extend_from_slice(&(EHDR as u64).to_le_bytes()); // e_phoff
    out.extend_from_slice(&0u64.to_le_bytes()); // e_shoff
    out.extend_from_slice(&0x4u32.to_le_bytes()); // e_flags: double-float ABI
    out.extend_from_slice(&(EHDR as u16).to_le_bytes());
    out.extend_from_slice(&(PHDR as u16).to_le_bytes());
    out.extend_from_slice(&(segments.len() as u16).to_le_bytes());
    out.extend_from_slice(&64u16.to_le_bytes()); // e_shentsize
    out.extend_from_slice(&0u16.to_le_bytes()); // e_shnum
    out.extend_from_slice(&0u16.to_le_bytes()); // e_shstrndx
    let mut offset = (EHDR + PHDR * segments.len()).next_multiple_of(8) as u64;
    let mut offsets = Vec::new();
    for s in segments {
        offsets.push(offset);
        out.extend_from_slice(&1u32.to_le_bytes()); // PT_LOAD
        out.extend_from_slice(&s.flags.to_le_bytes());
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(&s.addr.to_le_bytes()); // p_vaddr
        out.extend_from_slice(&s.addr.to_le_bytes()); // p_paddr
        out.extend_from_slice(&(s.bytes.len() as u64).to_le_bytes());
        out.extend_from_slice(&(s.bytes.len() as u64).to_le_bytes());
        out.extend_from_slice(&8u64.to_le_bytes()); // p_align
        offset = (offset + s.bytes.len() as u64).next_multiple_of(8);
    }
    for (s, at) in segments.iter().zip(offsets) {
        out.resize(at as usize, 0);
        out.extend_from_slice(&s.bytes);
    }
    out
}
