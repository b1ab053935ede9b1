//! Benchmark (no harness): the full build, step by step, on the example company and on the
//! generated large project: prepare (load + check + assess), the trust page (HTML), the package
//! (PDF), and a second package render in the same engine (what `serve` does after an edit; warm).
//! Run with `cargo bench --bench build`; peak memory: `/usr/bin/time -v target/release/trustbook build DIR`.

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
        let matrix = trustbook::pipeline::control_matrix_files(&p, &BuildOptions::default())
            .unwrap_or_else(|d| panic!("{}", d.render(false)));
        let t5 = Instant::now();
        assert!(matrix.contains_key("control-matrix.xlsx"));
        workbook.push(t5 - t4);
        assert!(public.contains_key("index.html"));
        pages = n;
        prep.push(t1 - t0);
        html.push(t2 - t1);
        pdf.push(t3 - t2);
        pdf_again.push(t4 - t3);
        total.push(t3 - t0);
    }
    for (what, v) in [
        ("prepare", prep),
        ("trust page", html),
        ("package", pdf),
        ("package again", pdf_again),
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
    println!("{name:<8} {pages} pages");
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
