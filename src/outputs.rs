//! The outputs a build writes, each declaring its audience.
//!
//! An output is one thing a reader gets: the trust page (HTML, `trust.json`, feeds), the readiness
//! package PDF, the policy PDFs, the control matrix (workbook and CSV). [`OUTPUTS`] lists them;
//! `build` writes every one, `serve` previews those marked [`Output::preview`].
//!
//! The audience is a type, not a convention: a public output implements [`PublicOutput`], whose
//! only input is the [`PublicView`] (and the theme), so restricted data cannot be handed to it; a
//! restricted output implements [`RestrictedOutput`] and gets the prepared project. Public files
//! go to `output/public/`, restricted ones to `output/restricted/`.
//!
//! Adding an output: a unit struct implementing one of the two traits, and a line in
//! [`OUTPUTS`] (its id, which is also its preview route, and the theme folders it reads). Neither
//! `build` nor `serve` changes.

use crate::diag::Diagnostics;
use crate::output::Files;
use crate::package::Package;
use crate::pipeline::{BuildOptions, Builder, Prepared};
use crate::render::theme::Theme;
use crate::view::public::PublicView;

/// Who may receive an output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Anyone: written to `output/public/`, rendered from the public view only.
    Public,
    /// The company and the recipients it chooses: written to `output/restricted/`.
    Restricted,
}

impl Audience {
    /// The folder under output/ the audience's files go to.
    pub fn folder(self) -> &'static str {
        match self {
            Audience::Public => "public",
            Audience::Restricted => "restricted",
        }
    }
}

/// An output anyone may read. Its only input is the public view: restricted data has no way in.
/// Handing it the prepared project (or any view but the public one) does not compile:
///
/// ```compile_fail
/// use trustbook::outputs::{PublicOutput, TrustPage};
/// fn leak(p: &trustbook::pipeline::Prepared) {
///     let _ = TrustPage.render(&p.project, &p.theme);
/// }
/// ```
pub trait PublicOutput: Sync {
    /// The files, relative to output/public/.
    fn render(&self, view: &PublicView, theme: &Theme) -> Result<Files, Diagnostics>;
}

/// An output for the company and chosen recipients, rendered from the prepared project.
pub trait RestrictedOutput: Sync {
    /// The files, relative to output/restricted/ (named for `opts.recipient` when stamped).
    /// `pkg` is the package model the build made once; `b` holds the PDF engine (warm in
    /// `serve`); `threads` is how many threads it may use.
    fn render(
        &self,
        b: &mut Builder,
        p: &Prepared,
        pkg: &Package,
        opts: &BuildOptions,
        threads: usize,
    ) -> Result<Rendered, Diagnostics>;
}

/// How an output is rendered, which also says its audience.
#[derive(Clone, Copy)]
pub enum Renderer {
    Public(&'static dyn PublicOutput),
    Restricted(&'static dyn RestrictedOutput),
}

/// One output.
#[derive(Clone, Copy)]
pub struct Output {
    /// A short stable name; the preview serves the output under `/<id>/`.
    pub id: &'static str,
    /// Its name in messages ("trust page in 40 ms", "package failed: …") and in the overlay.
    pub name: &'static str,
    /// Its title on the preview's pages ("Readiness package").
    pub title: &'static str,
    /// The folder under `output/<audience>/` its files are in (`""` for the folder itself,
    /// `"policies/"`): the preview maps `/<id>/<path>` to `<dir><path>`.
    pub dir: &'static str,
    /// The theme folders it reads (`html`, `typst`): a change in another theme folder of that
    /// kind does not affect it. Any other change (content, configuration) affects every output.
    pub theme_dirs: &'static [&'static str],
    /// Whether `serve` previews it.
    pub preview: bool,
    pub renderer: Renderer,
}

impl std::fmt::Debug for Output {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Output")
            .field("id", &self.id)
            .field("audience", &self.audience())
            .finish_non_exhaustive()
    }
}

impl Output {
    /// Who may receive it.
    pub fn audience(&self) -> Audience {
        match self.renderer {
            Renderer::Public(_) => Audience::Public,
            Renderer::Restricted(_) => Audience::Restricted,
        }
    }

