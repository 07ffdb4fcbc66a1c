//! Places every function in ZisK's program ROM and builds the `ZiskRom`: the BIOS (from
//! ZisK's own loader, without the float library, see `base_rom`), our `_start` (stack pointer, call the
//! guest's main, exit 0), the exit stub (ZisK's exit system call: code in r10, cause 93 in
//! r17, through the BIOS ecall handler), the functions, and the preloaded RAM.

use std::collections::{BTreeMap, HashMap};

use czisk_frontend::{DataInit, ENTRY_MAIN, INTRINSIC_EXIT, NS_ENTRY, NS_INTRINSIC};
use czisk_zisk::elf::{write_elf, Segment};
use zisk_core::rom_layout::{normalize_rw_data_sections, ECALL_HANDLER_ADDR};
use zisk_core::zisk_rom::{DataSection64, ZiskRom};
use zisk_core::{DataSection, ZiskInstBuilder, ROM_ADDR};

use crate::emit::{EmittedFunction, Target, ZInst, ZSrc, ZStore};
use crate::machine::{ZOp, SP};

/// Bytes between consecutive instructions.
const INST_SIZE: u64 = 4;
/// The end of ZisK's stack region (static frames go just below it, then the stack).
pub const STACK_REGION_TOP: u64 = 0xa040_0000;

pub struct LinkedFunction {
    pub key: (u32, u32),
    pub name: String,
    pub emitted: EmittedFunction,
}

pub struct Linked {
    pub rom: ZiskRom,
    /// Start address of every function, by address.
    pub symbols: BTreeMap<u64, String>,
}

fn start_code(stack_top: u64) -> EmittedFunction {
    let mut set_sp = ZInst::op(
        ZOp::CopyB,
        ZSrc::Imm(0),
        ZSrc::Imm(stack_top),
        ZStore::Reg(SP),
    );
    set_sp.j1 = Target::Next;
    let mut call = ZInst::op(ZOp::Flag, ZSrc::Imm(0), ZSrc::Imm(0), ZStore::Reg(1));
    call.store_ra = true;
    call.j1 = Target::Func((NS_ENTRY, ENTRY_MAIN));
    // main returning means exit(0).
    let mut zero = ZInst::op(ZOp::CopyB, ZSrc::Imm(0), ZSrc::Imm(0), ZStore::Reg(10));
    zero.j1 = Target::Func((NS_INTRINSIC, INTRINSIC_EXIT));
    zero.j2 = zero.j1;
    EmittedFunction {
        code: vec![set_sp, call, zero],
        labels: vec![],
        tables: vec![],
    }
}

fn exit_code() -> EmittedFunction {
    let cause = ZInst::op(ZOp::CopyB, ZSrc::Imm(0), ZSrc::Imm(93), ZStore::Reg(17));
    let mut jump = ZInst::op(
        ZOp::CopyB,
        ZSrc::Imm(0),
        ZSrc::Imm(ECALL_HANDLER_ADDR),
        ZStore::None,
    );
    jump.set_pc = true;
    jump.j1 = Target::Raw(0);
    EmittedFunction {
        code: vec![cause, jump],
        labels: vec![],
        tables: vec![],
    }
}

pub fn link(
    functions: Vec<LinkedFunction>,
    data: &[DataInit],
    stack_top: u64,
    // Build the lookup tables ziskemu executes from (not needed to encode the ROM).
    for_execution: bool,
) -> Result<Linked, String> {
    let mut all = vec![
        LinkedFunction {
            key: (u32::MAX, 0),
            name: "_start".into(),
            emitted: start_code(stack_top),
        },
        LinkedFunction {
            key: (NS_INTRINSIC, INTRINSIC_EXIT),
            name: "__czisk_exit".into(),
            emitted: exit_code(),
        },
    ];
    all.extend(functions);

    let mut addrs: HashMap<(u32, u32), u64> = HashMap::new();
    let mut symbols = BTreeMap::new();
    let mut pc = ROM_ADDR;
    let mut bases = Vec::new();
    for f in &all {
        addrs.insert(f.key, pc);
        symbols.insert(pc, f.name.clone());
        bases.push(pc);
        pc += INST_SIZE * f.emitted.code.len() as u64;
    }

    let mut rom = base_rom()?;
    let func_addr = |key: (u32, u32), name: &str| {
        addrs
            .get(&key)
            .copied()
            .ok_or_else(|| format!("{name}: call to an undefined function {key:?}"))
    };
    for (f, &base) in all.iter().zip(&bases) {
        for (i, z) in f.emitted.code.iter().enumerate() {
            let pc = base + INST_SIZE * i as u64;
            let label_addr = |l: u32| base + INST_SIZE * f.emitted.labels[l as usize] as u64;
            let offset = |t: Target| -> Result<i64, String> {
                Ok(match t {
                    Target::Next => INST_SIZE as i64,
                    Target::Label(l) => label_addr(l) as i64 - pc as i64,
                    Target::TableAbs(t) => {
                        (base + INST_SIZE * f.emitted.tables[t as usize] as u64) as i64
                    }
                    Target::Func(key) => func_addr(key, &f.name)? as i64 - pc as i64,
                    Target::Raw(o) => o,
                    Target::Abs(addr) => addr as i64 - pc as i64,
                })
            };
            let mut b = ZiskInstBuilder::new(pc);
            let source = |s: ZSrc| -> Result<(&'static str, u64), String> {
                Ok(match s {
                    ZSrc::Imm(v) => ("imm", v),
                    ZSrc::Reg(r) => ("reg", r as u64),
                    ZSrc::Mem(a) => ("mem", a),
                    ZSrc::Ind(o) => ("ind", o as u64),
                    ZSrc::FuncAddr(key) => ("imm", func_addr(key, &f.name)?),
                })
            };
            let (a_src, a_val) = source(z.a)?;
            b.src_a(a_src, a_val, false);
            let (b_src, b_val) = source(z.b)?;
            if b_src == "ind" {
                b.ind_width(z.width as u64);
            }
            b.src_b(b_src, b_val, false);
            b.op(z.op.name()).map_err(|e| format!("{e:?}"))?;
            match z.store {
                ZStore::None => {}
                ZStore::Reg(r) => b.store("reg", r as i64, false, z.store_ra),
                ZStore::Mem(a) => b.store("mem", a as i64, false, z.store_ra),
                ZStore::Ind(o) => {
                    b.ind_width(z.width as u64);
                    b.store("ind", o, false, z.store_ra)
                }
            }
            if z.set_pc {
                b.set_pc();
            }
            b.j(offset(z.j1)?, offset(z.j2)?);
            b.build(&mut rom);
        }
    }
    rom.rw_data_64.extend(preload(data));
    if for_execution {
        rom.optimize_instruction_lookup()
            .map_err(|e| e.to_string())?;
    }
    Ok(Linked { rom, symbols })
}

