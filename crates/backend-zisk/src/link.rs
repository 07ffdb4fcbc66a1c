//! Places every function in ZisK's program ROM and builds the `ZiskRom`: the BIOS (from
//! ZisK's own loader, without the float library, see `base_rom`), our `_start` (stack pointer, call the
//! guest's main, exit 0), the exit stub (ZisK's exit system call: code in r10, cause 93 in
//! r17, through the BIOS ecall handler), the functions, and the preloaded RAM.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;

use czisk_frontend::{DataInit, ENTRY_MAIN, INTRINSIC_EXIT, NS_ENTRY, NS_INTRINSIC};
use czisk_zisk::elf::{write_elf, Segment};
use zisk_core::rom_layout::{normalize_rw_data_sections, ECALL_HANDLER_ADDR};
use zisk_core::zisk_ops::ZiskOp;
use zisk_core::zisk_rom::{DataSection64, ZiskRom};
use zisk_core::{DataSection, ZiskInstBuilder, ROM_ADDR};

use crate::emit::{EmittedFunction, Target, ZInst, ZSrc, ZStore};
use crate::machine::{ZOp, SP};
use crate::packed::PackedCode;
use crate::ziskbin::{Resolved, Source, Store};

/// Bytes between consecutive instructions.
const INST_SIZE: u64 = 4;
/// The end of ZisK's stack region (static frames go just below it, then the stack).
pub const STACK_REGION_TOP: u64 = 0xa040_0000;

pub struct LinkedFunction {
    pub key: (u32, u32),
    pub name: String,
    pub emitted: PackedFunction,
}

/// An emitted function as it waits for the link: its code packed (`packed.rs`).
pub struct PackedFunction {
    pub code: PackedCode,
    pub labels: Vec<usize>,
    pub tables: Vec<usize>,
}

impl From<EmittedFunction> for PackedFunction {
    fn from(f: EmittedFunction) -> PackedFunction {
        PackedFunction {
            code: PackedCode::pack(&f.code),
            labels: f.labels,
            tables: f.tables,
        }
    }
}

/// What [`link`] makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkOutput {
    /// A `ZiskRom` ready for ziskemu (with its execution lookup tables).
    Execute,
    /// A `ZiskRom` to encode or list (its instruction map alone).
    Rom,
    /// The ziskbin ELF alone, encoded function by function as it is linked: no `ZiskRom`
    /// of the whole program is ever built (its instructions take some 250 bytes each).
    Elf,
}

