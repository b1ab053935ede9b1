//! The command line: `trustbook check | build | serve | init | schema [DIR]`.

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// trustbook turns SOC 2 compliance records kept as plain files in git into a restricted SOC 2
/// readiness package (PDF) and a public SOC 3-style trust page (static HTML).
///
/// A project is a folder with content/trustbook.yaml, controls/, tests/, evidence/, vendors/,
/// remediation/ and narratives/. Every command takes the project folder (default: the current one).
#[derive(Parser, Debug)]
#[command(
    name = "trustbook",
    version,
    about,
    long_about,
    after_help = "Examples:\n  trustbook init my-company      # a starter project\n  trustbook check                # diagnostics and the readiness summary\n  trustbook build                # output/restricted/*.pdf and output/public/\n  trustbook serve --open         # live preview while you write\n\nExit codes: 0 success, 1 the project has errors, 2 usage or I/O errors."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// When to colour the output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Diagnostics rustc-style, then a readiness summary.
    Human,
    /// One JSON document (score, categories, criteria, gaps, diagnostics) for CI and other tools.
    Json,
    /// GitHub Actions workflow commands (`::error file=…,line=…,col=…::…`): problems show as
    /// annotations on the changed lines of a pull request.
    Github,
    /// A SARIF 2.1.0 log on standard output, for code scanning (`--format sarif > trustbook.sarif`).
    Sarif,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Load and check a project: every problem at once, then the readiness summary.
    ///
    /// Reports errors (which stop a build) and warnings (which don't), each with
    /// file:line:column, the line, a caret and a hint. Then prints a row per in-scope category
    /// with a bar, the readiness score with its formula, and the top gaps.
    #[command(
        after_help = "Examples:\n  trustbook check\n  trustbook check ../acme --deny-warnings\n  trustbook check --format json > readiness.json"
    )]
    Check {
        /// The project folder (holds content/trustbook.yaml).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Treat warnings as errors (exit 1 if there are any).
        #[arg(long)]
        deny_warnings: bool,
        /// Fail (exit 1) when the readiness score is below N (0 to 100).
        #[arg(long, value_name = "N", value_parser = parse_score)]
        min_score: Option<f64>,
        /// Print only problems: no readiness summary, no closing line when the check passes.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Render the restricted readiness package (PDF) and the public trust page (HTML).
    ///
    /// Writes output/restricted/soc2-readiness-package.pdf and output/public/ (upload that folder
    /// to any static host as it is). A project with errors builds nothing, and a failed build
    /// leaves the previous output untouched. Dates come from the content or SOURCE_DATE_EPOCH, so
    /// the same inputs give byte-identical files.
    #[command(
        after_help = "Examples:\n  trustbook build\n  trustbook build --recipient \"Globex Corp\"   # watermark + ledger entry\n  SOURCE_DATE_EPOCH=1767225600 trustbook build"
    )]
    Build {
        /// The project folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Stamp every page for this recipient (diagonal watermark, PDF metadata) and append a
        /// line to the project's distribution ledger (distribution-ledger.csv).
        #[arg(long)]
        recipient: Option<String>,
        /// Where to write (default: <DIR>/output).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Treat warnings as errors: build nothing (exit 1) if there are any.
        #[arg(long)]
        deny_warnings: bool,
        /// Print only problems: no progress, timings or summary line.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Live preview: build, serve from memory, rebuild on every save, reload open pages.
    ///
    /// Serves the trust page, the package in the browser's PDF viewer and a start page with the
    /// check results at http://127.0.0.1:PORT. Broken content shows an overlay with the
    /// diagnostics while the last good build stays servable.
    #[command(
        after_help = "Examples:\n  trustbook serve\n  trustbook serve ../acme --port 4000 --open"
    )]
    Serve {
        /// The project folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The port (default: the first free one from 3030).
        #[arg(long)]
        port: Option<u16>,
        /// Listen on this address instead of 127.0.0.1 (exposes drafts of restricted material: use with care).
        #[arg(long)]
        bind: Option<String>,
        /// Open the start page in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Create a starter project: small, or the full control library with --full (refuses to
    /// overwrite anything).
    ///
    /// The starter passes `trustbook check` and shows its gaps honestly. `--full` writes a
    /// planned control for every criterion in scope (with owner, frequency, nature, kind and
    /// ISO 27001:2022 mappings), a test template per control in test-templates/ and an outline
    /// of every section of the system description. Its YAML files carry a
    /// `# yaml-language-server: $schema=…` line so editors autocomplete and flag mistakes.
    #[command(
        after_help = "Examples:\n  trustbook init acme-trust\n  cd acme-trust && trustbook check\n  trustbook init --full acme-trust --categories security,availability"
    )]
    Init {
        /// The folder to create the project in (created if needed; must not hold a project).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Write the full control library instead of the small starter: a planned control for
        /// every criterion in scope, a test template per control and the narratives' outline.
        #[arg(long)]
        full: bool,
        /// With --full: the categories in scope, comma-separated (security is always included),
        /// e.g. security,availability,confidentiality.
        #[arg(long, value_delimiter = ',', requires = "full", value_name = "LIST")]
        categories: Vec<String>,
    },
    /// Explain a diagnostic code: print the book's page for it, with a bad and a fixed example.
    ///
    /// Every problem `check` prints names its code (error[unknown-criterion]) and ends its hint
    /// with the command to explain it. Without a code, lists every code.
    #[command(
        after_help = "Examples:\n  trustbook explain unknown-criterion\n  trustbook explain        # list the codes"
    )]
    Explain {
        /// The diagnostic code, e.g. unknown-criterion.
        code: Option<String>,
    },
    /// Write a JSON Schema for every record kind into <DIR>/schemas/.
    ///
    /// Point your editor's YAML language server at them (init does this for you) to get
    /// completion and inline errors while typing.
    #[command(after_help = "Examples:\n  trustbook schema\n  trustbook schema ../acme")]
    Schema {
        /// The project folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// List the Trust Services Criteria with short titles and, in a project, the controls mapped
    /// to each.
    ///
    /// Titles are short paraphrases, not the AICPA text. Inside a project (a folder with
    /// content/trustbook.yaml) each criterion shows the IDs and statuses of its controls, and
    /// "no control" where there is none.
    #[command(
        after_help = "Examples:\n  trustbook criteria\n  trustbook criteria --category availability\n  trustbook criteria ../acme --category security"
    )]
    Criteria {
        /// The project folder (optional: without a project only the catalog is listed).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Only this category: security, availability, processing-integrity, confidentiality
        /// or privacy.
        #[arg(long, value_name = "NAME")]
        category: Option<String>,
    },
    /// Work with themes (the templates and styles of the package and the trust page).
    #[command(subcommand)]
    Theme(ThemeCommand),
    /// Bring existing records along: a strongdm/comply project or a spreadsheet control matrix.
    ///
    /// Writes only new files, prints what was converted and every decision left to a person
    /// (with file:line), then checks the result: exit 0 when it has no errors.
    #[command(
        subcommand,
        after_help = "Examples:\n  trustbook import comply ../old-comply acme-trust\n  trustbook import matrix controls.xlsx acme-trust\n  trustbook import matrix matrix.csv . --map \"Control Ref=id,Test=description\""
    )]
    Import(ImportCommand),
}

