//! The restricted package PDF: an embedded Typst compiler over an in-memory world.
//!
//! The world holds only what the package needs: `/main.typ` (generated, fixed text), the theme's
//! Typst files (`themes/<name>/typst/x.typ` is served as `/x.typ`), the view as `/data.json`, and
//! the image files under content/ as `/content/<path>`, each read from disk only when the document
//! shows it (the logo, the narratives' and policies' images; never an evidence screenshot nobody
//! shows). Nothing else is readable: no other file, no packages, no network, no system fonts. Dates come from the content or `SOURCE_DATE_EPOCH`,
//! never the clock, so two renders of the same input are byte-identical.

use crate::diag::{Diagnostic, Diagnostics, Loc};
use crate::project::lazy::Assets;
use crate::project::model::{Date, Project};
use crate::render::theme::Theme;
use crate::view::restricted::RestrictedView;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use typst::diag::{FileError, FileResult, Severity, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration, Smart};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World, WorldExt};
use typst_kit::fonts::FontStore;
use typst_layout::PagedDocument;
use typst_pdf::{PdfStandard, PdfStandards, Timestamp};

/// Options of one package render; defined with the views, which read the recipient stamp, so
/// that the view layer never imports a renderer.
pub use crate::view::PdfOptions;

/// A rendered package.
#[derive(Debug, Clone)]
pub struct PdfOutput {
    pub bytes: Vec<u8>,
    pub pages: usize,
    /// Problems that did not stop the render: Typst warnings, and characters no embedded font
    /// can show (PDF/A forbids missing glyphs, so they are replaced by `[U+XXXX]`).
    pub warnings: Diagnostics,
}

/// The theme file the template starts from.
pub const ENTRY: &str = "typst/package.typ";

/// The generated main file: it only includes the theme's entry point.
const MAIN: &str = "#include \"/package.typ\"\n";

fn fid(path: &str) -> FileId {
    RootedPath::new(
        VirtualRoot::Project,
        VirtualPath::new(path).expect("valid virtual path"),
    )
    .intern()
}

/// An in-memory Typst world; kept alive between renders so that recompiles are incremental.
struct MemWorld {
    library: LazyHash<Library>,
    fonts: Arc<FontStore>,
    main: FileId,
    files: Mutex<HashMap<FileId, Bytes>>,
    sources: Mutex<HashMap<FileId, Source>>,
    today: Mutex<Datetime>,
    /// The images under content/ that `/content/<path>` may name; read on first use.
    assets: Mutex<Assets>,
}

impl MemWorld {
    fn new(library: LazyHash<Library>, fonts: Arc<FontStore>) -> MemWorld {
        MemWorld {
            library,
            fonts,
            main: fid("/main.typ"),
            files: Mutex::new(HashMap::new()),
            sources: Mutex::new(HashMap::new()),
            today: Mutex::new(Datetime::from_ymd(1970, 1, 1).unwrap()),
            assets: Mutex::new(Assets::default()),
        }
    }

    /// The bytes of `/content/<rel>`, if `rel` is an image under content/: read (through the
    /// project's [`Assets`], so a file is read once per load) when Typst first asks for it.
    fn asset(&self, vpath: &str) -> Option<Bytes> {
        let rel = vpath.strip_prefix("/content/")?;
        let bytes = self.assets.lock().unwrap().get(rel)?.clone();
        // The package shows an SVG as the trust page does: re-serialized through usvg, without
        // links to other files (which Typst would refuse).
        let bytes = if rel.to_ascii_lowercase().ends_with(".svg") {
            crate::svg::sanitize(&bytes).unwrap_or(bytes)
        } else {
            bytes
        };
        Some(Bytes::new(bytes))
    }
}

impl World for MemWorld {
    fn library(&self) -> &LazyHash<Library> {
        &self.library
    }
    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.book()
    }
    fn main(&self) -> FileId {
        self.main
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        let bytes = self.file(id)?;
        let text = std::str::from_utf8(bytes.as_slice()).map_err(|_| FileError::InvalidUtf8)?;
        let mut sources = self.sources.lock().unwrap();
        match sources.get_mut(&id) {
            Some(s) => {
                if s.text() != text {
                    s.replace(text);
                }
                Ok(s.clone())
            }
            None => {
                let s = Source::new(id, text.to_string());
                sources.insert(id, s.clone());
                Ok(s)
            }
        }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id.root() != &VirtualRoot::Project {
            return Err(FileError::AccessDenied);
        }
        let mut files = self.files.lock().unwrap();
        if let Some(b) = files.get(&id) {
            return Ok(b.clone());
        }
        let vpath = id.vpath().get_with_slash();
        let b = self
            .asset(vpath)
            .ok_or_else(|| FileError::NotFound(vpath.into()))?;
        files.insert(id, b.clone());
        Ok(b)
    }
    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.font(index)
    }
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        Some(*self.today.lock().unwrap())
    }
}

