//! Reads its pre-opened directory through std::fs and prints what it sees; the test
//! (crates/cli/tests/wasi_programs.rs) runs it with fixtures/wasi-dir as ".".

use std::collections::HashMap;
use std::io::{Read, Seek, SeekFrom, Write};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("args={args:?}");
    println!("GREETING={:?}", std::env::var("GREETING").ok());
    print!("hello.txt={}", std::fs::read_to_string("hello.txt").unwrap());
    println!("size={}", std::fs::metadata("./hello.txt").unwrap().len());
    println!(
        "nested={:?}",
        std::fs::read_to_string("sub/../sub/nested.txt").unwrap()
    );
    let mut names: Vec<String> = std::fs::read_dir(".")
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    println!("dir={names:?}");
    let missing = std::fs::File::open("missing.txt").unwrap_err();
    println!("missing={:?}", missing.kind());
    let create = std::fs::File::create("new.txt").unwrap_err();
    println!("create={:?}", create.kind());
    let escape = std::fs::read("../outside.txt").unwrap_err();
    println!("escape errno={:?}", escape.raw_os_error());
    let mut file = std::fs::File::open("hello.txt").unwrap();
    file.seek(SeekFrom::Start(7)).unwrap();
    let mut rest = String::new();
    file.read_to_string(&mut rest).unwrap();
    println!("from7={rest:?}");
    let mut more = [0u8; 4];
    println!("eof={}", file.read(&mut more).unwrap());
    let mut stdin = String::new();
    std::io::stdin().read_to_string(&mut stdin).unwrap();
    println!("stdin={stdin:?}");
    // RandomState seeds from random_get: czisk's note about it must not reach stdout.
    let mut counts: HashMap<&str, u32> = HashMap::new();
    *counts.entry("x").or_default() += 1;
    println!("hashmap={}", counts["x"]);
    println!("stdout: été ✓");
    eprintln!("stderr: ünïcödé ✓");
    std::io::stdout().write_all(&[0xff, 0x00, b'\n']).unwrap();
}