/// `trustbook theme …`
#[derive(Subcommand, Debug)]
pub enum ThemeCommand {
    /// Copy the built-in theme into the project (themes/<NAME>/) to customize it.
    ///
    /// Refuses to overwrite anything. Files you delete from the copy fall back to the built-in
    /// ones. A theme other than `default` is used once trustbook.yaml says `theme: NAME`.
    #[command(
        after_help = "Examples:\n  trustbook theme eject                 # themes/default/, used at once\n  trustbook theme eject --name brand    # themes/brand/; then set `theme: brand`"
    )]
    Eject {
        /// The project folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// The theme's name: the folder under themes/ to write.
        #[arg(long, default_value = "default")]
        name: String,
    },
}

/// Parses a readiness score threshold (0 to 100).
fn parse_score(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number; give a score from 0 to 100, e.g. 60"))?;
    if (0.0..=100.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!(
            "{v} is outside 0 to 100; the readiness score is a percentage"
        ))
    }
}

/// What `trustbook import` reads.
#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Convert a strongdm/comply project (comply.yml, policies/, procedures/, narratives/).
    ///
    /// Policies become draft policies, procedures become controls (cron → nearest frequency),
    /// narratives become narratives; pandoc Markdown (lettered lists, grid tables, {{.Name}})
    /// is converted. Ticket settings are never copied.
    Comply {
        /// The comply project folder (holds comply.yml).
        src: PathBuf,
        /// Where to create the trustbook project (must be new or empty).
        #[arg(default_value = ".")]
        dest: PathBuf,
    },
    /// Read a control matrix (.xlsx, .xls, .ods or .csv) into controls.
    ///
    /// The header row is found by common column names (ID/Ref/Control #, Title, Description/
    /// Activity, Owner, Frequency, Type/Nature, Criteria/TSC, Status, ISO). Into a new or empty
    /// folder it writes a new project; into an existing project it adds control files and never
    /// overwrites an existing ID. Formula cells are read as their saved values, never evaluated.
    Matrix {
        /// The spreadsheet or CSV file.
        file: PathBuf,
        /// A new or empty folder, or an existing trustbook project.
        #[arg(default_value = ".")]
        dest: PathBuf,
        /// Name columns yourself: "Header=field,..." with fields id, title, description,
        /// owner, frequency, nature, kind, type, criteria, status, iso.
        #[arg(long)]
        map: Option<String>,
    },
}
