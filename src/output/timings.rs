//! The `--timings` table: where a run's time went, phase by phase, in pipeline order.

use crate::timings::{Phase, Timings};
use std::io::{self, Write};
use std::time::Duration;

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

fn mb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1_000_000.0)
}

fn row(out: &mut dyn Write, name: &str, time: Duration, volume: Option<&Phase>) -> io::Result<()> {
    match volume {
        Some(p) => writeln!(
            out,
            "  {name:<42} {:>10} {:>8} {:>9}",
            ms(time),
            p.files,
            mb(p.bytes)
        ),
        None => writeln!(out, "  {name:<42} {:>10} {:>8} {:>9}", ms(time), "", ""),
    }
}

/// Writes the table. `output` is the time spent writing the report, measured by the caller.
pub fn write(t: &Timings, output: Duration, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "timings: {} ms wall, {} threads (per-file rows are thread time summed over threads)",
        ms(t.wall + output),
        t.threads
    )?;
    writeln!(
        out,
        "  {:<42} {:>10} {:>8} {:>9}",
        "phase", "ms", "files", "MB"
    )?;
    row(
        out,
        "setup (config, rules, prefilter automaton)",
        t.setup,
        None,
    )?;
    row(out, "walk (traversal, classification, idle)", t.walk, None)?;
    row(out, "read", t.read.time, Some(&t.read))?;
    row(out, "prefilter", t.prefilter.time, Some(&t.prefilter))?;
    row(
        out,
        "decode (UTF-8, line index)",
        t.decode.time,
        Some(&t.decode),
    )?;
    for (kind, p) in &t.parse {
        row(out, &format!("parse {kind}"), p.time, Some(p))?;
    }
    for (id, p) in &t.detectors {
        row(out, &format!("detector {id}"), p.time, Some(p))?;
    }
    row(out, "suppress + findings", t.suppress, None)?;
    row(out, "resolve project facts", t.resolve, None)?;
    row(out, "sort + fingerprint", t.finish, None)?;
    row(out, "output", output, None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_phase_with_its_volume() {
        let mut t = Timings {
            threads: 2,
            wall: Duration::from_millis(40),
            ..Timings::default()
        };
        t.read.add(Duration::from_millis(3), 2_500_000);
        t.parse
            .entry("rust")
            .or_default()
            .add(Duration::from_micros(1500), 1000);
        let mut buf = Vec::new();
        write(&t, Duration::from_millis(2), &mut buf).expect("write to a Vec");
        let text = String::from_utf8(buf).expect("utf-8");
        assert!(
            text.starts_with("timings: 42.0 ms wall, 2 threads"),
            "{text}"
        );
        let read = text
            .lines()
            .find(|l| l.trim_start().starts_with("read"))
            .expect("read row");
        assert_eq!(
            read.split_whitespace().collect::<Vec<_>>(),
            ["read", "3.0", "1", "2.5"]
        );
        assert!(text.contains("parse rust"), "{text}");
        assert!(
            text.lines()
                .last()
                .is_some_and(|l| l.contains("output") && l.contains("2.0"))
        );
    }
}
