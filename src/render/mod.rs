//! Renderers: templates lay out what the views give them; no business logic here.
pub mod html;
pub mod pdf;
pub mod policy_pdf;
pub mod theme;
pub mod workbook;
