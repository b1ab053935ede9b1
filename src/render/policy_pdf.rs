//! Each approved policy as its own restricted PDF (`output/restricted/policies/<id>.pdf`): the same
//! embedded Typst, theme, fonts, PDF/A-2b and tagging as the package, stamped the same way by
//! `--recipient` (into `policies/<recipient>/`, see [`policy_pdf_path`]), reproducible, and rendered
//! on several threads (one Typst world per thread).

use crate::diag::{Diagnostic, Diagnostics};
use crate::package::{Package, PolicyEntry};
use crate::render::pdf::{PdfEngine, PdfOptions, PdfOutput};
use crate::render::theme::Theme;
use crate::view::registers::policy_doc;
use std::sync::Arc;

/// The theme file a policy PDF starts from.
pub const POLICY_ENTRY: &str = "typst/policy.typ";

/// The generated main file of a policy PDF.
const POLICY_MAIN: &str = "#include \"/policy.typ\"\n";

/// The folder of the policy PDFs under output/restricted/.
pub const POLICY_DIR: &str = "policies";

/// The path of a policy's PDF relative to output/restricted/, e.g. `policies/POL-ACCESS.pdf`;
/// a copy stamped for a recipient goes in a folder of that recipient's copies,
/// `policies/<name>-<hash>/POL-ACCESS.pdf` (named like the stamped package, see
/// [`crate::pipeline::recipient_tag`]), so no build overwrites another recipient's copy.
pub fn policy_pdf_path(id: &str, recipient: Option<&str>) -> String {
    match recipient {
        None => format!("{POLICY_DIR}/{id}.pdf"),
        Some(r) => format!(
            "{POLICY_DIR}/{}/{id}.pdf",
            crate::pipeline::recipient_tag(r)
        ),
    }
}

/// True if an ID can name a file as it is (letters, digits, `.`, `-`, `_`; not starting with `.`).
pub fn is_file_safe(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('.')
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
}

/// One rendered policy.
#[derive(Debug, Clone)]
pub struct PolicyPdf {
    pub id: String,
    pub version: Option<String>,
    /// Path relative to output/restricted/.
    pub path: String,
    pub output: PdfOutput,
}

/// Renders one policy's PDF.
pub fn render_policy(
    engine: &mut PdfEngine,
    pkg: &Package,
    theme: &Theme,
    opts: &PdfOptions,
    e: &PolicyEntry,
) -> Result<PdfOutput, Diagnostics> {
    let (project, p) = (pkg.project, e.record);
    let (doc, problems) = policy_doc(pkg, e, opts.recipient.as_deref());
    let mut diags = Diagnostics::default();
    for d in problems {
        if let Ok(text) = std::fs::read_to_string(project.root.join(&*p.file)) {
            diags.sources.insert(p.file.clone(), Arc::from(text));
        }
        diags.push(d);
    }
    if diags.has_errors() {
        diags.sort();
        return Err(diags);
    }
    if theme.get(POLICY_ENTRY).is_none() {
        diags.push(Diagnostic::error(
            "theme",
            None,
            format!("the theme `{}` has no {POLICY_ENTRY}", theme.name),
        ));
        return Err(diags);
    }
    let (data, warnings) = engine.data(&doc);
    let ident = format!(
        "trustbook/{}/{}/policy/{}/{}",
        opts.content_digest,
        project.config.system.name.value,
        p.id.value,
        opts.recipient.as_deref().unwrap_or("")
    );
    engine.compile(
        POLICY_MAIN,
        data,
        project,
        theme,
        opts,
        ident,
        warnings,
        diags,
    )
}

/// Renders every approved policy, on up to `threads` threads (each with its own engine sharing
/// `proto`'s fonts). The result is in policy-ID order; all errors are returned at once.
pub fn render_policies(
    proto: &PdfEngine,
    pkg: &Package,
    theme: &Theme,
    opts: &PdfOptions,
    threads: usize,
) -> Result<Vec<PolicyPdf>, Diagnostics> {
    // The package lists policies by ID already.
    let approved: Vec<&PolicyEntry> = pkg.policies.iter().filter(|p| p.approved).collect();
    if approved.is_empty() {
        return Ok(vec![]);
    }
    let threads = threads.clamp(1, approved.len());
    // Round-robin, so that each thread gets a similar share.
    let mut chunks: Vec<Vec<&PolicyEntry>> = vec![Vec::new(); threads];
    for (i, p) in approved.iter().enumerate() {
        chunks[i % threads].push(p);
    }
    // The threads' engines keep Typst's caches between their policies (they share the theme,
    // fonts and shaping); a one-shot build drops the caches once every policy is done.
    let engines: Vec<PdfEngine> = (0..threads).map(|_| proto.sibling().kept()).collect();
    let results: Vec<Vec<(String, Result<PdfOutput, Diagnostics>)>> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .zip(engines)
            .map(|(chunk, mut engine)| {
                s.spawn(move || {
                    chunk
                        .into_iter()
                        .map(|p| {
                            (
                                p.record.id.value.clone(),
                                render_policy(&mut engine, pkg, theme, opts, p),
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a policy render thread panicked"))
            .collect()
    });
    if proto.is_one_shot() {
        typst::comemo::evict(0);
    }
    let mut out = Vec::new();
    let mut errors = Diagnostics::default();
    // A broken custom policy.typ fails every policy the same way: report each problem once.
    let mut seen = std::collections::HashSet::new();
    for (id, r) in results.into_iter().flatten() {
        match r {
            Ok(output) => {
                let version = pkg
                    .policy(&id)
                    .and_then(|p| p.record.version.as_ref().map(|v| v.value.clone()));
                out.push(PolicyPdf {
                    path: policy_pdf_path(&id, opts.recipient.as_deref()),
                    id,
                    version,
                    output,
                })
            }
            Err(d) => {
                for x in d.items {
                    let key = (x.code, x.loc.clone(), x.message.clone());
                    if seen.insert(key) {
                        errors.items.push(x);
                    }
                }
                errors.sources.extend(d.sources);
            }
        }
    }
    if errors.has_errors() {
        errors.sort();
        return Err(errors);
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}
