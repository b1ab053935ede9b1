//! Markdown, shared by the views and the renderers: the parsed tree ([`md_ast`]) that views hand
//! to the PDF templates, the HTML rendering of narratives for the trust page ([`md_html`]), and
//! the `{{ variable }}` substitution in narrative and policy bodies ([`variables`]), and the one
//! HTML/XML escaper ([`escape`]).
//!
//! It sits below both `view` and `render`, so neither imports the other for Markdown.
pub mod escape;
pub mod md_ast;
pub mod md_html;
pub mod slug;
pub mod variables;
