//! The build pipeline: load → check → assess → views → renderers → atomic output.
//!
//! `serve` drives the same steps: [`prepare`] once per change, then [`Builder::render_public`]
//! (fast) and [`Builder::render_restricted`] (the PDF) separately, so the trust page refreshes first.

use crate::assess::{Assessment, assess};
use crate::diag::{Diagnostic, Diagnostics};
use crate::output::{self, Files};
use crate::outputs::{OUTPUTS, Output, Rendered, Renderer, RestrictedOutput};
use crate::package::Package;
use crate::project::Project;
use crate::render::theme::Theme;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The file name of the package under output/restricted/.
pub const PDF_NAME: &str = "soc2-readiness-package.pdf";
/// The distribution ledger in the project folder (one line per stamped build).
pub const LEDGER_NAME: &str = "distribution-ledger.csv";
/// v1.1: the distribution ledger of policy PDFs (one line per stamped policy PDF).
pub const POLICY_LEDGER_NAME: &str = "policy-distribution-ledger.csv";

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
    /// The package model: typed records, resolved references, statuses and coverage. A build
    /// makes it once and hands it to every output (public ones get the public view made from it).
    pub fn package(&self) -> Package<'_> {
        crate::package::package(&self.project, &self.assessment)
    }

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
        self.render_public_outputs(&p.package(), &p.theme)
    }

    /// Every public output, from the public view of `pkg` (built once: it is all a public
    /// output can be given). Files relative to output/public/.
    pub fn render_public_outputs(
        &mut self,
        pkg: &Package,
        theme: &Theme,
    ) -> Result<Files, Diagnostics> {
        let view = crate::view::public::from_package(pkg);
        let mut files = Files::new();
        for o in OUTPUTS {
            if let Renderer::Public(r) = o.renderer {
                files.extend(r.render(&view, theme)?);
            }
        }
        Ok(files)
    }

    /// Renders one output (the preview renders them one at a time). Restricted outputs use this
    /// builder's PDF engine; a public one is handed the public view only.
    pub fn render_output(
        &mut self,
        o: &Output,
        p: &Prepared,
        pkg: &Package,
        opts: &BuildOptions,
    ) -> Result<Rendered, Diagnostics> {
        match o.renderer {
            Renderer::Public(r) => {
                let view = crate::view::public::from_package(pkg);
                Ok(Rendered {
                    files: r.render(&view, &p.theme)?,
                    ..Rendered::default()
                })
            }
            Renderer::Restricted(r) => r.render(self, p, pkg, opts, worker_threads()),
        }
    }

    /// Every restricted output, one after the other on this thread, in [`OUTPUTS`] order (the
    /// policy PDFs spread over every core themselves); all errors at once.
    ///
    /// In order rather than side by side, measured on the example (2 cores, `hyperfine`): the
    /// same wall time, a third less CPU and less memory than the policy PDFs on a thread beside
    /// the package, and each output reuses the memory the one before freed (glibc does not hand
    /// memory freed by one thread's heap arena to another thread: the workbook on a thread of its
    /// own raised the large project's peak from 1.02 to 1.16 GB).
    pub fn render_restricted_outputs(
        &mut self,
        p: &Prepared,
        pkg: &Package,
        opts: &BuildOptions,
    ) -> Result<Vec<(&'static Output, Rendered)>, Diagnostics> {
        let outputs: Vec<(&'static Output, &'static dyn RestrictedOutput)> = OUTPUTS
            .iter()
            .filter_map(|o| match o.renderer {
                Renderer::Restricted(r) => Some((o, r)),
                Renderer::Public(_) => None,
            })
            .collect();
        let threads = worker_threads();
        let results: Vec<Result<Rendered, Diagnostics>> = outputs
            .iter()
            .map(|(_, r)| r.render(self, p, pkg, opts, threads))
            .collect();
        if results.iter().all(|r| r.is_ok()) {
            return Ok(outputs
                .iter()
                .map(|(o, _)| *o)
                .zip(results.into_iter().flatten())
                .collect());
        }
        let mut d = Diagnostics::default();
        for e in results.into_iter().filter_map(|r| r.err()) {
            d.items.extend(e.items);
            d.sources.extend(e.sources);
        }
        d.sort();
        Err(d)
    }

    /// The restricted package: files relative to output/restricted/, and the page count.
    pub fn render_restricted(
        &mut self,
        p: &Prepared,
        opts: &BuildOptions,
    ) -> Result<(Files, usize), Diagnostics> {
        self.render_package(p, &p.package(), opts)
    }

    /// [`Builder::render_restricted`] from a package model already built.
    pub fn render_package(
        &mut self,
        p: &Prepared,
        pkg: &Package,
        opts: &BuildOptions,
    ) -> Result<(Files, usize), Diagnostics> {
        let pdf_opts = crate::render::pdf::PdfOptions {
            recipient: opts.recipient.clone(),
            content_digest: p.content_digest().to_string(),
            source_date_epoch: source_date_epoch(),
        };
        let view = crate::view::restricted::from_package(pkg, &pdf_opts);
        let out = self.pdf.render(&view, &p.project, &p.theme, &pdf_opts)?;
        self.pdf_warnings = out.warnings;
        let mut files = Files::new();
        files.insert(PDF_NAME.to_string(), out.bytes);
        Ok((files, out.pages))
    }

    /// The PDF of every approved policy (paths `policies/<id>.pdf` under output/restricted/), on
    /// up to `threads` threads.
    pub fn render_policies(
        &self,
        p: &Prepared,
        opts: &BuildOptions,
        threads: usize,
    ) -> Result<Vec<crate::render::policy_pdf::PolicyPdf>, Diagnostics> {
        self.render_policies_of(p, &p.package(), opts, threads)
    }

    /// [`Builder::render_policies`] from a package model already built.
    pub fn render_policies_of(
        &self,
        p: &Prepared,
        pkg: &Package,
        opts: &BuildOptions,
        threads: usize,
    ) -> Result<Vec<crate::render::policy_pdf::PolicyPdf>, Diagnostics> {
        let pdf_opts = crate::render::pdf::PdfOptions {
            recipient: opts.recipient.clone(),
            content_digest: p.content_digest().to_string(),
            source_date_epoch: source_date_epoch(),
        };
        crate::render::policy_pdf::render_policies(&self.pdf, pkg, &p.theme, &pdf_opts, threads)
    }

    /// The package, then the policy PDFs (on every core), as `build` renders them. Files
    /// relative to output/restricted/, the package's page count, and the policies rendered.
    pub fn render_restricted_all(
        &mut self,
        p: &Prepared,
        opts: &BuildOptions,
    ) -> Result<(Files, usize, Vec<crate::render::policy_pdf::PolicyPdf>), Diagnostics> {
        let package = self.render_restricted(p, opts);
        let policies = self.render_policies(p, opts, worker_threads());
        match (package, policies) {
            (Ok((mut files, pages)), Ok(policies)) => {
                for x in &policies {
                    files.insert(x.path.clone(), x.output.bytes.clone());
                    self.pdf_warnings
                        .items
                        .extend(x.output.warnings.items.clone());
                    self.pdf_warnings
                        .sources
                        .extend(x.output.warnings.sources.clone());
                }
                Ok((files, pages, policies))
            }
            (a, b) => {
                let mut d = Diagnostics::default();
                for e in [a.err(), b.err()].into_iter().flatten() {
                    d.items.extend(e.items);
                    d.sources.extend(e.sources);
                }
                d.sort();
                Err(d)
            }
        }
    }
}

