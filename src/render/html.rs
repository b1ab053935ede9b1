//! Scaffolding: the real renderer lands from the `html` branch.
use crate::diag::Diagnostics;
use crate::render::theme::Theme;
use crate::view::public::PublicView;
use std::collections::BTreeMap;

/// Renders the trust page from the public view only.
pub fn render(view: &PublicView, _theme: &Theme) -> Result<BTreeMap<String, Vec<u8>>, Diagnostics> {
    let mut m = BTreeMap::new();
    m.insert(
        "index.html".to_string(),
        format!("<!doctype html><title>{}</title>", view.organization).into_bytes(),
    );
    Ok(m)
}
