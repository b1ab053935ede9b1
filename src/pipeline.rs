//! The build pipeline: load → check → assess → views → renderers → atomic output.
//!
//! `serve` drives the same steps: [`prepare`] once per change, then [`Builder::render_public`]
//! (fast) and [`Builder::render_restricted`] (the PDF) separately, so the trust page refreshes first.

use crate::assess::{Assessment, assess};
use crate::diag::{Diagnostic, Diagnostics};
use crate::output::{self, Files};
use crate::project::Project;
use crate::render::theme::Theme;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The file name of the package under output/restricted/.
pub const PDF_NAME: &str = "soc2-readiness-package.pdf";
/// The distribution ledger in the project folder (one line per stamped build).
pub const LEDGER_NAME: &str = "distribution-ledger.csv";

/// A checked and assessed project, ready to render.
pub struct Prepared {
    pub project: Project,
    pub assessment: Assessment,
    /// Warnings (errors stop before this point).
    pub diagnostics: Diagnostics,
    pub theme: Theme,
    /// SHA-256 over every file under content/, computed on first use (only the package and the
    /// ledger need it, so serve's trust-page rebuild never reads the evidence files for it).
    digest: std::sync::OnceLock<String>,
    pub load_time: Duration,
}

impl Prepared {
    /// SHA-256 over every file under content/ (path and bytes), for the ledger and the package.
    pub fn content_digest(&self) -> &str {
        self.digest
            .get_or_init(|| content_digest(&self.project.root.join("content")))
    }
}

/// Loads, checks and assesses the project at `root`; returns every diagnostic if there are errors.
pub fn prepare(root: &Path) -> Result<Prepared, Diagnostics> {
    let t = Instant::now();
    let mut loaded = crate::project::load(root);
    let Some(project) = loaded.project.take() else {
        return Err(loaded.diagnostics);
    };
    crate::check::check(&project, &mut loaded.diagnostics);
    if loaded.diagnostics.has_errors() {
        return Err(loaded.diagnostics);
    }
    let assessment = assess(&project);
    let theme = Theme::load(root, project.theme_name());
    Ok(Prepared {
        project,
        assessment,
        diagnostics: loaded.diagnostics,
        theme,
        digest: std::sync::OnceLock::new(),
        load_time: t.elapsed(),
    })
}

/// SHA-256 over the sorted (relative path, bytes) of every file under `content`.
pub fn content_digest(content: &Path) -> String {
    let mut paths: Vec<PathBuf> = walkdir::WalkDir::new(content)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().to_path_buf())
        .collect();
    paths.sort();
    let mut h = Sha256::new();
    for p in paths {
        let rel = p
            .strip_prefix(content)
            .unwrap_or(&p)
            .to_string_lossy()
            .replace('\\', "/");
        h.update(rel.as_bytes());
        h.update([0]);
        if let Ok(bytes) = std::fs::read(&p) {
            h.update((bytes.len() as u64).to_le_bytes());
            h.update(&bytes);
        }
    }
    crate::project::load::hex(&h.finalize())
}

/// `SOURCE_DATE_EPOCH`, if set to a valid number.
pub fn source_date_epoch() -> Option<i64> {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse().ok())
}

/// Options of one build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub recipient: Option<String>,
    /// Print a line to stderr as each step starts (for a terminal; large projects take seconds).
    pub progress: bool,
    /// Fail (write nothing) if there are warnings, from the check or from rendering the package.
    pub deny_warnings: bool,
}

/// Renders; keeps the Typst engine (fonts, world) alive between builds.
pub struct Builder {
    pdf: crate::render::pdf::PdfEngine,
    /// Warnings of the last package render (Typst warnings, characters no font can show).
    pub pdf_warnings: Diagnostics,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    pub fn new() -> Builder {
        Builder {
            pdf: crate::render::pdf::PdfEngine::new(),
            pdf_warnings: Diagnostics::default(),
        }
    }

    /// The public trust page: files relative to output/public/.
    pub fn render_public(&mut self, p: &Prepared) -> Result<Files, Diagnostics> {
        let view = crate::view::public::public_view(&p.project, &p.assessment);
        let mut d = crate::render::html::render(&view, &p.theme)?;
        d.retain(|k, _| !k.ends_with(".pdf"));
        Ok(d)
    }

    /// The restricted package: files relative to output/restricted/, and the page count.
    pub fn render_restricted(
        &mut self,
        p: &Prepared,
        opts: &BuildOptions,
    ) -> Result<(Files, usize), Diagnostics> {
        let pdf_opts = crate::render::pdf::PdfOptions {
            recipient: opts.recipient.clone(),
            content_digest: p.content_digest().to_string(),
            source_date_epoch: source_date_epoch(),
        };
        let out = self
            .pdf
            .render(&p.project, &p.assessment, &p.theme, &pdf_opts)?;
        self.pdf_warnings = out.warnings;
        let mut files = Files::new();
        files.insert(PDF_NAME.to_string(), out.bytes);
        Ok((files, out.pages))
    }
}

