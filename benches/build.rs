//! Benchmark (no harness): the full build, step by step, on the example company and on the
//! generated large project: prepare (load + check + assess), the trust page (HTML), the package
//! (PDF), and a second package render in the same engine (what `serve` does after an edit; warm);
//! then the policy PDFs alone (one thread, then all cores) and the package followed by the policy
//! PDFs, as `trustbook build` renders them ("build total" counts this last one).
//! Run with `cargo bench --bench build`. Peak memory needs one process per build:
//! `scripts/bench-memory` measures `trustbook build` (time and peak RSS) on the example and on the
//! large project at 1×, 2× and 4× its size (`gen_large --scale N`), so the growth per page shows.

#[path = "../examples/gen_large.rs"]
mod gen_large;

use std::path::Path;
use std::time::{Duration, Instant};
use trustbook::pipeline::{BuildOptions, Builder, prepare};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<Duration>) -> (Duration, Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[0], v[v.len() - 1])
}

fn bench(name: &str, dir: &Path, runs: usize) {
    let (mut prep, mut html, mut pdf, mut pdf_again, mut total) =
        (vec![], vec![], vec![], vec![], vec![]);
    let (mut pol1, mut poln, mut both) = (vec![], vec![], vec![]);
    let mut policies = 0;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut workbook = vec![];
    let mut pages = 0;
    for _ in 0..runs {
        // Every run starts cold, as a `trustbook build` process does: Typst's memo cache is global.
        typst::comemo::evict(0);
        let t0 = Instant::now();
        let p = prepare(dir).unwrap_or_else(|d| panic!("{}", d.render(false)));
        let t1 = Instant::now();
        let mut b = Builder::new();
        let public = b
            .render_public(&p)
            .unwrap_or_else(|d| panic!("{}", d.render(false)));
        let t2 = Instant::now();
        let (_, n) = b
            .render_restricted(&p, &BuildOptions::default())
            .unwrap_or_else(|d| panic!("{}", d.render(false)));
        let t3 = Instant::now();
        b.render_restricted(&p, &BuildOptions::default())
            .unwrap_or_else(|d| panic!("{}", d.render(false)));
        let t4 = Instant::now();
        typst::comemo::evict(0);
        let t5 = Instant::now();
        let one = b
            .render_policies(&p, &BuildOptions::default(), 1)
            .unwrap_or_else(|d| panic!("{}", d.render(false)));
        let t6 = Instant::now();
        typst::comemo::evict(0);
        let t7 = Instant::now();
        b.render_policies(&p, &BuildOptions::default(), cores)
            .unwrap_or_else(|d| panic!("{}", d.render(false)));
        let t8 = Instant::now();
        typst::comemo::evict(0);
        let mut fresh = Builder::new();
        let t9 = Instant::now();
        fresh
            .render_restricted_all(&p, &BuildOptions::default())
            .unwrap_or_else(|d| panic!("{}", d.render(false)));
        let t10 = Instant::now();
        let matrix = trustbook::pipeline::control_matrix_files(&p, &BuildOptions::default())
            .unwrap_or_else(|d| panic!("{}", d.render(false)));
        let t11 = Instant::now();
        assert!(matrix.contains_key("control-matrix.xlsx"));
        workbook.push(t11 - t10);
        assert!(public.contains_key("index.html"));
        pages = n;
        policies = one.len();
        prep.push(t1 - t0);
        html.push(t2 - t1);
        pdf.push(t3 - t2);
        pdf_again.push(t4 - t3);
        pol1.push(t6 - t5);
        poln.push(t8 - t7);
        both.push(t10 - t9);
        total.push((t2 - t0) + (t10 - t9));
    }
    for (what, v) in [
        ("prepare", prep),
        ("trust page", html),
        ("package", pdf),
        ("package again", pdf_again),
        ("policies 1 thr", pol1),
        ("policies all", poln),
        ("pkg+policies", both),
        ("workbook+csv", workbook),
        ("build total", total),
    ] {
        let (m, lo, hi) = median(v);
        println!(
            "{name:<8} {what:<14} median {:9.2} ms  (min {:.2}, max {:.2}, {runs} runs)",
            ms(m),
            ms(lo),
            ms(hi)
        );
    }
    println!("{name:<8} {pages} pages, {policies} policy PDFs, {cores} cores");
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    bench("example", root, if quick { 1 } else { 7 });
    if quick {
        return;
    }
    let tmp = tempfile::tempdir().expect("temp dir");
    gen_large::generate(tmp.path()).expect("generate the large project");
    bench("large", tmp.path(), 3);
}