pub struct Linked {
    /// The ROM (empty when only the ELF was asked for).
    pub rom: ZiskRom,
    /// The ziskbin ELF, when asked for.
    pub elf: Option<Vec<u8>>,
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
    output: LinkOutput,
) -> Result<Linked, String> {
    let mut all = vec![
        LinkedFunction {
            key: (u32::MAX, 0),
            name: "_start".into(),
            emitted: start_code(stack_top).into(),
        },
        LinkedFunction {
            key: (NS_INTRINSIC, INTRINSIC_EXIT),
            name: "__czisk_exit".into(),
            emitted: exit_code().into(),
        },
    ];
    all.extend(functions);

    let mut addrs: FxHashMap<(u32, u32), u64> = FxHashMap::default();
    let mut symbols = BTreeMap::new();
    let mut pc = ROM_ADDR;
    let mut bases = Vec::new();
    for f in &all {
        addrs.insert(f.key, pc);
        symbols.insert(pc, f.name.clone());
        bases.push(pc);
        pc += INST_SIZE * f.emitted.code.len() as u64;
    }

    let mut rom = match output {
        LinkOutput::Elf => embedded_base_rom()?,
        LinkOutput::Execute | LinkOutput::Rom => base_rom()?,
    };
    // Streaming: the base ROM's instructions below the program go first, those above it
    // (if any) last; each function's are encoded as soon as they are built.
    let mut stream = None;
    let mut after_program = BTreeMap::new();
    if output == LinkOutput::Elf {
        // The base ROM's data sections and zkvmcalls, and the preloaded RAM, go after
        // every instruction.
        let mut tail = ZiskRom::default();
        tail.ro_data_64 = std::mem::take(&mut rom.ro_data_64);
        tail.rw_data_64 = std::mem::take(&mut rom.rw_data_64);
        tail.rw_data_64.extend(preload(data));
        tail.zkvmcalls = std::mem::take(&mut rom.zkvmcalls);
        // One ZisK instruction a ZInst.
        let instructions =
            rom.insts.len() as u64 + all.iter().map(|f| f.emitted.code.len() as u64).sum::<u64>();
        let stream = stream.insert(RomStream::new(instructions, &tail)?);
        after_program = rom.insts.split_off(&ROM_ADDR);
        if after_program.keys().next().is_some_and(|&a| a < pc) {
            return Err("the base ROM has instructions inside the program's addresses".into());
        }
        stream.push(&rom)?;
        rom.insts.clear();
    }
    let func_addr = |key: (u32, u32), name: &str| {
        addrs
            .get(&key)
            .copied()
            .ok_or_else(|| format!("{name}: call to an undefined function {key:?}"))
    };
    let mut encoder = crate::ziskbin::Encoder::default();
    // zisk-core's opcode of each ZOp, looked up once.
    let mut op_codes: FxHashMap<ZOp, u8> = FxHashMap::default();
    // Each function's code is dropped once built (and, streaming, encoded).
    for (f, &base) in all.into_iter().zip(&bases) {
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
                })
            };
            let source = |s: ZSrc| -> Result<Source, String> {
                Ok(match s {
                    ZSrc::Imm(v) => Source::Imm(v),
                    ZSrc::Reg(r) => Source::Reg(r as u64),
                    ZSrc::Mem(a) => Source::Mem(a),
                    ZSrc::Ind(o) => Source::Ind(o as u64),
                    ZSrc::FuncAddr(key) => Source::Imm(func_addr(key, &f.name)?),
                })
            };
            let op = match op_codes.get(&z.op) {
                Some(&code) => code,
                None => {
                    let code = ZiskOp::try_from_name(z.op.name())
                        .map_err(|e| format!("{e:?}"))?
                        .code();
                    op_codes.insert(z.op, code);
                    code
                }
            };
            let inst = Resolved {
                op,
                a: source(z.a)?,
                b: source(z.b)?,
                store: match z.store {
                    ZStore::None => Store::None,
                    ZStore::Reg(r) => Store::Reg(r as i64),
                    ZStore::Mem(a) => Store::Mem(a as i64),
                    ZStore::Ind(o) => Store::Ind(o),
                },
                width: z.width as u64,
                store_ra: z.store_ra,
                set_pc: z.set_pc,
                j1: offset(z.j1)?,
                j2: offset(z.j2)?,
            };
            if matches!(inst.a, Source::Ind(_)) {
                return Err(format!("{}: an ind access as operand a", f.name));
            }
            match &mut stream {
                Some(stream) => {
                    let index = rom.build_counter;
                    rom.build_counter += 1;
                    stream.append(pc, |out| encoder.encode(&inst, index, out))?;
                }
                None => build(&inst, z.op.name(), pc, &mut rom)?,
            }
        }
    }
    if let Some(mut stream) = stream {
        rom.insts = after_program;
        stream.push(&rom)?;
        drop(rom);
        let elf = stream.finish()?;
        return Ok(Linked {
            rom: ZiskRom::default(),
            elf: Some(elf),
            symbols,
        });
    }
    rom.rw_data_64.extend(preload(data));
    if output == LinkOutput::Execute {
        rom.optimize_instruction_lookup()
            .map_err(|e| e.to_string())?;
    }
    Ok(Linked {
        rom,
        elf: None,
        symbols,
    })
}

