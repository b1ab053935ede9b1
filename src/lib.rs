//! trustbook: turns compliance records kept as plain files into a restricted SOC 2 readiness
//! package (PDF) and a public SOC 3-style trust page (HTML).
//!
//! The pipeline: [`project::load`] → [`check::check`] → [`assess::assess`] → views → renderers.

pub mod assess;
pub mod catalog;
pub mod check;
pub mod ci;
pub mod cli;
pub mod consistency;
pub mod coverage;
pub mod criteria;
pub mod diag;
pub mod explain;
pub mod hex;
pub mod import;
pub mod init;
pub mod init_full;
pub mod kinds;
pub mod markdown;
pub mod output;
pub mod outputs;
pub mod package;
pub mod pipeline;
pub mod preflight;
pub mod project;
pub mod registers;
pub mod render;
pub mod schema;
pub mod serve;
pub mod summary;
pub mod svg;
pub mod view;
