//! Compiling every unit and laying out the text segment: entry stub, exit intrinsic, then
//! each function followed by its trap stubs; relocations resolved in place.

use std::collections::{BTreeMap, HashMap};

use cranelift_codegen::binemit::Reloc;
use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{ExternalName, SourceLoc};
use cranelift_codegen::isa::TargetIsa;
use cranelift_codegen::{Context, FinalizedMachReloc, FinalizedRelocTarget};
use czisk_frontend::{
    DataInit, WasmTrap, ENTRY_MAIN, INTRINSIC_EXIT, INTRINSIC_PUTC, NS_ENTRY, NS_INTRINSIC,
};

use crate::encode::*;
use crate::{BackendError, Unit, NS_BACKEND, TRAP_REPORTER};
use czisk_zisk::elf::{write_elf, Segment};

/// ZisK's program ROM (zisk-core mem.rs).
const ROM_ADDR: u64 = 0x9000_0000;
/// Top of ZisK's stack region (0xa000_0000..0xa040_0000), 16-byte aligned.
const STACK_TOP: u64 = 0xa040_0000 - 16;

pub struct Linked {
    pub elf: Vec<u8>,
    pub symbols: BTreeMap<u64, String>,
}

struct Compiled {
    key: (u32, u32),
    name: String,
    code: Vec<u8>,
    relocs: Vec<(FinalizedMachReloc, Option<(u32, u32)>)>,
    /// (offset of the trap instruction, trap kind index, wasm offset)
    traps: Vec<(u32, u32, u32)>,
    trap_func_index: u32,
}

fn compile(isa: &dyn TargetIsa, unit: Unit) -> Result<Compiled, BackendError> {
    let names = unit.func.params.user_named_funcs().clone();
    let mut func = unit.func;
    crate::float_fixes::work_around_float_library(&mut func);
    let mut ctx = Context::for_function(func);
    let code = ctx
        .compile(isa, &mut ControlPlane::default())
        .map_err(|e| BackendError::Codegen {
            function: unit.name.clone(),
            message: format!("{:?}", e.inner),
        })?;
    let srclocs: Vec<(u32, u32, SourceLoc)> = code
        .buffer
        .get_srclocs_sorted()
        .iter()
        .map(|s| (s.start, s.end, s.loc))
        .collect();
    let bytes = code.code_buffer();
    // Cranelift also records loads and stores that may fault as trap sites; only the
    // all-zero trap instruction is a trap to redirect.
    let traps = code
        .buffer
        .traps()
        .iter()
        .filter(|trap| {
            bytes.get(trap.offset as usize..trap.offset as usize + 4) == Some(&[0u8; 4][..])
        })
        .map(|trap| {
            let kind = WasmTrap::ALL
                .iter()
                .position(|t| t.code() == trap.code)
                .map_or(0xff, |k| k as u32);
            let loc = srclocs
                .iter()
                .find(|(start, end, _)| (*start..*end).contains(&trap.offset))
                .map_or(
                    0,
                    |(_, _, loc)| if loc.is_default() { 0 } else { loc.bits() },
                );
            (trap.offset, kind, loc)
        })
        .collect();
    let relocs = code
        .buffer
        .relocs()
        .iter()
        .map(|r| {
            let key = match &r.target {
                FinalizedRelocTarget::ExternalName(ExternalName::User(name)) => {
                    let name = &names[*name];
                    Some((name.namespace, name.index))
                }
                _ => None,
            };
            (r.clone(), key)
        })
        .collect();
    Ok(Compiled {
        key: unit.key,
        name: unit.name,
        code: code.code_buffer().to_vec(),
        relocs,
        traps,
        trap_func_index: unit.trap_func_index,
    })
}

fn put(text: &mut Vec<u8>, insts: &[u32]) {
    for i in insts {
        text.extend_from_slice(&i.to_le_bytes());
    }
}

fn get32(text: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(text[at..at + 4].try_into().unwrap())
}