/// How many threads the policy PDFs use: one per core.
fn worker_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

/// The control matrix: `control-matrix.xlsx` (stamped with the recipient; `build` names a stamped
/// copy with [`stamped_xlsx_name`]) and `csv/*.csv`, as files relative to output/restricted/.
pub fn control_matrix_files(p: &Prepared, opts: &BuildOptions) -> Result<Files, Diagnostics> {
    control_matrix_files_of(p, &p.package(), opts)
}

/// [`control_matrix_files`] from a package model already built.
pub fn control_matrix_files_of(
    p: &Prepared,
    pkg: &Package,
    opts: &BuildOptions,
) -> Result<Files, Diagnostics> {
    let tables = crate::view::workbook::tables(pkg);
    let (date, seconds) = match source_date_epoch() {
        Some(e) => (
            crate::project::model::Date::from_days(e.div_euclid(86_400)),
            e.rem_euclid(86_400) as u32,
        ),
        None => (p.project.content_date(), 0),
    };
    let stamp = crate::render::workbook::Stamp {
        organization: p.project.config.organization.name.value.clone(),
        system: p.project.config.system.name.value.clone(),
        recipient: opts.recipient.clone(),
        date,
        seconds,
    };
    crate::render::workbook::files(&tables, &stamp).map_err(|e| {
        let mut d = Diagnostics::default();
        d.push(
            Diagnostic::error(
                "workbook",
                None,
                format!("the control matrix workbook could not be written: {e}"),
            )
            .with_hint(
                "this is a bug in trustbook: please report it with the project that causes it",
            ),
        );
        d
    })
}

