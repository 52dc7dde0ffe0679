//! The binary edge: parse arguments, run the library, map the outcome to an exit code.

use anyhow::Context as _;
use clap::Parser;
use scalelint::cli::{CheckArgs, Cli, ColorChoice, Command, ListFormat};
use scalelint::{CheckOptions, config, detectors, output, rules};
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

const FINDINGS: u8 = 1;
const FAILURE: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(FAILURE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "scalelint: error: {e:#}");
            ExitCode::from(FAILURE)
        }
    }
}

/// A closed pipe (`scalelint check | head`) is not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut stdout = std::io::stdout().lock();
    match cli.command {
        Command::Check(args) => check(args),
        Command::Rules(args) => {
            match args.format {
                ListFormat::Text => {
                    for rule in rules::RULES {
                        let detectors: Vec<_> =
                            detectors::for_rule(rule.id).map(|d| d.id()).collect();
                        writeln!(
                            stdout,
                            "{}  {:<30} {:<8} {:<8} {}{}",
                            rule.id,
                            rule.name,
                            rule.category.as_str(),
                            rule.default_severity.as_str(),
                            rule.summary,
                            if detectors.is_empty() {
                                " (no detector yet)".to_owned()
                            } else {
                                format!(" [{}]", detectors.join(", "))
                            }
                        )?;
                    }
                }
                ListFormat::Json => {
                    let list: Vec<_> = rules::RULES
                        .iter()
                        .map(|r| {
                            serde_json::json!({
                                "id": r.id,
                                "name": r.name,
                                "category": r.category.as_str(),
                                "severity": r.default_severity.as_str(),
                                "summary": r.summary,
                                "detectors": detectors::for_rule(r.id).map(|d| d.id()).collect::<Vec<_>>(),
                            })
                        })
                        .collect();
                    serde_json::to_writer_pretty(&mut stdout, &list)?;
                    writeln!(stdout)?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Detectors(args) => {
            list_detectors(args.format, &mut stdout)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Explain { rule } => {
            let rule = rules::find(&rule).with_context(|| {
                format!("unknown rule `{rule}` (see `scalelint rules` for the catalog)")
            })?;
            stdout.write_all(rule.doc.as_bytes())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// What each detector reads, the literals its files must contain, and the rules it emits.
fn list_detectors(format: ListFormat, out: &mut dyn Write) -> anyhow::Result<()> {
    let kinds = |d: &dyn detectors::Detector| {
        let mut names: Vec<&str> = d.kinds().iter().map(|k| k.name()).collect();
        names.dedup();
        names
    };
    match format {
        ListFormat::Text => {
            for d in detectors::DETECTORS {
                writeln!(
                    out,
                    "{:<34} {:<12} reads {}; triggers: {}",
                    d.id(),
                    d.rules().join(","),
                    kinds(*d).join(", "),
                    d.triggers().join(" | ")
                )?;
            }
        }
        ListFormat::Json => {
            let list: Vec<_> = detectors::DETECTORS
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "id": d.id(),
                        "kinds": kinds(*d),
                        "triggers": d.triggers(),
                        "rules": d.rules(),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &list)?;
            writeln!(out)?;
        }
    }
    Ok(())
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let max_file_size = args
        .max_file_size
        .as_deref()
        .map(config::parse_size)
        .transpose()?;
    let options = CheckOptions {
        paths: args.paths,
        base: None,
        config: args.config,
        select: args.select,
        ignore: args.ignore,
        no_ignore: args.no_ignore,
        follow_links: args.follow,
        jobs: args.jobs.unwrap_or(0),
        max_file_size,
        include_tests: args.include_tests,
        require_reason: args.require_reason,
    };
    let report = scalelint::check(&options)?;

    let no_color_env = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none() && std::io::stdout().is_terminal() && !no_color_env
        }
    };
    let writing = std::time::Instant::now();
    match &args.output {
        Some(path) => {
            let mut file = std::io::BufWriter::new(
                std::fs::File::create(path)
                    .with_context(|| format!("cannot create {}", path.display()))?,
            );
            output::write(&report, args.format, color, &mut file)
                .and_then(|()| file.flush())
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        None => {
            let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
            output::write(&report, args.format, color, &mut stdout)?;
            stdout.flush()?;
        }
    }
    if args.timings {
        output::timings::write(
            &report.timings,
            writing.elapsed(),
            &mut std::io::stderr().lock(),
        )?;
    }
    if report.findings.is_empty() || args.exit_zero {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(FINDINGS))
    }
}