/// What a build wrote.
pub struct BuildReport {
    pub pdf_path: PathBuf,
    pub pdf_sha256: String,
    pub pages: usize,
    pub public_dir: PathBuf,
    pub public_files: usize,
    pub warnings: Diagnostics,
    pub timings: Vec<(&'static str, Duration)>,
}

/// Builds the project at `root` into `out` (default `root/output`), atomically.
pub fn build(
    root: &Path,
    out: Option<&Path>,
    opts: &BuildOptions,
) -> Result<BuildReport, Diagnostics> {
    let step = |what: &str| {
        if opts.progress {
            eprintln!("{what:>12} …");
        }
    };
    step("checking");
    let prepared = prepare(root)?;
    if opts.deny_warnings && prepared.diagnostics.warnings() > 0 {
        return Err(prepared.diagnostics);
    }
    let mut builder = Builder {
        pdf: crate::render::pdf::PdfEngine::one_shot(),
        pdf_warnings: Diagnostics::default(),
    };
    let t = Instant::now();
    step("trust page");
    let public = builder.render_public(&prepared)?;
    let html_time = t.elapsed();
    let t = Instant::now();
    step("package");
    let (restricted, pages) = builder.render_restricted(&prepared, opts)?;
    let pdf_time = t.elapsed();
    if opts.deny_warnings && builder.pdf_warnings.warnings() > 0 {
        return Err(builder.pdf_warnings);
    }
    let out_dir = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.join("output"));
    let t = Instant::now();
    let io_err = |e: std::io::Error| {
        let mut d = Diagnostics::default();
        d.push(
            Diagnostic::error(
                "io",
                None,
                format!("cannot write the output to {}: {e}", out_dir.display()),
            )
            .with_hint(
                "check the folder's permissions and free space; the previous output is untouched",
            ),
        );
        d
    };
    output::publish(
        &out_dir,
        &[("restricted", &restricted), ("public", &public)],
    )
    .map_err(io_err)?;
    let pdf_bytes = &restricted[PDF_NAME];
    let pdf_sha256 = crate::project::load::hex(&Sha256::digest(pdf_bytes));
    if let Some(r) = &opts.recipient {
        let date = source_date_epoch()
            .map(|s| crate::project::model::Date::from_days(s.div_euclid(86_400)))
            .unwrap_or_else(today);
        let line = format!(
            "{date},{},{},{}",
            csv_field(r),
            prepared.content_digest(),
            pdf_sha256
        );
        output::append_line(
            &root.join(LEDGER_NAME),
            "date,recipient,content_sha256,pdf_sha256",
            &line,
        )
        .map_err(io_err)?;
    }
    let write_time = t.elapsed();
    Ok(BuildReport {
        pdf_path: out_dir.join("restricted").join(PDF_NAME),
        pdf_sha256,
        pages,
        public_dir: out_dir.join("public"),
        public_files: public.len(),
        warnings: {
            let mut w = prepared.diagnostics;
            w.items.extend(builder.pdf_warnings.items);
            w.sources.extend(builder.pdf_warnings.sources);
            w
        },
        timings: vec![
            ("load and check", prepared.load_time),
            ("trust page", html_time),
            ("package", pdf_time),
            ("write", write_time),
        ],
    })
}

/// Today's date from the system clock (used only for the distribution ledger, never in outputs).
fn today() -> crate::project::model::Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    crate::project::model::Date::from_days(secs.div_euclid(86_400))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `trustbook build`: prints diagnostics, then one line saying what was written, pages and time.
pub fn cli_build(dir: &Path, recipient: Option<String>, out: Option<PathBuf>, color: bool) -> u8 {
    cli_build_with(dir, recipient, out, color, CliBuildFlags::default())
}

/// The flags of `trustbook build` besides the folder, recipient and output folder.
#[derive(Debug, Clone, Copy, Default)]
pub struct CliBuildFlags {
    /// `--deny-warnings`: any warning fails the build and nothing is written.
    pub deny_warnings: bool,
    /// `--quiet`: print only problems.
    pub quiet: bool,
}

/// `trustbook build` with its flags: like [`cli_build`], plus `--deny-warnings` and `--quiet`.
pub fn cli_build_with(
    dir: &Path,
    recipient: Option<String>,
    out: Option<PathBuf>,
    color: bool,
    flags: CliBuildFlags,
) -> u8 {
    if !dir.is_dir() {
        eprintln!("error: {} is not a folder", dir.display());
        return 2;
    }
    let start = Instant::now();
    let opts = BuildOptions {
        recipient,
        progress: !flags.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        deny_warnings: flags.deny_warnings,
    };
    match build(dir, out.as_deref(), &opts) {
        Ok(r) => {
            eprint!("{}", r.warnings.render(color));
            if flags.quiet {
                return 0;
            }
            let timings: Vec<String> = r
                .timings
                .iter()
                .map(|(k, d)| format!("{k} {} ms", d.as_millis()))
                .collect();
            eprintln!("  timings: {}", timings.join(", "));
            println!(
                "wrote {} ({} pages) and {} ({} files) in {} ms",
                r.pdf_path.display(),
                r.pages,
                r.public_dir.display(),
                r.public_files,
                start.elapsed().as_millis()
            );
            if let Some(rec) = &opts.recipient {
                println!(
                    "stamped for {rec}; recorded in {} (PDF SHA-256 {})",
                    dir.join(LEDGER_NAME).display(),
                    r.pdf_sha256
                );
            }
            0
        }
        Err(d) => {
            eprint!("{}", d.render(color));
            let io = d.items.iter().any(|x| x.code == "io");
            if d.errors() == 0 && flags.deny_warnings {
                eprintln!(
                    "build failed: {} warning{} denied (--deny-warnings); nothing was written, the previous output is untouched",
                    d.warnings(),
                    if d.warnings() == 1 { "" } else { "s" }
                );
                return 1;
            }
            eprintln!(
                "build failed: {} error{}; nothing was written, the previous output is untouched",
                d.errors(),
                if d.errors() == 1 { "" } else { "s" }
            );
            if io { 2 } else { 1 }
        }
    }
}
