//! Views: what each audience's templates receive. The public view is built by one function from an
//! explicit allow-list; the restricted view carries everything the package shows.
//!
//! The restricted views (the package, its registers and coverage grid, the policy PDFs, the
//! control matrix workbook) derive from the package model ([`crate::package`]); every display
//! string they make goes through the helpers of [`format`].
//!
//! Views never import a renderer: renderers depend on views, and Markdown lives below both
//! ([`crate::markdown`]).
pub mod coverage;
pub mod format;
pub mod public;
pub mod registers;
pub mod restricted;
pub mod workbook;

/// Options of one package render.
#[derive(Debug, Clone, Default)]
pub struct PdfOptions {
    /// Stamps the package for one recipient: a watermark on every page and the name in the metadata.
    pub recipient: Option<String>,
    /// A digest of the content (from the build ledger); it makes the PDF's document ID stable.
    pub content_digest: String,
    /// `SOURCE_DATE_EPOCH`, if set: the document date. Otherwise the content date is used.
    pub source_date_epoch: Option<i64>,
}
