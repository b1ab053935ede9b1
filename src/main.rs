use clap::Parser;
use std::io::IsTerminal;
use std::process::ExitCode;
use trustbook::cli::{Cli, ColorChoice, Command, Format, ImportCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let color = match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
        }
    };
    let code = match cli.command {
        Command::Check {
            dir,
            format,
            deny_warnings,
        } => check(&dir, format, deny_warnings, color),
        Command::Build {
            dir,
            recipient,
            out,
        } => trustbook::pipeline::cli_build(&dir, recipient, out, color),
        Command::Serve {
            dir,
            port,
            bind,
            open,
        } => trustbook::serve::cli_serve(&dir, port, bind, open, color),
        Command::Init { dir } => trustbook::init::cli_init(&dir),
        Command::Schema { dir } => trustbook::schema::cli_schema(&dir),
        Command::Import(ImportCommand::Comply { src, dest }) => {
            trustbook::import::cli_comply(&src, &dest, color)
        }
        Command::Import(ImportCommand::Matrix { file, dest, map }) => {
            trustbook::import::cli_matrix(&file, &dest, map.as_deref(), color)
        }
    };
    ExitCode::from(code)
}

fn check(dir: &std::path::Path, format: Format, deny_warnings: bool, color: bool) -> u8 {
    if !dir.is_dir() {
        eprintln!("error: {} is not a folder", dir.display());
        return 2;
    }
    let mut loaded = trustbook::project::load(dir);
    let assessment = loaded.project.as_ref().map(|p| {
        trustbook::check::check(p, &mut loaded.diagnostics);
        trustbook::assess::assess(p)
    });
    let d = &loaded.diagnostics;
    let failed = d.has_errors() || (deny_warnings && d.warnings() > 0);
    match format {
        Format::Json => println!(
            "{}",
            trustbook::summary::json(
                loaded.project.as_ref(),
                assessment.as_ref(),
                d,
                deny_warnings
            )
        ),
        Format::Human => {
            eprint!("{}", d.render(color));
            if let (Some(p), Some(a)) = (&loaded.project, &assessment) {
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
                    "the project has errors"
                } else {
                    "warnings are denied (--deny-warnings)"
                };
                eprintln!("check failed: {tally}; {why}");
            } else {
                eprintln!("check passed: {tally}");
            }
        }
    }
    if d.items
        .iter()
        .any(|x| matches!(x.code, "no-project" | "io"))
    {
        2
    } else if failed {
        1
    } else {
        0
    }
}
