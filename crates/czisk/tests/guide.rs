//! docs/guide.md's `czisk` commands, run as written (from the repository root, outputs in
//! a scratch directory): a guide whose commands stopped working fails here. The build
//! commands it shows are scripts/build-guests.sh's, run by CI.

use std::path::Path;
use std::process::Command;

/// The `czisk ...` lines of the guide's `sh` blocks.
fn guide_commands() -> Vec<String> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let guide = std::fs::read_to_string(repo.join("docs/guide.md")).unwrap();
    let mut commands = Vec::new();
    let mut in_sh = false;
    for line in guide.lines() {
        match line.trim() {
            "```sh" => in_sh = true,
            "```" => in_sh = false,
            l if in_sh && l.starts_with("czisk ") => commands.push(l.to_string()),
            _ => {}
        }
    }
    commands
}

#[test]
fn every_czisk_command_in_the_guide_runs() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let scratch = std::env::temp_dir().join(format!("czisk-guide-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let commands = guide_commands();
    assert!(commands.len() >= 8, "{commands:?}");
    for command in &commands {
        let words: Vec<String> = command
            .split_whitespace()
            .skip(1)
            .map(|w| {
                // Outputs (-o FILE) and the files written earlier land in the scratch dir.
                if w.ends_with(".elf") || w.ends_with(".zisk") {
                    scratch.join(w).display().to_string()
                } else {
                    w.to_string()
                }
            })
            .collect();
        let output = Command::new(env!("CARGO_BIN_EXE_czisk"))
            .current_dir(&repo)
            .args(&words)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "`{command}` failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(&scratch);
}
