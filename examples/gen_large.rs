//! Generates a large synthetic trustbook project for benchmarks: 2,000 controls, 10,000 tests,
//! 10,000 evidence records (1,000 with hashed files), 200 narratives, vendors, CUECs and
//! remediation items. The output is deterministic and passes `trustbook check` without errors.
//! Evidence carries `covers`; one control in 50 lacks its April record (coverage warnings).
//!
//! `--scale N` multiplies every count by N (controls, tests, evidence, narratives, vendors, CUECs,
//! remediation items), so memory and time can be measured per page: `scripts/bench-memory`
//! builds the project at 1×, 2× and 4×. Scale 1 is the project described above, byte for byte.
//!
//! Usage: `cargo run --example gen_large -- OUT_DIR [--scale N]`

use std::fmt::Write as _;
use std::path::Path;

/// Sizes of the generated project.
pub const CONTROLS: usize = 2_000;
pub const TESTS_PER_CONTROL: usize = 5;
pub const EVIDENCE_PER_CONTROL: usize = 5;
pub const NARRATIVES: usize = 200;

const FREQ: &[(&str, u64, u64)] = &[
    // frequency, population, sample (at or above the common minimum)
    ("annual", 1, 1),
    ("quarterly", 2, 2),
    ("monthly", 6, 2),
    ("weekly", 26, 5),
    ("daily", 181, 25),
    ("per-event", 400, 25),
    ("continuous", 1, 1),
];

const SECTIONS: &[&str] = &[
    "overview",
    "commitments",
    "infrastructure",
    "software",
    "people",
    "procedures",
    "data",
    "boundaries",
    "incidents",
    "control-environment",
    "risk-assessment",
    "information-communication",
    "monitoring",
    "changes",
    "other-information",
];

fn write(root: &Path, rel: &str, text: &str) -> std::io::Result<()> {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap())?;
    std::fs::write(p, text)
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    trustbook::project::load::hex(&sha2::Sha256::digest(bytes))
}

/// Writes the project into `root` (which should be empty).
#[allow(dead_code)]
pub fn generate(root: &Path) -> std::io::Result<()> {
    generate_scaled(root, 1)
}