/// What a build wrote.
pub struct BuildReport {
    pub pdf_path: PathBuf,
    pub pdf_sha256: String,
    pub pages: usize,
    /// v1.1: the policy PDFs written (ID, path under output/, SHA-256).
    pub policy_pdfs: Vec<(String, PathBuf, String)>,
    pub public_dir: PathBuf,
    pub public_files: usize,
    pub warnings: Diagnostics,
    pub timings: Vec<(&'static str, Duration)>,
}

/// Builds the project at `root` into `out` (default `root/output`), atomically: every output of
/// [`OUTPUTS`], public ones from the public view only.
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
    if let Some(r) = &opts.recipient
        && let Err(why) = validate_recipient(r)
    {
        let mut d = Diagnostics::default();
        d.push(Diagnostic::error("bad-recipient", None, why));
        return Err(d);
    }
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
    let pkg = prepared.package();
    let public = builder.render_public_outputs(&pkg, &prepared.theme)?;
    let html_time = t.elapsed();
    let t = Instant::now();
    step("package");
    let mut rendered = builder.render_restricted_outputs(&prepared, &pkg, opts)?;
    let pdf_time = t.elapsed();
    let mut pdf_warnings = Diagnostics::default();
    for (_, r) in &mut rendered {
        let w = std::mem::take(&mut r.warnings);
        pdf_warnings.items.extend(w.items);
        pdf_warnings.sources.extend(w.sources);
    }
    if opts.deny_warnings && pdf_warnings.warnings() > 0 {
        return Err(pdf_warnings);
    }
    let out_dir = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| root.join("output"));
    let t = Instant::now();
    let mut restricted = Files::new();
    for (_, r) in &mut rendered {
        restricted.extend(std::mem::take(&mut r.files));
    }
    // The copies already in restricted/ (other recipients', the unstamped one) are carried over,
    // so no build removes another's copy.
    carry_over_packages(
        &out_dir.join("restricted"),
        &mut restricted,
        opts.recipient.is_some(),
    );
    publish(&out_dir, &restricted, &public)?;
    if let Some(r) = &opts.recipient {
        write_ledgers(root, &out_dir, &prepared, r, &rendered, &restricted)?;
    }
    let write_time = t.elapsed();
    let documents = |id: &str| {
        rendered
            .iter()
            .filter(|(o, _)| o.id == id)
            .flat_map(|(_, r)| r.documents.iter())
            .map(|(doc, path)| {
                (
                    doc.clone(),
                    out_dir.join("restricted").join(path),
                    sha256_hex(&restricted[path]),
                )
            })
            .collect::<Vec<_>>()
    };
    let (_, pdf_path, pdf_sha256) = documents("package").pop().unwrap_or_default();
    let pages = rendered
        .iter()
        .find_map(|(o, r)| r.pages.filter(|_| o.id == "package"))
        .unwrap_or(0);
    Ok(BuildReport {
        pdf_path,
        pdf_sha256,
        pages,
        policy_pdfs: documents("policies"),
        public_dir: out_dir.join("public"),
        public_files: public.len(),
        warnings: {
            let mut w = prepared.diagnostics;
            w.items.extend(pdf_warnings.items);
            w.sources.extend(pdf_warnings.sources);
            w
        },
        timings: vec![
            ("load and check", prepared.load_time),
            ("trust page", html_time),
            ("package and policies", pdf_time),
            ("write", write_time),
        ],
    })
}

fn sha256_hex(bytes: &[u8]) -> String {
    crate::project::load::hex(&Sha256::digest(bytes))
}

fn io_diag(what: String, hint: String) -> Diagnostics {
    let mut d = Diagnostics::default();
    d.push(Diagnostic::error("io", None, what).with_hint(hint));
    d
}

