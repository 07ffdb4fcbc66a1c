//! The few RISC-V instructions the linker writes itself (RV64I, 32-bit encodings).

pub const ZERO: u32 = 0;
pub const RA: u32 = 1;
pub const SP: u32 = 2;
pub const T0: u32 = 5;
pub const A0: u32 = 10;
pub const A1: u32 = 11;
pub const A7: u32 = 17;

pub fn lui(rd: u32, imm20: u32) -> u32 {
    (imm20 << 12) | (rd << 7) | 0x37
}

pub fn auipc(rd: u32, imm20: u32) -> u32 {
    (imm20 << 12) | (rd << 7) | 0x17
}

pub fn addi(rd: u32, rs1: u32, imm12: i32) -> u32 {
    (((imm12 as u32) & 0xfff) << 20) | (rs1 << 15) | (rd << 7) | 0x13
}

pub fn addiw(rd: u32, rs1: u32, imm12: i32) -> u32 {
    (((imm12 as u32) & 0xfff) << 20) | (rs1 << 15) | (rd << 7) | 0x1b
}

pub fn slli(rd: u32, rs1: u32, shamt: u32) -> u32 {
    (shamt << 20) | (rs1 << 15) | (1 << 12) | (rd << 7) | 0x13
}

pub fn jalr(rd: u32, rs1: u32, imm12: i32) -> u32 {
    (((imm12 as u32) & 0xfff) << 20) | (rs1 << 15) | (rd << 7) | 0x67
}

/// `sb rs2, imm12(rs1)`
pub fn sb(rs1: u32, rs2: u32, imm12: i32) -> u32 {
    let imm = (imm12 as u32) & 0xfff;
    ((imm >> 5) << 25) | (rs2 << 20) | (rs1 << 15) | ((imm & 0x1f) << 7) | 0x23
}

pub fn ecall() -> u32 {
    0x73
}

/// `jal rd, offset` (offset within +-1 MiB, even).
pub fn jal(rd: u32, offset: i64) -> Option<u32> {
    if !(-(1 << 20)..(1 << 20)).contains(&offset) || offset % 2 != 0 {
        return None;
    }
    let o = offset as u32;
    let imm = ((o >> 20) & 1) << 31
        | ((o >> 1) & 0x3ff) << 21
        | ((o >> 11) & 1) << 20
        | ((o >> 12) & 0xff) << 12;
    Some(imm | (rd << 7) | 0x6f)
}

/// Splits a pc-relative offset into the `auipc` upper 20 bits and the sign-extended low 12
/// bits of the instruction that follows it.
pub fn split_pcrel(offset: i64) -> (u32, i32) {
    let hi = ((offset + 0x800) >> 12) as u32 & 0xf_ffff;
    let lo = (offset - (((offset + 0x800) >> 12) << 12)) as i32;
    (hi, lo)
}

/// `li rd, value` for a value that fits in 32 signed bits (lui + addiw).
pub fn li32(rd: u32, value: i32) -> [u32; 2] {
    let (hi, lo) = split_pcrel(value as i64);
    [lui(rd, hi), addiw(rd, rd, lo)]
}

/// Patches the immediate of an I-type instruction (addi, ld, jalr, ...).
pub fn with_i_imm(inst: u32, imm12: i32) -> u32 {
    (inst & 0x000f_ffff) | (((imm12 as u32) & 0xfff) << 20)
}

/// Patches the immediate of a U-type instruction (auipc, lui).
pub fn with_u_imm(inst: u32, imm20: u32) -> u32 {
    (inst & 0xfff) | (imm20 << 12)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_match_the_assembler() {
        assert_eq!(addi(A7, ZERO, 93), 0x05d0_0893); // li a7, 93
        assert_eq!(jal(ZERO, 8), Some(0x0080_006f)); // j .+8
        assert_eq!(jal(ZERO, -4), Some(0xffdf_f06f)); // j .-4
        assert_eq!(jal(ZERO, 1 << 20), None);
        assert_eq!(sb(T0, A0, 0x200), 0x20a2_8023); // sb a0, 512(t0)
        for offset in [-5000i64, -2048, -1, 0, 2047, 2048, 123_456_789] {
            let (hi, lo) = split_pcrel(offset);
            let hi = ((hi << 12) as i32) as i64;
            assert_eq!(hi + lo as i64, offset);
            assert!((-2048..2048).contains(&lo));
        }
    }
}
