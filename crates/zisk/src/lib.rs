//! ZisK in the loop.
//!
//! Everything the compiler needs from ZisK itself, behind one small API:
//! - [`execute`]: run a [`ZiskRom`] on the real interpreted emulator (`ziskemu` used as a
//!   library) and read back the guest's public output, its console, the step count and the
//!   cost breakdown exactly as ziskemu's statistics compute it;
//! - [`program`]: load a guest program the way ZisK's own tools do (`program2rom`), frame
//!   an input file for the ZisK input region, write a ROM as a ziskbin ELF;
//! - [`asm_text`]: write a ROM as ZisK assembly (`.zisk`) text.

pub mod asm_text;
mod console;
pub mod cost;
pub mod elf;
pub mod execute;
mod panics;
pub mod program;

pub use cost::CostReport;
pub use console::LiveConsole;
pub use execute::{run_rom, run_rom_live, Execution, Failure, RunError, RunOptions, Window};
pub use panics::contain_panics;
pub use program::{frame_input, load_program, rom_to_ziskbin, wasm2zisk, InputError};
pub use zisk_core::ZiskRom;