/// `inst` built into `rom` by zisk-core's `ZiskInstBuilder`.
fn build(inst: &Resolved, name: &str, pc: u64, rom: &mut ZiskRom) -> Result<(), String> {
    let named = |s: Source| match s {
        Source::Imm(v) => ("imm", v),
        Source::Reg(r) => ("reg", r),
        Source::Mem(a) => ("mem", a),
        Source::Ind(o) => ("ind", o),
    };
    let mut b = ZiskInstBuilder::new(pc);
    let (a_src, a_val) = named(inst.a);
    b.src_a(a_src, a_val, false);
    let (b_src, b_val) = named(inst.b);
    if b_src == "ind" {
        b.ind_width(inst.width);
    }
    b.src_b(b_src, b_val, false);
    b.op(name).map_err(|e| format!("{e:?}"))?;
    match inst.store {
        Store::None => {}
        Store::Reg(r) => b.store("reg", r, false, inst.store_ra),
        Store::Mem(a) => b.store("mem", a, false, inst.store_ra),
        Store::Ind(o) => {
            b.ind_width(inst.width);
            b.store("ind", o, false, inst.store_ra)
        }
    }
    if inst.set_pc {
        b.set_pc();
    }
    b.j(inst.j1, inst.j2);
    b.build(rom);
    Ok(())
}

/// A ziskbin ELF written piece by piece, its ROM's instructions in ascending addresses:
/// the bytes `zisk_core::ziskbin::rom_to_elf` gives for the whole ROM (a test checks).
/// The BIOS's instructions are encoded by zisk-core itself (`encode_rom` on a ROM holding
/// just them; of the framing around its instruction stream, a header of magic, version,
/// profile and three counts, the stream, each instruction's address as the difference from
/// the one before, the data sections and the zkvmcalls, the header and the first address
/// are rewritten to join the pieces), the program's one at a time by `crate::ziskbin`. The
/// counts are known before the first instruction, so everything goes straight into the ELF.
struct RomStream {
    /// The ELF so far: its header (the section headers' offset still to patch), then the
    /// ROM's header and the pieces so far.
    out: Vec<u8>,
    instructions: u64,
    written: u64,
    last_addr: u64,
    /// The encoded data sections and zkvmcalls, after the instructions.
    tail: Vec<u8>,
}

fn read_uvarint(bytes: &[u8], pos: &mut usize) -> Result<u64, String> {
    crate::varint::read(bytes, pos).map_err(|e| format!("ziskbin: {e}"))
}

/// Magic, version and profile.
const ZISKBIN_PREFIX: usize = 6;
/// The ELF header, before the ROM.
const ELF_HEADER: usize = 64;
/// Where the ELF header holds the section headers' offset.
const E_SHOFF: usize = 40;
const SHSTRTAB: &[u8] = b"\0.ziskrom\0.shstrtab\0";

impl RomStream {
    /// A stream of `instructions` instructions, then `tail`'s data sections and zkvmcalls
    /// (it has no instructions).
    fn new(instructions: u64, tail: &ZiskRom) -> Result<RomStream, String> {
        let bytes = zisk_core::ziskbin::encode_rom(tail);
        let mut pos = ZISKBIN_PREFIX;
        let n = read_uvarint(&bytes, &mut pos)?;
        let ro = read_uvarint(&bytes, &mut pos)?;
        let rw = read_uvarint(&bytes, &mut pos)?;
        if n != 0 {
            return Err("ziskbin stream: instructions in the tail".into());
        }
        let mut out = elf_header();
        // Room for the whole ELF at once (ZisK instructions encode in some 18 bytes; pages
        // reserved and not written cost no memory), so it never moves while it grows.
        out.reserve(instructions as usize * 32 + bytes.len() + 4096);
        out.extend_from_slice(&bytes[..ZISKBIN_PREFIX]);
        crate::varint::put(&mut out, instructions);
        crate::varint::put(&mut out, ro);
        crate::varint::put(&mut out, rw);
        Ok(RomStream {
            out,
            instructions,
            written: 0,
            last_addr: 0,
            tail: bytes[pos..].to_vec(),
        })
    }