/// Renders packages; keeps the fonts and one world alive between calls.
pub struct PdfEngine {
    world: MemWorld,
    /// The generated main file of the current render (for error messages).
    main_text: &'static str,
    /// A one-shot build: nothing is recompiled later, so Typst's memoization caches are dropped
    /// as soon as the document is laid out, before the PDF export (this lowers the peak memory
    /// of large projects a lot). `serve` keeps them, for incremental recompiles.
    one_shot: bool,
}

impl Default for PdfEngine {
    fn default() -> Self {
        Self::new()
    }
}

impl PdfEngine {
    /// Loads the embedded fonts and builds the standard library.
    pub fn new() -> PdfEngine {
        let mut fonts = FontStore::new();
        fonts.extend(typst_kit::fonts::embedded());
        PdfEngine {
            world: MemWorld::new(
                // a11y-extras: `pdf.table-summary` and `pdf.header-cell` (the risk heat maps'
                // summary and row headers for screen readers).
                LazyHash::new(
                    Library::builder()
                        .with_features([typst::Feature::A11yExtras].into_iter().collect())
                        .build(),
                ),
                Arc::new(fonts),
            ),
            main_text: MAIN,
            one_shot: false,
        }
    }

    /// A second engine sharing this one's fonts and standard library, with its own world (one
    /// per thread: a world holds one document's files). Used to render policy PDFs in parallel.
    pub fn sibling(&self) -> PdfEngine {
        PdfEngine {
            world: MemWorld::new(self.world.library.clone(), self.world.fonts.clone()),
            main_text: MAIN,
            one_shot: self.one_shot,
        }
    }

    /// This engine, keeping Typst's caches after each render (as `serve` does) even if it was
    /// made for a single render: for a run of renders that share most of their work (the policy
    /// PDFs), after which the caller drops the caches itself.
    pub fn kept(self) -> PdfEngine {
        PdfEngine {
            one_shot: false,
            ..self
        }
    }

    /// Whether this engine drops Typst's caches after each render (see [`PdfEngine::one_shot`]).
    pub fn is_one_shot(&self) -> bool {
        self.one_shot
    }

    /// An engine for a single render (`trustbook build`): see [`PdfEngine::one_shot`].
    pub fn one_shot() -> PdfEngine {
        PdfEngine {
            one_shot: true,
            ..PdfEngine::new()
        }
    }

    /// Renders the package from its view, built by the caller from the package model
    /// ([`crate::view::restricted::from_package`]). Errors (narrative problems found while
    /// building the view, template errors in a custom theme, PDF/A violations) come back as
    /// diagnostics with the file, line and column where they are.
    pub fn render(
        &mut self,
        view: &RestrictedView,
        project: &Project,
        theme: &Theme,
        opts: &PdfOptions,
    ) -> Result<PdfOutput, Diagnostics> {
        let mut diags = Diagnostics::default();
        for d in view.diagnostics.iter().cloned() {
            if let Some(l) = &d.loc
                && let Some(n) = project.narratives.iter().find(|n| n.file == l.file)
                && let Ok(text) = std::fs::read_to_string(project.root.join(&*n.file))
            {
                diags.sources.insert(l.file.clone(), Arc::from(text));
            }
            diags.push(d);
        }
        if diags.has_errors() {
            diags.sort();
            return Err(diags);
        }
        if theme.get(ENTRY).is_none() {
            diags.push(Diagnostic::error(
                "theme",
                None,
                format!("the theme `{}` has no {ENTRY}", theme.name),
            ));
            return Err(diags);
        }
        let (data, warnings) = self.data(view);
        let ident = format!(
            "trustbook/{}/{}/{}",
            opts.content_digest,
            project.config.system.name.value,
            opts.recipient.as_deref().unwrap_or("")
        );
        self.compile(MAIN, data, project, theme, opts, ident, warnings, diags)
    }