/// Writes the project, every count multiplied by `scale` (at least 1), into `root`.
pub fn generate_scaled(root: &Path, scale: usize) -> std::io::Result<()> {
    let scale = scale.max(1);
    let controls = CONTROLS * scale;
    let narratives = NARRATIVES * scale;
    let cat = trustbook::catalog::catalog();
    let criteria: Vec<&str> = cat.criteria.iter().map(|c| c.id.as_str()).collect();
    let annex: Vec<&str> = cat.annex_a.iter().map(|c| c.id.as_str()).collect();

    write(
        root,
        "content/trustbook.yaml",
        "organization:\n  name: Large Synthetic Corp.\n  website: https://large.example\nsystem:\n  name: Large Synthetic Platform\n  summary: A synthetic system for benchmarks.\nreport:\n  type: type2\n  period: { start: 2026-01-01, end: 2026-06-30 }\n  content_date: 2026-07-31\n  categories: [security, availability, processing-integrity, confidentiality, privacy]\n  not_relevant: []\n  auditor: { firm: Example CPA LLP }\ntrust_page:\n  base_url: https://trust.large.example\n",
    )?;

    // Controls: 20 files of 100 (per scale).
    let files = 20 * scale;
    for f in 0..files {
        let mut s = String::from("# Generated controls.\n");
        for i in (f * controls / files)..((f + 1) * controls / files) {
            let (freq, _, _) = FREQ[i % FREQ.len()];
            let status = match i % 40 {
                0 => "planned",
                1 => "partially-implemented",
                _ => "implemented",
            };
            let c1 = criteria[i % criteria.len()];
            let c2 = criteria[(i * 7 + 3) % criteria.len()];
            let a = annex[i % annex.len()];
            let ev: Vec<String> = (0..EVIDENCE_PER_CONTROL)
                .map(|k| format!("EV-{i:05}-{k}"))
                .collect();
            let _ = write!(
                s,
                "- id: C-{i:05}\n  title: Synthetic control number {i}\n  description: >-\n    The responsible team performs synthetic control {i} and records the result in the\n    ticketing system, where the record is retained for the period of the report.\n  owner: Owner {o}\n  frequency: {freq}\n  nature: {nature}\n  kind: {kind}\n  status: {status}\n  criteria: [{c1}, {c2}]\n  mappings:\n    iso27001-2022: [{a}]\n  evidence: [{ev}]\n",
                o = i % 17,
                nature = ["manual", "automated", "it-dependent-manual"][i % 3],
                kind = ["preventive", "detective", "corrective"][i % 3],
                ev = ev.join(", "),
            );
            if i % 5 == 0 {
                let _ = write!(
                    s,
                    "  public:\n    theme: Theme {t}\n    summary: Synthetic control {i} is performed as described.\n",
                    t = i % 9
                );
            }
            s.push('\n');
        }
        write(root, &format!("content/controls/controls-{f:02}.yaml"), &s)?;
    }

    // Tests: 50 files of 200 (per scale).
    let total_tests = controls * TESTS_PER_CONTROL;
    let files = 50 * scale;
    for f in 0..files {
        let mut s = String::from("# Generated tests.\n");
        for t in (f * total_tests / files)..((f + 1) * total_tests / files) {
            let i = t / TESTS_PER_CONTROL;
            let k = t % TESTS_PER_CONTROL;
            let (_, pop, sample) = FREQ[i % FREQ.len()];
            // A planned control cannot have operated without exceptions (check reports that).
            let exceptions = t % 97 == 0 || i.is_multiple_of(40);
            let _ = write!(
                s,
                "- id: T-{i:05}-{k}\n  control: C-{i:05}\n  procedure: >-\n    Inspected the records of synthetic control {i} for the sampled occurrences to determine\n    that each was performed as described.\n  methods: [inquiry, inspection]\n  performed_by: Internal audit\n  performed_on: 2026-07-{d:02}\n  population: {pop}\n  sample: {sample}\n  result: {r}\n  evidence: [EV-{i:05}-{k}]\n",
                d = 1 + t % 28,
                r = if exceptions {
                    "exceptions"
                } else {
                    "no-exceptions"
                },
            );
            if exceptions {
                s.push_str("  exceptions:\n    - description: For 1 sampled occurrence, the record was completed late.\n      deviations: 1\n      management_response: Reminders are now automated.\n");
            }
            s.push('\n');
        }
        write(root, &format!("content/tests/tests-{f:02}.yaml"), &s)?;
    }

    // Evidence: 50 files of 200; every tenth record has a file with its SHA-256.
    let total_ev = controls * EVIDENCE_PER_CONTROL;
    for f in 0..files {
        let mut s = String::from("# Generated evidence.\n");
        for e in (f * total_ev / files)..((f + 1) * total_ev / files) {
            let i = e / EVIDENCE_PER_CONTROL;
            let k = e % EVIDENCE_PER_CONTROL;
            let _ = write!(
                s,
                "- id: EV-{i:05}-{k}\n  title: Record {k} of synthetic control {i}\n  collected_on: 2026-{m:02}-{d:02}\n  source: Ticketing system, SYN-{e}\n  refresh: annual\n",
                m = 1 + e % 6,
                d = 1 + e % 28,
            );
            // The five records of a control cover the six months of the period (Jan-Feb, Mar,
            // Apr, May, Jun); one control in 50 misses its April record, so coverage has holes.
            if !(k == 2 && i % 50 == 7) {
                let covers = [
                    "[2026-01, 2026-02]",
                    "2026-03",
                    "2026-04",
                    "2026-05",
                    "2026-06",
                ][k];
                let _ = writeln!(s, "  covers: {covers}");
            }
            if e % 10 == 0 {
                let rel = format!("evidence/files/ev-{e:05}.csv");
                let body = format!("id,control,result\nEV-{i:05}-{k},C-{i:05},ok\n");
                write(root, &format!("content/{rel}"), &body)?;
                let _ = write!(
                    s,
                    "  file: {rel}\n  sha256: {}\n",
                    sha256_hex(body.as_bytes())
                );
            }
            s.push('\n');
        }
        write(root, &format!("content/evidence/evidence-{f:02}.yaml"), &s)?;
    }

    // Vendors, CUECs, remediation.
    let mut s = String::new();
    for v in 0..50 * scale {
        let _ = write!(
            s,
            "- name: Vendor {v}\n  service: Synthetic service {v}\n  subservice: {sub}\n  criteria: [{c}]\n  csocs:\n    - The vendor restricts access to its systems.\n  monitoring: [C-{m:05}]\n  subprocessor: {sp}\n  purpose: Processing for synthetic purpose {v}\n  locations: [United States]\n  data: [Customer data]\n{report}\n",
            sub = ["carve-out", "inclusive", "none"][v % 3],
            report = if v % 3 == 2 {
                ""
            } else {
                "  soc_report:\n    type: type2\n    period: { start: 2025-10-01, end: 2026-09-30 }\n    opinion: unmodified\n    reviewed_on: 2026-07-15\n    reviewed_by: Vendor manager\n"
            },
            c = criteria[v % criteria.len()],
            m = v * 7,
            sp = v % 2 == 0,
        );
    }
    write(root, "content/vendors/vendors.yaml", &s)?;
    let mut s = String::new();
    for c in 0..100 * scale {
        let _ = write!(
            s,
            "- id: CUEC-{c}\n  text: Customers operate synthetic complementary control {c}.\n  criteria: [{cr}]\n\n",
            cr = criteria[c % criteria.len()]
        );
    }
    write(root, "content/cuecs.yaml", &s)?;
    let mut s = String::new();
    for r in 0..200 * scale {
        let closed = r % 2 == 0;
        let _ = write!(
            s,
            "- id: GAP-{r:03}\n  title: Synthetic gap {r}\n  criteria: [{c}]\n  controls: [C-{i:05}]\n  owner: Owner {o}\n  opened: 2026-02-01\n  due: 2026-12-31\n  status: {st}\n",
            c = criteria[r % criteria.len()],
            i = r * 10,
            o = r % 17,
            st = if closed { "closed" } else { "in-progress" },
        );
        if closed {
            s.push_str("  closed_on: 2026-05-01\n");
        }
        s.push('\n');
    }
    write(root, "content/remediation/remediation.yaml", &s)?;

    // Narratives: 200, about 2 KB of Markdown each; two of them public trust-page text.
    for n in 0..narratives {
        let (section, audience) = match n {
            0 => ("trust-overview", "public"),
            1 => ("trust-faq", "public"),
            2 => ("assertion", "restricted"),
            _ => (SECTIONS[n % SECTIONS.len()], "restricted"),
        };
        let mut body = String::new();
        for p in 0..6 {
            let _ = writeln!(
                body,
                "Paragraph {p} of narrative {n} describes how the synthetic system is operated, which teams are responsible, and which **records** are kept. See the [policy](https://large.example/policy/{n}) for details, and the table below.\n"
            );
        }
        body.push_str("| Component | Purpose |\n|---|---|\n| Web | Serves the application |\n| Database | Stores data |\n");
        write(
            root,
            &format!("content/narratives/n-{n:03}.md"),
            &format!(
                "---\ntitle: Synthetic narrative {n}\nsection: {section}\norder: {n}\naudience: {audience}\n---\n{body}"
            ),
        )?;
    }
    Ok(())
}

#[allow(dead_code)]
fn main() {
    let usage = || -> ! {
        eprintln!("usage: cargo run --example gen_large -- OUT_DIR [--scale N]");
        std::process::exit(2);
    };
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let mut out = None;
    let mut scale = 1;
    let mut i = 0;
    while i < args.len() {
        if args[i] == "--scale" {
            scale = match args
                .get(i + 1)
                .and_then(|s| s.to_str()?.parse::<usize>().ok())
            {
                Some(n) if n >= 1 => n,
                _ => {
                    eprintln!("error: --scale needs a whole number of 1 or more, e.g. --scale 2");
                    std::process::exit(2);
                }
            };
            i += 2;
        } else if out.is_none() {
            out = Some(args[i].clone());
            i += 1;
        } else {
            usage();
        }
    }
    let Some(out) = out else { usage() };
    let out = Path::new(&out);
    if out.join("content").exists() {
        eprintln!("error: {} already holds a content/ folder", out.display());
        std::process::exit(2);
    }
    if let Err(e) = generate_scaled(out, scale) {
        eprintln!("error: cannot write {}: {e}", out.display());
        std::process::exit(2);
    }
    println!(
        "wrote a large synthetic project (scale {scale}) to {}",
        out.display()
    );
}