    /// Appends the instructions of `piece` (which has no data sections nor zkvmcalls).
    fn push(&mut self, piece: &ZiskRom) -> Result<(), String> {
        let (Some(&first), Some(&last)) = (piece.insts.keys().next(), piece.insts.keys().last())
        else {
            return Ok(());
        };
        if self.written > 0 && first <= self.last_addr {
            return Err("ziskbin stream: instructions out of order".into());
        }
        let bytes = zisk_core::ziskbin::encode_rom(piece);
        let mut pos = ZISKBIN_PREFIX;
        let n = read_uvarint(&bytes, &mut pos)?;
        let (ro, rw) = (
            read_uvarint(&bytes, &mut pos)?,
            read_uvarint(&bytes, &mut pos)?,
        );
        let addr = read_uvarint(&bytes, &mut pos)?;
        if n != piece.insts.len() as u64 || ro != 0 || rw != 0 || addr != first {
            return Err(format!(
                "ziskbin stream: unexpected piece header ({n} instructions, {ro} + {rw} \
                 sections, first at {addr:#x})"
            ));
        }
        // The piece ends with its zkvmcalls: none, one zero byte.
        if bytes.last() != Some(&0) || !piece.zkvmcalls.is_empty() {
            return Err("ziskbin stream: unexpected piece trailer".into());
        }
        crate::varint::put(&mut self.out, first - self.last_addr);
        self.out.extend_from_slice(&bytes[pos..bytes.len() - 1]);
        self.written += n;
        self.last_addr = last;
        Ok(())
    }

    /// Appends one instruction at `addr` (above every one so far), which `encode` writes.
    fn append(&mut self, addr: u64, encode: impl FnOnce(&mut Vec<u8>)) -> Result<(), String> {
        if self.written > 0 && addr <= self.last_addr {
            return Err("ziskbin stream: instructions out of order".into());
        }
        crate::varint::put(&mut self.out, addr - self.last_addr);
        encode(&mut self.out);
        self.written += 1;
        self.last_addr = addr;
        Ok(())
    }

    /// The ELF.
    fn finish(mut self) -> Result<Vec<u8>, String> {
        if self.written != self.instructions {
            return Err(format!(
                "ziskbin stream: {} instructions written, {} announced",
                self.written, self.instructions
            ));
        }
        self.out.extend_from_slice(&self.tail);
        let blob_len = (self.out.len() - ELF_HEADER) as u64;
        finish_elf(&mut self.out, blob_len);
        Ok(self.out)
    }
}

/// The ziskbin ELF around an encoded ROM: an ELF64 executable for machine `EM_ZISK`
/// with no program headers and two sections, `.ziskrom` (the ROM, right after this
/// header) and `.shstrtab`. The section headers' offset is patched by [`finish_elf`].
fn elf_header() -> Vec<u8> {
    let mut out = Vec::with_capacity(ELF_HEADER);
    let w16 = |out: &mut Vec<u8>, v: u16| out.extend_from_slice(&v.to_le_bytes());
    let w32 = |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&v.to_le_bytes());
    let w64 = |out: &mut Vec<u8>, v: u64| out.extend_from_slice(&v.to_le_bytes());
    // e_ident: magic, 64-bit, little-endian, version 1, System V ABI, padding.
    out.extend_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    w16(&mut out, 2); // ET_EXEC
    w16(&mut out, zisk_core::ziskbin::EM_ZISK);
    w32(&mut out, 1); // EV_CURRENT
    w64(&mut out, zisk_core::ROM_ENTRY); // the entry proper is in the ROM
    w64(&mut out, 0); // no program headers
    w64(&mut out, 0); // e_shoff, patched
    w32(&mut out, 0); // flags
    w16(&mut out, ELF_HEADER as u16);
    w16(&mut out, 0);
    w16(&mut out, 0);
    w16(&mut out, 64); // section header size
    w16(&mut out, 3); // null, .ziskrom, .shstrtab
    w16(&mut out, 2); // the section names are in section 2
    debug_assert_eq!(out.len(), ELF_HEADER);
    out
}