    /// The view as `/data.json`, with the characters no embedded font can show replaced (and a
    /// warning naming them).
    pub(crate) fn data<T: serde::Serialize>(&self, view: &T) -> (Vec<u8>, Diagnostics) {
        let mut value = serde_json::to_value(view).expect("the view serializes");
        let mut unshowable = BTreeSet::new();
        replace_unshowable(
            &mut value,
            self.world.fonts.book(),
            &mut HashMap::new(),
            &mut unshowable,
        );
        let data = serde_json::to_vec(&value).expect("the view serializes");
        let mut warnings = Diagnostics::default();
        if !unshowable.is_empty() {
            let list: Vec<String> = unshowable
                .iter()
                .map(|c| format!("`{c}` (U+{:04X})", *c as u32))
                .collect();
            warnings.push(
                Diagnostic::warning("unshowable-character", None, format!("the embedded fonts cannot show {}; the package prints them as [U+XXXX]", list.join(", ")))
                    .with_hint("the package uses Libertinus Serif, New Computer Modern and DejaVu Sans Mono (Latin, Greek, Cyrillic and common symbols); write these characters differently"),
            );
        }
        (data, warnings)
    }

    /// Compiles the generated `main` file over the theme, `/data.json` and the content's images,
    /// and exports a tagged PDF/A-2b. Shared by the package and the policy PDFs.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn compile(
        &mut self,
        main: &'static str,
        data: Vec<u8>,
        project: &Project,
        theme: &Theme,
        opts: &PdfOptions,
        ident: String,
        mut warnings: Diagnostics,
        mut diags: Diagnostics,
    ) -> Result<PdfOutput, Diagnostics> {
        self.main_text = main;
        // Fill the world.
        let (datetime, date) = document_date(project, opts);
        *self.world.today.lock().unwrap() =
            Datetime::from_ymd(date.year, date.month as u8, date.day as u8).unwrap_or(datetime);
        {
            let mut files = self.world.files.lock().unwrap();
            files.clear();
            files.insert(self.world.main, Bytes::new(main.as_bytes().to_vec()));
            files.insert(fid("/data.json"), Bytes::new(data));
            for (rel, f) in theme.under("typst/") {
                let Some(rest) = rel.strip_prefix("typst/") else {
                    continue;
                };
                if let Ok(vp) = VirtualPath::new(format!("/{rest}")) {
                    files.insert(
                        RootedPath::new(VirtualRoot::Project, vp).intern(),
                        Bytes::new(f.bytes.clone()),
                    );
                }
            }
        }
        // Images are not copied in: the world reads the ones the document shows (`file`).
        *self.world.assets.lock().unwrap() = project.assets.clone();

        let warned = typst::compile::<PagedDocument>(&self.world);
        if self.one_shot {
            typst::comemo::evict(0);
        }
        self.convert(&warned.warnings, theme, &mut warnings);
        let result = match warned.output {
            Ok(doc) => {
                let standards =
                    PdfStandards::new(&[PdfStandard::A_2b]).expect("PDF/A-2b alone is valid");
                let popts = typst_pdf::PdfOptions {
                    ident: Smart::Custom(ident),
                    creator: Smart::Custom(Some("trustbook".into())),
                    timestamp: Some(Timestamp::new_utc(datetime)),
                    standards,
                    tagged: true,
                    ..Default::default()
                };
                match typst_pdf::pdf(&doc, &popts) {
                    Ok(bytes) => Ok(PdfOutput {
                        bytes,
                        pages: doc.pages().len(),
                        warnings: std::mem::take(&mut warnings),
                    }),
                    Err(errs) => Err(errs),
                }
            }
            Err(errs) => Err(errs),
        };
        typst::comemo::evict(if self.one_shot { 0 } else { 10 });
        result.map_err(|errs| {
            self.convert(&errs, theme, &mut diags);
            diags.sort();
            diags
        })
    }

    /// Turns Typst diagnostics into ours, with theme file paths and the template text for snippets.
    fn convert(&self, errs: &[SourceDiagnostic], theme: &Theme, diags: &mut Diagnostics) {
        for e in errs {
            let mut loc = None;
            if let Some(id) = e.span.id()
                && let Some(range) = self.world.range(e.span)
            {
                let vpath = id.vpath().get_without_slash().to_string();
                let (display, text) = if vpath == "main.typ" {
                    (
                        "<generated>/main.typ".to_string(),
                        Some(self.main_text.to_string()),
                    )
                } else if vpath == "data.json" || vpath.starts_with("content/") {
                    (format!("<generated>/{vpath}"), None)
                } else {
                    let rel = format!("typst/{vpath}");
                    (theme.origin(&rel), theme.text(&rel))
                };
                if let Some(text) = text {
                    let (line, col) = line_col(&text, range.start);
                    let len = text
                        .get(range.clone())
                        .map(|s| s.chars().count())
                        .unwrap_or(1) as u32;
                    let file: Arc<str> = Arc::from(display);
                    diags.sources.insert(file.clone(), Arc::from(text));
                    loc = Some(Loc {
                        file,
                        line,
                        column: col,
                        len,
                    });
                } else {
                    loc = Some(Loc {
                        file: Arc::from(display),
                        line: 1,
                        column: 1,
                        len: 0,
                    });
                }
            }
            let mut message = e.message.to_string();
            if message.contains("PDF/A") && message.contains("glyph") {
                message
                    .push_str(" (a character in the content has no glyph in the embedded fonts)");
            }
            let severity_error = e.severity == Severity::Error;
            let mut d = if severity_error {
                Diagnostic::error("template", loc, message)
            } else {
                Diagnostic::warning("template", loc, message)
            };
            let hints: Vec<String> = e.hints.iter().map(|h| h.v.to_string()).collect();
            if !hints.is_empty() {
                d = d.with_hint(hints.join("; "));
            }
            diags.push(d);
        }
    }
}

