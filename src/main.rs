use clap::Parser;
use std::io::IsTerminal;
use std::process::ExitCode;
use trustbook::cli::{Cli, ColorChoice, Command, Format, ImportCommand, ThemeCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    // Every command but `init` works from a subfolder of a project, as cargo does.
    let root = |d: std::path::PathBuf| trustbook::project::layout::find_root(&d);
    let code = match cli.command {
        Command::Check {
            dir,
            format,
            deny_warnings,
            min_score,
            quiet,
        } => check(
            &root(dir),
            format,
            CheckOptions {
                deny_warnings,
                min_score,
                quiet,
            },
            color,
        ),
        Command::Build {
            dir,
            recipient,
            out,
            deny_warnings,
            quiet,
        } => trustbook::pipeline::cli_build_with(
            &root(dir),
            recipient,
            out,
            color,
            trustbook::pipeline::CliBuildFlags {
                deny_warnings,
                quiet,
            },
        ),
        Command::Serve {
            dir,
            port,
            bind,
            open,
        } => trustbook::serve::cli_serve(&root(dir), port, bind, open, color),
        Command::Init {
            dir,
            full,
            categories,
        } => {
            if full {
                trustbook::init_full::cli_init_full(&dir, &categories)
            } else {
                trustbook::init::cli_init(&dir)
            }
        }
        Command::Schema { dir } => trustbook::schema::cli_schema(&root(dir)),
        Command::Explain { code } => trustbook::explain::cli_explain(code.as_deref()),
        Command::Criteria { dir, category } => {
            trustbook::criteria::cli_criteria(&dir, category.as_deref())
        }
        Command::Theme(ThemeCommand::Eject { dir, name }) => {
            trustbook::render::theme::cli_eject(&dir, &name)
        }
        Command::Import(ImportCommand::Comply { src, dest }) => {
            trustbook::import::cli_comply(&src, &dest, color)
        }
        Command::Import(ImportCommand::Matrix { file, dest, map }) => {
            trustbook::import::cli_matrix(&file, &dest, map.as_deref(), color)
        }
    };
    ExitCode::from(code)
}

/// The flags of `trustbook check` besides the folder and the format.
struct CheckOptions {
    deny_warnings: bool,
    min_score: Option<f64>,
    quiet: bool,
}

fn check(dir: &std::path::Path, format: Format, opts: CheckOptions, color: bool) -> u8 {
    let deny_warnings = opts.deny_warnings;
    if !dir.is_dir() {
        eprintln!("error: {} is not a folder", dir.display());
        return 2;
    }
    let mut loaded = trustbook::project::load(dir);
    let assessment = loaded.project.as_ref().map(|p| {
        trustbook::check::check(p, &mut loaded.diagnostics);
        // A project's own theme is validated by rendering with it (build renders anyway).
        trustbook::preflight::theme(p, &mut loaded.diagnostics);
        trustbook::assess::assess(p)
    });
    let d = &loaded.diagnostics;
    // --min-score: the score is only meaningful when the project loaded.
    let below =
        trustbook::ci::below_min_score(assessment.as_ref().map(|a| a.score), opts.min_score);
    let failed = d.has_errors() || (deny_warnings && d.warnings() > 0) || below.is_some();
    match format {
        Format::Json => {
            let json = trustbook::summary::json(
                loaded.project.as_ref(),
                assessment.as_ref(),
                d,
                deny_warnings,
            );
            println!(
                "{}",
                trustbook::ci::with_min_score(json, opts.min_score, below.is_some())
            )
        }
        Format::Github => {
            print!("{}", trustbook::ci::github(d, dir));
            if let Some(why) = &below {
                println!(
                    "::error title=min-score::{}",
                    trustbook::ci::escape_data(why)
                );
            }
            if !opts.quiet
                && let Some(a) = &assessment
            {
                println!(
                    "::notice title=readiness::{}",
                    trustbook::ci::escape_data(&format!(
                        "Readiness score {:.1} ({} error{}, {} warning{}). {}",
                        a.score,
                        d.errors(),
                        if d.errors() == 1 { "" } else { "s" },
                        d.warnings(),
                        if d.warnings() == 1 { "" } else { "s" },
                        a.formula
                    ))
                );
            }
        }
        Format::Sarif => println!("{}", trustbook::ci::sarif(d, dir)),
        Format::Human => {
            eprint!("{}", d.render(color));
            if !opts.quiet
                && let (Some(p), Some(a)) = (&loaded.project, &assessment)
            {
                print!("{}", trustbook::summary::human(p, a, 8));
            }
            let tally = format!(
                "{} error{}, {} warning{}",
                d.errors(),
                if d.errors() == 1 { "" } else { "s" },
                d.warnings(),
                if d.warnings() == 1 { "" } else { "s" }
            );
            if failed {
                let why = if d.has_errors() {
                    "the project has errors".to_string()
                } else if deny_warnings && d.warnings() > 0 {
                    "warnings are denied (--deny-warnings)".to_string()
                } else {
                    below.clone().unwrap_or_default()
                };
                eprintln!("check failed: {tally}; {why}");
            } else if !opts.quiet {
                eprintln!("check passed: {tally}");
            }
        }
    }
    d.check_exit_code(failed)
}
