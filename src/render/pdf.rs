//! Scaffolding: the real engine lands from the `pdf` branch.
use crate::assess::Assessment;
use crate::diag::{Diagnostic, Diagnostics};
use crate::project::Project;
use crate::render::theme::Theme;

/// Options of one PDF render.
pub struct PdfOptions {
    pub recipient: Option<String>,
    pub content_digest: String,
    pub source_date_epoch: Option<i64>,
}
/// A rendered PDF.
pub struct PdfOutput {
    pub bytes: Vec<u8>,
    pub pages: usize,
}
/// Keeps fonts and the Typst world between renders.
pub struct PdfEngine;
impl Default for PdfEngine {
    fn default() -> Self {
        Self::new()
    }
}
impl PdfEngine {
    pub fn new() -> Self {
        PdfEngine
    }
    pub fn render(
        &mut self,
        _p: &Project,
        _a: &Assessment,
        _t: &Theme,
        _o: &PdfOptions,
    ) -> Result<PdfOutput, Diagnostics> {
        let mut d = Diagnostics::default();
        d.push(Diagnostic::error(
            "not-built",
            None,
            "the PDF renderer is not part of this build yet",
        ));
        Err(d)
    }
}