/// Appends the section names and headers to an ELF whose ROM (`blob_len` bytes) follows
/// its header, and patches the header's section headers' offset.
fn finish_elf(out: &mut Vec<u8>, blob_len: u64) {
    let (name_rom, name_shstrtab) = (1u32, 10u32);
    let off_blob = ELF_HEADER as u64;
    let off_shstr = off_blob + blob_len;
    let off_sh = off_shstr + SHSTRTAB.len() as u64;
    out.extend_from_slice(SHSTRTAB);
    out[E_SHOFF..E_SHOFF + 8].copy_from_slice(&off_sh.to_le_bytes());
    let mut section = |name: u32, kind: u32, offset: u64, size: u64| {
        out.extend_from_slice(&name.to_le_bytes());
        out.extend_from_slice(&kind.to_le_bytes());
        out.extend_from_slice(&0u64.to_le_bytes()); // flags
        out.extend_from_slice(&0u64.to_le_bytes()); // address
        out.extend_from_slice(&offset.to_le_bytes());
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes()); // link
        out.extend_from_slice(&0u32.to_le_bytes()); // info
        out.extend_from_slice(&1u64.to_le_bytes()); // alignment
        out.extend_from_slice(&0u64.to_le_bytes()); // entry size
    };
    section(0, 0, 0, 0);
    section(name_rom, 1, off_blob, blob_len); // SHT_PROGBITS
    section(name_shstrtab, 3, off_shstr, SHSTRTAB.len() as u64); // SHT_STRTAB
}

/// [`base_rom`] as zisk-core encodes it (`rom_to_elf`), kept in the source tree: decoding
/// it takes a few microseconds, where building it runs ZisK's RISC-V loader over its float
/// library (some 40 ms and 20 MB, for every compile). Only encoded ROMs use it (the
/// decoded instructions are those the encoding keeps); a test checks it is current, and
/// writes it anew with `CZISK_BLESS_BASE_ROM=1`.
const BASE_ROM_ZISKBIN: &[u8] = include_bytes!("base_rom.ziskbin");
/// Its build counter (how many instructions ZisK's loader built, the float library's
/// included): the next instruction's index, which the encoding carries.
const BASE_ROM_BUILD_COUNTER: &str = include_str!("base_rom.build_counter");

fn embedded_base_rom() -> Result<ZiskRom, String> {
    let mut rom = zisk_core::ziskbin::ziskbin2rom(BASE_ROM_ZISKBIN)?
        .ok_or_else(|| "the embedded base ROM is no ziskbin ELF".to_string())?;
    rom.build_counter = BASE_ROM_BUILD_COUNTER
        .trim()
        .parse()
        .map_err(|e| format!("the embedded base ROM's build counter: {e}"))?;
    Ok(rom)
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

    /// The embedded base ROM is the one ZisK's loader makes now (after a ZisK upgrade, run
    /// this test with `CZISK_BLESS_BASE_ROM=1` to write it anew), and decodes to the same
    /// encoding.
    #[test]
    fn the_embedded_base_rom_is_current() {
        let base = base_rom().unwrap();
        let current = zisk_core::ziskbin::rom_to_elf(&base);
        if std::env::var_os("CZISK_BLESS_BASE_ROM").is_some() {
            let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/");
            std::fs::write(format!("{dir}base_rom.ziskbin"), &current).unwrap();
            std::fs::write(
                format!("{dir}base_rom.build_counter"),
                format!("{}\n", base.build_counter),
            )
            .unwrap();
            return;
        }
        let stale = "the base ROM changed: rerun with CZISK_BLESS_BASE_ROM=1";
        assert!(current == BASE_ROM_ZISKBIN, "{stale}");
        let decoded = embedded_base_rom().unwrap();
        assert_eq!(decoded.build_counter, base.build_counter, "{stale}");
        assert!(zisk_core::ziskbin::rom_to_elf(&decoded) == BASE_ROM_ZISKBIN);
    }
    /// The base ROM is ZisK's BIOS alone: its float library (some 23,000 instructions) is
    /// left out, since no float operation calls it.
    #[test]
    fn the_base_rom_holds_the_bios_and_not_the_float_library() {
        let rom = base_rom().unwrap();
        assert!(
            (50..10_000).contains(&rom.insts.len()),
            "{} instructions",
            rom.insts.len()
        );
        let float_library = zisk_core::FLOAT_LIB_ROM_ADDR..=zisk_core::FLOAT_LIB_ROM_ADDR_MAX;
        assert!(!rom.insts.keys().any(|pc| float_library.contains(pc)));
    }
}
