//! Scaffolding: the real public view lands from the `html` branch.
use crate::assess::Assessment;
use crate::project::Project;

/// What the trust page may show.
#[derive(serde::Serialize)]
pub struct PublicView {
    pub organization: String,
}

/// Builds the public view from the allow-list.
pub fn public_view(p: &Project, _a: &Assessment) -> PublicView {
    PublicView {
        organization: p.config.organization.name.value.clone(),
    }
}