/// Writes output/restricted/ and output/public/ atomically (see [`output`]).
fn publish(out_dir: &Path, restricted: &Files, public: &Files) -> Result<(), Diagnostics> {
    output::publish_detailed(out_dir, &[("restricted", restricted), ("public", public)])
        .map(|_| ())
        .map_err(|e| {
            let state = if e.replaced.is_empty() {
                "the previous output is untouched".to_string()
            } else {
                format!(
                    "{} already hold the new output, the other folder the previous one; run the build again",
                    e.replaced
                        .iter()
                        .map(|r| format!("{}/", out_dir.join(r).display()))
                        .collect::<Vec<_>>()
                        .join(" and ")
                )
            };
            io_diag(
                format!("cannot write the output to {}: {}", out_dir.display(), e.error),
                format!("check the folder's permissions and free space; {state}"),
            )
        })
}

/// After a stamped build: the outputs' lines in the distribution ledgers, in [`OUTPUTS`] order.
fn write_ledgers(
    root: &Path,
    out_dir: &Path,
    p: &Prepared,
    recipient: &str,
    rendered: &[(&'static Output, Rendered)],
    restricted: &Files,
) -> Result<(), Diagnostics> {
    let date = source_date_epoch()
        .map(|s| crate::project::model::Date::from_days(s.div_euclid(86_400)))
        .unwrap_or_else(today);
    for l in rendered.iter().flat_map(|(_, r)| r.ledger.iter()) {
        let mut cols = vec![
            date.to_string(),
            l.recipient.clone(),
            p.content_digest().to_string(),
        ];
        cols.extend(l.extra.iter().cloned());
        cols.push(sha256_hex(&restricted[&l.file]));
        let line = cols.join(",");
        let ledger = root.join(l.ledger);
        output::append_line(&ledger, l.header, &line).map_err(|e| {
            let written = if l.say_written {
                format!(
                    "the package was written to {}; ",
                    out_dir.join("restricted").join(&l.file).display()
                )
            } else {
                String::new()
            };
            io_diag(
                format!("cannot add the {} for {recipient} to {}: {e}", l.what, ledger.display()),
                format!("{written}add the line `{line}` to the ledger by hand, or fix the file's permissions and build again"),
            )
        })?;
    }
    Ok(())
}

/// Today's date from the system clock (used only for the distribution ledger, never in outputs).
fn today() -> crate::project::model::Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    crate::project::model::Date::from_days(secs.div_euclid(86_400))
}

/// The file name of a package stamped for `recipient`: `soc2-readiness-package-<name>-<hash>.pdf`
/// (see [`recipient_tag`]).
pub fn stamped_pdf_name(recipient: &str) -> String {
    format!(
        "{}-{}.pdf",
        PDF_NAME.trim_end_matches(".pdf"),
        recipient_tag(recipient)
    )
}

/// What names a recipient's copies: `<name>-<hash>`, where `<name>` is the recipient in lower-case
/// letters, digits and dashes, and `<hash>` the first 8 hex digits of the SHA-256 of the recipient
/// as given (trimmed), so two different recipients never share a file name even when their names
/// look alike ("Globex" and "globex"). Only `<hash>` when the name has no letter or digit.
pub fn recipient_tag(recipient: &str) -> String {
    let r = recipient.trim();
    let mut slug = String::new();
    for ch in r.chars().flat_map(char::to_lowercase) {
        if ch.is_alphanumeric() {
            slug.push(ch);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
        if slug.chars().count() >= 60 {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    let hash = crate::project::load::hex(&Sha256::digest(r.as_bytes()));
    if slug.is_empty() {
        hash[..8].to_string()
    } else {
        format!("{slug}-{}", &hash[..8])
    }
}

/// The file name of a control matrix workbook stamped for `recipient`:
/// `control-matrix-<name>-<hash>.xlsx` (see [`recipient_tag`]).
pub fn stamped_xlsx_name(recipient: &str) -> String {
    format!(
        "{}-{}.xlsx",
        crate::render::workbook::XLSX_NAME.trim_end_matches(".xlsx"),
        recipient_tag(recipient)
    )
}

/// Checks a `--recipient` value: it names who receives a copy, in the watermark and the ledger.
/// The error says what is wrong with it.
pub fn validate_recipient(r: &str) -> Result<(), String> {
    if r.trim().is_empty() {
        return Err("the recipient is empty; give the name of the organization or person the copy is for, e.g. --recipient \"Globex Corp\"".into());
    }
    if let Some(c) = r.chars().find(|c| c.is_control()) {
        return Err(format!(
            "the recipient contains the control character U+{:04X}; write the name on one line, with letters, digits, spaces and punctuation only",
            c as u32
        ));
    }
    if r.chars().count() > 200 {
        return Err("the recipient is longer than 200 characters; give a shorter name".into());
    }
    Ok(())
}

/// Adds to `files` the package PDFs and control matrix workbooks already in `dir` (other
/// recipients' stamped copies, the unstamped ones) that this build does not write itself, and the
/// policy PDFs of other recipients (`policies/<recipient>/`). A stamped build also keeps the
/// unstamped policy PDFs (`policies/<id>.pdf`); an unstamped build writes those afresh, so a
/// policy that is no longer approved loses its unstamped PDF.
fn carry_over_packages(dir: &Path, files: &mut Files, stamped: bool) {
    let stem = PDF_NAME.trim_end_matches(".pdf");
    let xlsx_stem = crate::render::workbook::XLSX_NAME.trim_end_matches(".xlsx");
    let policies = crate::render::policy_pdf::POLICY_DIR;
    let mut keep = |rel: String, path: &Path| {
        if !files.contains_key(&rel)
            && let Ok(bytes) = std::fs::read(path)
        {
            files.insert(rel, bytes);
        }
    };
    for (name, path, is_file) in entries(dir) {
        if is_file
            && ((name.starts_with(stem) && name.ends_with(".pdf"))
                || (name.starts_with(xlsx_stem) && name.ends_with(".xlsx")))
        {
            keep(name, &path);
        }
    }
    for (name, path, is_file) in entries(&dir.join(policies)) {
        if is_file && stamped && name.ends_with(".pdf") {
            keep(format!("{policies}/{name}"), &path);
        } else if !is_file {
            for (file, fpath, is_file) in entries(&path) {
                if is_file && file.ends_with(".pdf") {
                    keep(format!("{policies}/{name}/{file}"), &fpath);
                }
            }
        }
    }
}

/// The entries of a folder (none if it cannot be read): name, path, and whether it is a file
/// (else a folder; anything else is left out).
fn entries(dir: &Path) -> Vec<(String, PathBuf, bool)> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    rd.filter_map(|e| e.ok())
        .filter_map(|e| {
            let t = e.file_type().ok()?;
            (t.is_file() || t.is_dir()).then(|| {
                (
                    e.file_name().to_string_lossy().to_string(),
                    e.path(),
                    t.is_file(),
                )
            })
        })
        .collect()
}

/// A CSV field: quoted when it holds a comma, a quote or a line break.
pub fn csv_field(s: &str) -> String {
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
    if let Some(r) = &recipient
        && let Err(why) = validate_recipient(r)
    {
        eprintln!("error: {why}");
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
            if !r.policy_pdfs.is_empty() {
                println!(
                    "wrote {} policy PDF{} in {}",
                    r.policy_pdfs.len(),
                    if r.policy_pdfs.len() == 1 { "" } else { "s" },
                    r.policy_pdfs[0]
                        .1
                        .parent()
                        .unwrap_or(&r.public_dir)
                        .display()
                );
            }
            if let Some(rec) = &opts.recipient {
                println!(
                    "stamped for {rec}; recorded in {} (PDF SHA-256 {})",
                    dir.join(LEDGER_NAME).display(),
                    r.pdf_sha256
                );
                if !r.policy_pdfs.is_empty() {
                    println!(
                        "policy PDFs stamped for {rec}; recorded in {}",
                        dir.join(POLICY_LEDGER_NAME).display()
                    );
                }
            }
            0
        }
        Err(d) => {
            eprint!("{}", d.render(color));
            let io = d.items.iter().any(Diagnostic::is_io);
            if d.errors() == 0 && flags.deny_warnings {
                eprintln!(
                    "build failed: {} warning{} denied (--deny-warnings); nothing was written, the previous output is untouched",
                    d.warnings(),
                    if d.warnings() == 1 { "" } else { "s" }
                );
                return 1;
            }
            if io {
                // The hint above says what state the output is in.
                eprintln!(
                    "build failed: {} error{} while writing",
                    d.errors(),
                    if d.errors() == 1 { "" } else { "s" }
                );
            } else {
                eprintln!(
                    "build failed: {} error{}; nothing was written, the previous output is untouched",
                    d.errors(),
                    if d.errors() == 1 { "" } else { "s" }
                );
            }
            d.build_failure_exit_code()
        }
    }
}