fn set32(text: &mut [u8], at: usize, v: u32) {
    text[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

pub fn link(
    isa: &dyn TargetIsa,
    units: Vec<Unit>,
    data: &[DataInit],
) -> Result<Linked, BackendError> {
    let compiled: Vec<Compiled> = units
        .into_iter()
        .map(|u| compile(isa, u))
        .collect::<Result<_, _>>()?;

    let mut text: Vec<u8> = Vec::new();
    let mut addrs: HashMap<(u32, u32), u64> = HashMap::new();
    let mut symbols = BTreeMap::new();

    // Entry: sp = STACK_TOP (0x5020_0000 << 1 is ROM-free of sign extension), call main,
    // and spin if it ever returns (main ends through exit).
    symbols.insert(ROM_ADDR, "_start".to_string());
    let hi = ((STACK_TOP + 16) >> 1) as u32 >> 12;
    put(
        &mut text,
        &[lui(T0, hi), slli(T0, T0, 1), addi(SP, T0, -16)],
    );
    let call_main_at = text.len();
    put(
        &mut text,
        &[auipc(RA, 0), jalr(RA, RA, 0), jal(ZERO, 0).unwrap()],
    );
    // exit(code in a0): ZisK's exit system call.
    let exit_addr = ROM_ADDR + text.len() as u64;
    addrs.insert((NS_INTRINSIC, INTRINSIC_EXIT), exit_addr);
    symbols.insert(exit_addr, "__czisk_exit".to_string());
    put(&mut text, &[addi(A7, ZERO, 93), ecall()]);
    // putc(byte in a0): a one-byte store to the UART (0xa040_0200 = 0x5020_0000 << 1 + 0x200).
    let putc_addr = ROM_ADDR + text.len() as u64;
    addrs.insert((NS_INTRINSIC, INTRINSIC_PUTC), putc_addr);
    symbols.insert(putc_addr, "__czisk_putc".to_string());
    put(
        &mut text,
        &[
            lui(T0, 0x50200),
            slli(T0, T0, 1),
            sb(T0, A0, 0x200),
            jalr(ZERO, RA, 0),
        ],
    );

    let mut starts = Vec::new();
    for unit in &compiled {
        let start = text.len();
        let addr = ROM_ADDR + start as u64;
        addrs.insert(unit.key, addr);
        symbols.insert(addr, unit.name.clone());
        text.extend_from_slice(&unit.code);
        // Trap stubs: a0 = kind << 24 | function, a1 = wasm offset, then the reporter.
        let mut stubs = Vec::new();
        for &(offset, kind, loc) in &unit.traps {
            let stub_at = text.len();
            let site = start + offset as usize;
            let jump = jal(ZERO, stub_at as i64 - site as i64).ok_or_else(|| {
                BackendError::Link(format!("{}: trap stub out of jal range", unit.name))
            })?;
            set32(&mut text, site, jump);
            let packed = ((kind & 0xff) << 24 | (unit.trap_func_index & 0xff_ffff)) as i32;
            put(&mut text, &li32(A0, packed));
            put(&mut text, &li32(A1, (loc & 0x7fff_ffff) as i32));
            stubs.push(text.len());
            put(&mut text, &[auipc(T0, 0), jalr(ZERO, T0, 0)]);
        }
        starts.push((start, stubs));
    }

    let address_of = |key: Option<(u32, u32)>, what: &str| -> Result<u64, BackendError> {
        key.and_then(|k| addrs.get(&k).copied()).ok_or_else(|| {
            BackendError::Link(format!("unresolved relocation target in {what}: {key:?}"))
        })
    };
    let pcrel = |text: &mut Vec<u8>, at: usize, target: u64| {
        let (hi, lo) = split_pcrel(target as i64 - (ROM_ADDR + at as u64) as i64);
        let (a, b) = (get32(text, at), get32(text, at + 4));
        set32(text, at, with_u_imm(a, hi));
        set32(text, at + 4, with_i_imm(b, lo));
    };
    let main = address_of(Some((NS_ENTRY, ENTRY_MAIN)), "the entry stub")?;
    pcrel(&mut text, call_main_at, main);
    let reporter = address_of(Some((NS_BACKEND, TRAP_REPORTER)), "trap stubs")?;

    for (unit, (start, stubs)) in compiled.iter().zip(&starts) {
        for &at in stubs {
            pcrel(&mut text, at, reporter);
        }
        // auipc offset -> the full pc-relative value, for the paired Lo12 relocations.
        let mut hi20: HashMap<u32, i64> = HashMap::new();
        for (reloc, key) in &unit.relocs {
            let at = start + reloc.offset as usize;
            let pc = ROM_ADDR + at as u64;
            match reloc.kind {
                Reloc::RiscvCallPlt => {
                    let target = address_of(*key, &unit.name)? as i64 + reloc.addend;
                    pcrel(&mut text, at, target as u64);
                }
                Reloc::RiscvPCRelHi20 => {
                    let target = address_of(*key, &unit.name)? as i64 + reloc.addend;
                    let delta = target - pc as i64;
                    hi20.insert(reloc.offset, delta);
                    let inst = with_u_imm(get32(&text, at), split_pcrel(delta).0);
                    set32(&mut text, at, inst);
                }
                Reloc::Abs8 => {
                    let target = address_of(*key, &unit.name)? as i64 + reloc.addend;
                    text[at..at + 8].copy_from_slice(&(target as u64).to_le_bytes());
                }
                Reloc::RiscvPCRelLo12I => {}
                other => {
                    return Err(BackendError::Link(format!(
                        "{}: unsupported relocation {other:?}",
                        unit.name
                    )));
                }
            }
        }
        for (reloc, _) in &unit.relocs {
            if reloc.kind == Reloc::RiscvPCRelLo12I {
                let FinalizedRelocTarget::Func(auipc_offset) = reloc.target else {
                    return Err(BackendError::Link(format!(
                        "{}: Lo12 relocation without its auipc",
                        unit.name
                    )));
                };
                let delta = *hi20.get(&auipc_offset).ok_or_else(|| {
                    BackendError::Link(format!("{}: Lo12 relocation without its Hi20", unit.name))
                })?;
                let at = start + reloc.offset as usize;
                let inst = with_i_imm(get32(&text, at), split_pcrel(delta).1);
                set32(&mut text, at, inst);
            }
        }
    }

    let code_ranges: Vec<(usize, usize)> = compiled
        .iter()
        .zip(&starts)
        .map(|(unit, (start, _))| (*start, start + unit.code.len()))
        .collect();
    let rodata_addr = ROM_ADDR + text.len().next_multiple_of(8) as u64;
    let rodata = move_inline_constants(&mut text, &code_ranges, rodata_addr);

    // Readable as well as executable, as Cranelift's code expects (see move_inline_constants).
    let mut segments = vec![Segment {
        addr: ROM_ADDR,
        bytes: text,
        flags: 1 | 4,
    }];
    if !rodata.is_empty() {
        segments.push(Segment {
            addr: rodata_addr,
            bytes: rodata,
            flags: 4,
        });
    }
    segments.extend(data_segments(data));
    Ok(Linked {
        elf: write_elf(ROM_ADDR, &segments),
        symbols,
    })
}

/// Cranelift's riscv64 code keeps constants (64-bit immediates, float bits, function
/// addresses) inside a function's code, jumped over, and loads them pc-relatively
/// (`auipc rd, hi; l{d,w} rd, lo(rd)`). ZisK's transpiler decodes the whole text as
/// instructions: a constant can decode as a compressed instruction that swallows half of
/// the instruction after it (which then cannot be jumped to), or as one it rejects. So
/// every constant a function loads from its own code moves to a read-only segment after
/// the text (at `rodata_addr`), the load is re-pointed there, and its old bytes become
/// `nop`s, still jumped over. Returns the segment.
fn move_inline_constants(
    text: &mut [u8],
    code_ranges: &[(usize, usize)],
    rodata_addr: u64,
) -> Vec<u8> {
    const NOP: u32 = 0x0000_0013;
    let mut rodata: Vec<u8> = Vec::new();
    for &(start, end) in code_ranges {
        // (auipc position, data position, size) of every pc-relative load from this code.
        let mut loads: Vec<(usize, usize, usize)> = Vec::new();
        for at in (start..end.saturating_sub(4)).step_by(4) {
            let (auipc_word, load) = (get32(text, at), get32(text, at + 4));
            let rd = (auipc_word >> 7) & 0x1f;
            if auipc_word & 0x7f != 0x17
                || !matches!(load & 0x7f, 0x03 | 0x07)
                || (load >> 15) & 0x1f != rd
            {
                continue;
            }
            let size = match (load >> 12) & 0x7 {
                0b011 => 8,
                0b010 => 4,
                _ => continue,
            };
            let target = at as i64
                + ((auipc_word & 0xffff_f000) as i32 as i64)
                + ((load as i32 >> 20) as i64);
            if target >= start as i64 && target as usize + size <= end && target as usize % 4 == 0 {
                loads.push((at, target as usize, size));
            }
        }
        // A word inside a constant that merely looks like an auipc is not a load.
        let in_data = |p: usize| loads.iter().any(|&(_, d, n)| (d..d + n).contains(&p));
        let loads: Vec<(usize, usize, usize)> = loads
            .iter()
            .copied()
            .filter(|&(at, _, _)| !in_data(at))
            .collect();
        let mut moved: Vec<(usize, u64)> = Vec::new();
        for &(at, data_at, size) in &loads {
            let addr = match moved.iter().find(|(d, _)| *d == data_at) {
                Some(&(_, addr)) => addr,
                None => {
                    let slot = rodata.len().next_multiple_of(size);
                    rodata.resize(slot, 0);
                    rodata.extend_from_slice(&text[data_at..data_at + size]);
                    moved.push((data_at, rodata_addr + slot as u64));
                    rodata_addr + slot as u64
                }
            };
            let (hi, lo) = split_pcrel(addr as i64 - (ROM_ADDR + at as u64) as i64);
            set32(text, at, with_u_imm(get32(text, at), hi));
            set32(text, at + 4, with_i_imm(get32(text, at + 4), lo));
        }
        for &(_, data_at, size) in &loads {
            for word in (data_at..data_at + size).step_by(4) {
                set32(text, word, NOP);
            }
        }
    }
    rodata
}

/// Active data as RAM segments: 8-byte aligned, nearby segments merged, later bytes winning.
fn data_segments(data: &[DataInit]) -> Vec<Segment> {
    let mut ranges: Vec<(u64, u64)> = data
        .iter()
        .map(|d| {
            (
                d.addr & !7,
                (d.addr + d.bytes.len() as u64).next_multiple_of(8),
            )
        })
        .collect();
    ranges.sort();
    let mut merged: Vec<(u64, u64)> = Vec::new();
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 + 64 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
        .into_iter()
        .map(|(start, end)| {
            let mut bytes = vec![0u8; (end - start) as usize];
            for d in data.iter().filter(|d| d.addr >= start && d.addr < end) {
                let at = (d.addr - start) as usize;
                bytes[at..at + d.bytes.len()].copy_from_slice(&d.bytes);
            }
            Segment {
                addr: start,
                bytes,
                flags: 2 | 4,
            }
        })
        .collect()
}