    /// Whether a change of the file at `rel` (relative to the project, `/` separators) can
    /// change this output.
    pub fn affected_by(&self, rel: &str) -> bool {
        let parts: Vec<&str> = rel.split('/').filter(|s| !s.is_empty()).collect();
        match parts.as_slice() {
            ["themes", _, dir, ..] if THEME_DIRS.contains(dir) => self.theme_dirs.contains(dir),
            _ => true,
        }
    }
}

/// Every theme folder some output reads.
const THEME_DIRS: &[&str] = &["html", "typst"];

/// What a restricted output rendered.
#[derive(Debug, Default)]
pub struct Rendered {
    /// Paths relative to output/restricted/.
    pub files: Files,
    /// The page count, for a single document (the package).
    pub pages: Option<usize>,
    /// Warnings (Typst warnings, characters no font can show).
    pub warnings: Diagnostics,
    /// The documents it made, by ID (`package`, a policy ID) and path under output/restricted/.
    pub documents: Vec<(String, String)>,
    /// The lines a stamped build adds to the distribution ledgers, in order.
    pub ledger: Vec<LedgerLine>,
}

/// One line of a distribution ledger: `date,<recipient>,<content digest>,<extra…>,<sha256>`,
/// where the SHA-256 is that of `file` as written.
#[derive(Debug, Clone)]
pub struct LedgerLine {
    /// The ledger's file name in the project folder.
    pub ledger: &'static str,
    /// Its header line.
    pub header: &'static str,
    /// The recipient column, CSV-quoted.
    pub recipient: String,
    /// Columns between the content digest and the SHA-256, CSV-quoted.
    pub extra: Vec<String>,
    /// The file (under output/restricted/) the line is about.
    pub file: String,
    /// "line" or "workbook's line": what the error message calls it.
    pub what: &'static str,
    /// Whether the error's hint says where the file was written (the package's does).
    pub say_written: bool,
}

/// The trust page: HTML, `trust.json` and its schema, feeds, `security.txt`, sitemap, manifest.
pub struct TrustPage;

impl PublicOutput for TrustPage {
    fn render(&self, view: &PublicView, theme: &Theme) -> Result<Files, Diagnostics> {
        let mut d = crate::render::html::render(view, theme)?;
        d.retain(|k, _| !k.ends_with(".pdf"));
        Ok(d)
    }
}

/// The readiness package PDF.
pub struct PackagePdf;

impl RestrictedOutput for PackagePdf {
    fn render(
        &self,
        b: &mut Builder,
        p: &Prepared,
        pkg: &Package,
        opts: &BuildOptions,
        _threads: usize,
    ) -> Result<Rendered, Diagnostics> {
        let (mut files, pages) = b.render_package(p, pkg, opts)?;
        let mut ledger = Vec::new();
        let mut name = crate::pipeline::PDF_NAME.to_string();
        if let Some(r) = &opts.recipient {
            // A stamped package is named after its recipient.
            let bytes = files.remove(&name).unwrap_or_default();
            name = crate::pipeline::stamped_pdf_name(r);
            files.insert(name.clone(), bytes);
            ledger.push(LedgerLine {
                ledger: crate::pipeline::LEDGER_NAME,
                header: LEDGER_HEADER,
                recipient: crate::pipeline::csv_field(r.trim()),
                extra: Vec::new(),
                file: name.clone(),
                what: "line",
                say_written: true,
            });
        }
        Ok(Rendered {
            files,
            pages: Some(pages),
            warnings: std::mem::take(&mut b.pdf_warnings),
            documents: vec![("package".to_string(), name)],
            ledger,
        })
    }
}

/// The header of the package and workbook ledger.
const LEDGER_HEADER: &str = "date,recipient,content_sha256,pdf_sha256";

/// The PDF of every approved policy, under `policies/`.
pub struct PolicyPdfs;