/// Replaces, in every string of the view, the characters that no embedded font covers (except
/// in `src` and `logo`, which are file paths) and collects them.
fn replace_unshowable(
    v: &mut serde_json::Value,
    book: &FontBook,
    cache: &mut HashMap<char, bool>,
    found: &mut BTreeSet<char>,
) {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            let mut showable = |c: char| -> bool {
                // Control characters other than whitespace (ESC, NUL, DEL) have no glyph, and
                // PDF/A refuses them: they are printed as [U+XXXX] like any unshowable character.
                if c.is_control() && !c.is_whitespace() {
                    return false;
                }
                if c.is_whitespace()
                    || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}')
                {
                    return true;
                }
                *cache.entry(c).or_insert_with(|| {
                    (0..)
                        .map_while(|i| book.info(i))
                        .any(|f| f.coverage.contains(c as u32))
                })
            };
            if s.chars().all(&mut showable) {
                return;
            }
            let mut out = String::with_capacity(s.len());
            for c in s.chars() {
                if showable(c) {
                    out.push(c);
                } else {
                    found.insert(c);
                    out.push_str(&format!("[U+{:04X}]", c as u32));
                }
            }
            *s = out;
        }
        Value::Array(a) => a
            .iter_mut()
            .for_each(|x| replace_unshowable(x, book, cache, found)),
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                if k != "src" && k != "logo" {
                    replace_unshowable(x, book, cache, found);
                }
            }
        }
        _ => {}
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (u32, u32) {
    crate::diag::line_col(text, offset)
}

/// The document date: `SOURCE_DATE_EPOCH` if given, else the content date at midnight UTC.
fn document_date(project: &Project, opts: &PdfOptions) -> (Datetime, Date) {
    match opts.source_date_epoch {
        Some(epoch) => {
            let days = epoch.div_euclid(86_400);
            let secs = epoch.rem_euclid(86_400);
            let d = Date::from_days(days);
            let dt = Datetime::from_ymd_hms(
                d.year,
                d.month as u8,
                d.day as u8,
                (secs / 3600) as u8,
                (secs % 3600 / 60) as u8,
                (secs % 60) as u8,
            );
            (
                dt.unwrap_or_else(|| Datetime::from_ymd_hms(1970, 1, 1, 0, 0, 0).unwrap()),
                d,
            )
        }
        None => {
            let d = project.content_date();
            (
                Datetime::from_ymd_hms(d.year, d.month as u8, d.day as u8, 0, 0, 0)
                    .unwrap_or_else(|| Datetime::from_ymd_hms(1970, 1, 1, 0, 0, 0).unwrap()),
                d,
            )
        }
    }
}
