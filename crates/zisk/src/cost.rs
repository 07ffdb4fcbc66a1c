//! The cost figures of a run, read from ziskemu's own statistics.
//!
//! ziskemu computes its cost model inside `Stats` and exposes it as a machine-readable
//! snapshot (`Stats::stats_csv`, the same data `ziskemu --save-stats` writes). We parse that
//! snapshot instead of recomputing anything, so the figures are exactly ziskemu's.

use serde::Serialize;

/// Cost breakdown of one execution (ZisK cost model, see `ziskemu::emu_costs`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CostReport {
    /// Cost model version reported by ziskemu.
    pub version: String,
    /// Steps executed.
    pub steps: u64,
    /// Total cost: the figure that tracks proving time.
    pub total: u64,
    /// Main state machine: steps x MAIN cost.
    pub main: u64,
    /// Non-precompile opcodes (binary, arith, ...).
    pub opcodes: u64,
    /// Precompile state machines.
    pub precompiles: u64,
    /// Memory accesses.
    pub memory: u64,
    /// Fixed base cost included in `total`.
    pub base: u64,
    /// Executions and cost per opcode, most expensive first.
    pub per_opcode: Vec<OpcodeCost>,
    /// Memory accesses by region and alignment (ziskemu's "MEM" rows: RAM stack or not,
    /// ROM, input; aligned 8-byte words or not), in ziskemu's order.
    pub memory_by_region: Vec<MemoryCost>,
    /// Memory accesses by region, direction, width and how they sit in the 8-byte words
    /// (ziskemu's "DETAILED_MEM" rows), in ziskemu's order.
    pub memory_by_width: Vec<MemoryCost>,
}

/// One row of ziskemu's memory statistics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemoryCost {
    /// ziskemu's name for the row (region, direction, width, placement).
    pub kind: String,
    /// Accesses.
    pub count: u64,
    /// Their cost.
    pub cost: u64,
}

/// One opcode's executions and cost.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpcodeCost {
    /// ZisK's opcode name.
    pub opcode: String,
    /// Executions.
    pub count: u64,
    /// Their cost beyond the step's.
    pub cost: u64,
    /// Whether it is a precompile.
    pub precompile: bool,
}

impl CostReport {
    /// Parses the `;`-separated snapshot produced by `Stats::stats_csv(';')`.
    pub fn from_stats_csv(csv: &str) -> Result<CostReport, String> {
        let mut report = CostReport::default();
        let mut seen_total = false;
        for line in csv.lines() {
            let fields: Vec<&str> = line.split(';').collect();
            let number = |i: usize| -> Result<u64, String> {
                fields
                    .get(i)
                    .and_then(|f| f.trim().parse::<u64>().ok())
                    .ok_or_else(|| format!("unexpected ziskemu stats line: {line}"))
            };
            match fields.as_slice() {
                ["COSTS_VERSION", v, ..] => report.version = v.to_string(),
                ["STEPS", ..] => report.steps = number(1)?,
                ["COST", "MAIN", ..] => report.main = number(2)?,
                ["COST", "OPCODES", ..] => report.opcodes = number(2)?,
                ["COST", "PRECOMPILES", ..] => report.precompiles = number(2)?,
                ["COST", "MEMORY", ..] => report.memory = number(2)?,
                ["COST", "BASE", ..] => report.base = number(2)?,
                ["COST", "TOTAL", ..] => {
                    report.total = number(2)?;
                    seen_total = true;
                }
                ["OP_BASE", "OPCODE", ..] | ["MEM", "COST BY TYPE", ..] => {}
                ["DETAILED_MEM", "TYPE", ..] => {}
                [section @ ("MEM" | "DETAILED_MEM"), kind, ..] => {
                    let row = MemoryCost {
                        kind: kind.to_string(),
                        count: number(2)?,
                        cost: number(4)?,
                    };
                    if *section == "MEM" {
                        report.memory_by_region.push(row);
                    } else {
                        report.memory_by_width.push(row);
                    }
                }
                [section @ ("OP_BASE" | "PRECOMPILES"), name, ..] => {
                    let (count, cost) = (number(2)?, number(4)?);
                    if count > 0 {
                        report.per_opcode.push(OpcodeCost {
                            opcode: name.to_string(),
                            count,
                            cost,
                            precompile: *section == "PRECOMPILES",
                        });
                    }
                }
                _ => {}
            }
        }
        if !seen_total {
            return Err("ziskemu statistics snapshot has no TOTAL cost line".into());
        }
        report
            .per_opcode
            .sort_by(|a, b| b.cost.cmp(&a.cost).then(a.opcode.cmp(&b.opcode)));
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_snapshot_sections() {
        let csv = "COSTS_VERSION;1\nSTEPS;10\n\nCOST;COST DISTRIBUTION;COST;%\n\
            COST;MAIN;620;50%\nCOST;OPCODES;55;4%\nCOST;PRECOMPILES;0;0%\nCOST;MEMORY;29;2%\n\
            COST;VARIABLE;704;57%\nCOST;BASE;530;43%\nCOST;TOTAL;1234;100%\n\n\
            OP_BASE;OPCODE;COUNT;%;COST;%\nOP_BASE;add;3;30%;63;5%\nOP_BASE;copyb;7;70%;0;0%\n\n\
            PRECOMPILES;keccak;0;0%;0;0%\n";
        let r = CostReport::from_stats_csv(csv).unwrap();
        assert_eq!(
            (r.steps, r.total, r.main, r.opcodes, r.memory, r.base),
            (10, 1234, 620, 55, 29, 530)
        );
        assert_eq!(
            r.per_opcode.len(),
            2,
            "zero-count precompile rows are dropped"
        );
        assert_eq!(r.per_opcode[0].opcode, "add");
        assert_eq!(r.per_opcode[1].count, 7);
    }

    #[test]
    fn parses_the_memory_rows() {
        let csv = "STEPS;10\nCOST;TOTAL;1234;100%\n\
            MEM;COST BY TYPE;COUNT;%;COST;%\nMEM;RAM STACK ALIGNED;4;40%;44;10%\n\
            MEM;RAM NO STACK UNALIGNED;2;20%;222;50%\n\n\
            DETAILED_MEM;TYPE;COUNT;%;COST;%\nDETAILED_MEM;RAM NO STACK READ 4B;2;20%;222;50%\n\n\
            DETAILED_MEM FULL;READ;2;20%;222;50%\n";
        let r = CostReport::from_stats_csv(csv).unwrap();
        let kinds = |rows: &[MemoryCost]| {
            rows.iter()
                .map(|m| (m.kind.clone(), m.count, m.cost))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            kinds(&r.memory_by_region),
            [
                ("RAM STACK ALIGNED".to_string(), 4, 44),
                ("RAM NO STACK UNALIGNED".to_string(), 2, 222)
            ]
        );
        assert_eq!(
            kinds(&r.memory_by_width),
            [("RAM NO STACK READ 4B".to_string(), 2, 222)]
        );
    }

    #[test]
    fn rejects_a_snapshot_without_total() {
        assert!(CostReport::from_stats_csv("STEPS;1\n").is_err());
    }
}