impl RestrictedOutput for PolicyPdfs {
    fn render(
        &self,
        b: &mut Builder,
        p: &Prepared,
        pkg: &Package,
        opts: &BuildOptions,
        threads: usize,
    ) -> Result<Rendered, Diagnostics> {
        let policies = b.render_policies_of(p, pkg, opts, threads)?;
        let mut out = Rendered::default();
        for x in policies {
            out.warnings.items.extend(x.output.warnings.items);
            out.warnings.sources.extend(x.output.warnings.sources);
            if let Some(r) = &opts.recipient {
                out.ledger.push(LedgerLine {
                    ledger: crate::pipeline::POLICY_LEDGER_NAME,
                    header: "date,recipient,content_sha256,policy,version,pdf_sha256",
                    recipient: crate::pipeline::csv_field(r),
                    extra: vec![
                        crate::pipeline::csv_field(&x.id),
                        crate::pipeline::csv_field(x.version.as_deref().unwrap_or("")),
                    ],
                    file: x.path.clone(),
                    what: "line",
                    say_written: false,
                });
            }
            out.documents.push((x.id, x.path.clone()));
            out.files.insert(x.path, x.output.bytes);
        }
        Ok(out)
    }
}

/// The control matrix: `control-matrix.xlsx` and `csv/*.csv`.
pub struct ControlMatrix;

impl RestrictedOutput for ControlMatrix {
    fn render(
        &self,
        _b: &mut Builder,
        p: &Prepared,
        pkg: &Package,
        opts: &BuildOptions,
        _threads: usize,
    ) -> Result<Rendered, Diagnostics> {
        let mut files = crate::pipeline::control_matrix_files_of(p, pkg, opts)?;
        let mut ledger = Vec::new();
        let xlsx = crate::render::workbook::XLSX_NAME;
        if let Some(r) = &opts.recipient
            && let Some(x) = files.remove(xlsx)
        {
            // The stamped workbook, so another recipient's build keeps this one's copy.
            let name = crate::pipeline::stamped_xlsx_name(r);
            files.insert(name.clone(), x);
            ledger.push(LedgerLine {
                ledger: crate::pipeline::LEDGER_NAME,
                header: LEDGER_HEADER,
                recipient: crate::pipeline::csv_field(r),
                extra: Vec::new(),
                file: name,
                what: "workbook's line",
                say_written: false,
            });
        }
        Ok(Rendered {
            files,
            ledger,
            ..Rendered::default()
        })
    }
}

/// Every output, in the order they are rendered, written and recorded in the ledgers.
pub const OUTPUTS: &[Output] = &[
    Output {
        id: "trust",
        name: "trust page",
        title: "Trust page",
        dir: "",
        theme_dirs: &["html"],
        preview: true,
        renderer: Renderer::Public(&TrustPage),
    },
    Output {
        id: "package",
        name: "package",
        title: "Readiness package",
        dir: "",
        theme_dirs: &["typst"],
        preview: true,
        renderer: Renderer::Restricted(&PackagePdf),
    },
    Output {
        id: "policies",
        name: "policy PDFs",
        title: "Policy PDFs",
        dir: "policies/",
        theme_dirs: &["typst"],
        preview: true,
        renderer: Renderer::Restricted(&PolicyPdfs),
    },
    Output {
        id: "matrix",
        name: "control matrix",
        title: "Control matrix",
        dir: "",
        theme_dirs: &[],
        preview: false,
        renderer: Renderer::Restricted(&ControlMatrix),
    },
];

/// The output with `id`.
pub fn output(id: &str) -> Option<&'static Output> {
    OUTPUTS.iter().find(|o| o.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_declare_their_audience_and_inputs() {
        let aud = |id| output(id).unwrap().audience();
        assert_eq!(aud("trust"), Audience::Public);
        for id in ["package", "policies", "matrix"] {
            assert_eq!(aud(id), Audience::Restricted, "{id}");
        }
        let trust = output("trust").unwrap();
        let package = output("package").unwrap();
        let matrix = output("matrix").unwrap();
        assert!(trust.affected_by("themes/default/html/index.html"));
        assert!(!package.affected_by("themes/default/html/index.html"));
        assert!(!trust.affected_by("themes/default/typst/package.typ"));
        assert!(package.affected_by("themes/default/typst/package.typ"));
        assert!(!matrix.affected_by("themes/default/typst/package.typ"));
        for o in OUTPUTS {
            assert!(o.affected_by("content/trustbook.yaml"), "{}", o.id);
            assert!(o.affected_by("themes/default/theme.yaml"), "{}", o.id);
        }
        let mut ids: Vec<&str> = OUTPUTS.iter().map(|o| o.id).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), OUTPUTS.len(), "output ids are unique");
    }
}
