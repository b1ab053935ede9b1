//! Benchmark (no harness): load + check + assess on the example company and on a generated large
//! project (2,000 controls, 10,000 tests, 10,000 evidence records, 200 narratives).
//! Prints the median and the range of several runs. Run with `cargo bench --bench check`.

#[path = "../examples/gen_large.rs"]
mod gen_large;

use std::path::Path;
use std::time::{Duration, Instant};

fn once(dir: &Path) -> (Duration, usize, usize, f64) {
    let start = Instant::now();
    let mut loaded = trustbook::project::load(dir);
    let p = loaded.project.as_ref().expect("project loads");
    trustbook::check::check(p, &mut loaded.diagnostics);
    let a = trustbook::assess::assess(p);
    let t = start.elapsed();
    (
        t,
        loaded.diagnostics.errors(),
        loaded.diagnostics.warnings(),
        a.score,
    )
}

fn bench(name: &str, dir: &Path, runs: usize) {
    let (_, errors, warnings, score) = once(dir); // warm the file cache
    let mut times: Vec<Duration> = (0..runs).map(|_| once(dir).0).collect();
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name:<8} load+check+assess: median {:8.2} ms  (min {:.2}, max {:.2}, {runs} runs; {errors} errors, {warnings} warnings, score {score})",
        ms(times[runs / 2]),
        ms(times[0]),
        ms(times[runs - 1]),
    );
}

fn main() {
    // `cargo test --benches` runs this with `--bench` absent; keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    bench("example", root, if quick { 3 } else { 30 });
    let tmp = tempfile::tempdir().expect("temp dir");
    let start = Instant::now();
    gen_large::generate(tmp.path()).expect("generate the large project");
    println!(
        "generated the large project in {:.0} ms",
        start.elapsed().as_secs_f64() * 1000.0
    );
    bench("large", tmp.path(), if quick { 1 } else { 7 });
}