/// ZisK's BIOS, with an empty program: what ZisK's own loader makes of a one-instruction
/// RISC-V ELF whose entry is `ROM_ADDR`, that instruction and the float library removed.
/// The BIOS enters the program at `ROM_ADDR`, where our `_start` goes.
fn base_rom() -> Result<ZiskRom, String> {
    const JAL_ZERO_0: u32 = 0x0000_006f;
    let stub = write_elf(
        ROM_ADDR,
        &[Segment {
            addr: ROM_ADDR,
            bytes: JAL_ZERO_0.to_le_bytes().to_vec(),
            flags: 5,
        }],
    );
    let (mut rom, _messages) = czisk_zisk::load_program(&stub)?;
    let is_stub = |pc: u64| (ROM_ADDR..ROM_ADDR + INST_SIZE).contains(&pc);
    // Floats are our own integer routines (`czisk_runtime::softfloat`): nothing calls ZisK's
    // float library, so its code is left out of the ROM (the BIOS's float handler, which
    // would jump to it, is never reached either).
    let float_library = zisk_core::FLOAT_LIB_ROM_ADDR..=zisk_core::FLOAT_LIB_ROM_ADDR_MAX;
    rom.insts.retain(|&pc, b| {
        !is_stub(pc) && !b.i.external_ref_addr.is_some_and(is_stub) && !float_library.contains(&pc)
    });
    rom.sorted_pc_list.clear();
    Ok(rom)
}

/// RAM contents before the first instruction, as 32-byte aligned sections of words.
fn preload(data: &[DataInit]) -> Vec<DataSection64> {
    let sections = data
        .iter()
        .map(|d| DataSection {
            addr: d.addr,
            data: d.bytes.clone(),
        })
        .collect();
    normalize_rw_data_sections(sections)
        .into_iter()
        .map(|s| DataSection64 {
            addr: s.addr,
            data: s
                .data
                .chunks(8)
                .map(|c| u64::from_le_bytes(c.try_into().expect("32-byte multiple")))
                .collect(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::{float_call_clobbers, preg, FIRST_FLOAT_CLOBBERED};

    /// What a float call clobbers (`machine::float_call_clobbers`, which regalloc2 and the
    /// frames both use) covers every register above r31 the base ROM writes: the BIOS
    /// handler restores r1..r31 and nothing else. The base ROM is ZisK's BIOS alone now
    /// (its float library is left out, nothing calls it), so the scan is of the BIOS.
    #[test]
    fn the_base_rom_writes_no_register_a_float_call_keeps() {
        let rom = base_rom().unwrap();
        let written: std::collections::BTreeSet<i64> = rom
            .insts
            .values()
            .map(|b| &b.i)
            .filter(|i| i.store == zisk_core::STORE_REG)
            .map(|i| i.store_offset)
            .filter(|&n| n >= i64::from(FIRST_FLOAT_CLOBBERED))
            .collect();
        // The BIOS is there, and the float library (some 23,000 instructions) is not.
        assert!(
            (50..10_000).contains(&rom.insts.len()),
            "{} instructions",
            rom.insts.len()
        );
        let clobbers = float_call_clobbers();
        for n in written {
            assert!(
                clobbers.contains(preg(n as u8)),
                "r{n} written, not in {clobbers}"
            );
        }
    }
}
