//! Benchmark (no harness): `trustbook import comply` + `trustbook build` on a generated comply
//! project the size of comply's SOC 2 template (27 policies, 5 narratives, 4 procedures, about
//! 200 KB of pandoc Markdown with lettered lists, grid tables and `{{.Name}}`). The text is
//! generated here; none of it comes from comply. Run with `cargo bench --bench import`.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

const WORDS: &[&str] = &[
    "access",
    "review",
    "system",
    "owner",
    "records",
    "approval",
    "production",
    "customer",
    "data",
    "change",
    "incident",
    "vendor",
    "backup",
    "encryption",
    "quarterly",
    "staff",
    "must",
    "are",
    "is",
    "retained",
    "logged",
    "tested",
    "documented",
    "within",
    "every",
    "the",
    "each",
    "team",
    "security",
    "policy",
    "service",
    "key",
    "network",
    "device",
];

/// A deterministic sentence generator (xorshift), so every run imports the same text.
struct Text(u64);

impl Text {
    fn word(&mut self) -> &'static str {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        WORDS[(self.0 % WORDS.len() as u64) as usize]
    }
    fn sentence(&mut self, n: usize) -> String {
        let mut s: String = (0..n).map(|_| self.word()).collect::<Vec<_>>().join(" ");
        if let Some(f) = s.get_mut(0..1) {
            f.make_ascii_uppercase();
        }
        s.push('.');
        s
    }
}

fn policy(i: usize, t: &mut Text) -> String {
    let mut s = format!(
        "name: Generated Policy {i}\nacronym: GP{i}\nsatisfies:\n  TSC:\n    - CC{}.1\n    - CC{}.2\n{}majorRevisions:\n  - date: Jun {} 2018\n    comment: {}\n---\n",
        1 + i % 9,
        1 + i % 9,
        if i.is_multiple_of(5) {
            "    - CC9.9\n"
        } else {
            ""
        },
        1 + i % 28,
        t.sentence(3)
    );
    for sec in 0..4 {
        let _ = writeln!(s, "# Section {sec}\n");
        for _ in 0..3 {
            let _ = writeln!(
                s,
                "a. {} {{{{.Name}}}} {}\n",
                t.sentence(14),
                t.sentence(10)
            );
            for _ in 0..3 {
                let _ = writeln!(s, "    i. {}\n", t.sentence(16));
            }
        }
    }
    if i.is_multiple_of(4) {
        s.push_str("+------------+------------------+\n| Class      | Target           |\n+============+==================+\n");
        for r in 0..6 {
            let _ = write!(
                s,
                "| Tier {r}     | {:<16} |\n|            | {:<16} |\n+------------+------------------+\n",
                "within hours", "of the event"
            );
        }
        s.push('\n');
    }
    s
}

fn narrative(i: usize, t: &mut Text) -> String {
    let names = [
        "Organizational",
        "Control Environment",
        "Products",
        "System Architecture",
        "Security Architecture",
    ];
    let mut s = format!(
        "name: {} Narrative\nacronym: N{i}\n---\n# {}\n\n",
        names[i], names[i]
    );
    for _ in 0..12 {
        let _ = writeln!(
            s,
            "{{{{.Name}}}} {}\n",
            (0..5).map(|_| t.sentence(12)).collect::<Vec<_>>().join(" ")
        );
    }
    s
}

fn procedure(i: usize, t: &mut Text) -> String {
    let mut s = format!(
        "id: \"proc{i}\"\nname: \"Generated procedure {i}\"\ncron: \"0 0 0 {} * *\"\n---\n# Steps\n\n",
        1 + i
    );
    for _ in 0..8 {
        let _ = writeln!(s, "- [ ] {}", t.sentence(8));
    }
    s
}

fn generate(dir: &Path) -> usize {
    let mut t = Text(0x9e37_79b9_7f4a_7c15);
    let mut bytes = 0;
    let mut put = |rel: String, text: String| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        bytes += text.len();
        std::fs::write(p, text).unwrap();
    };
    put(
        "comply.yml".into(),
        "name: Generated Co\nfilePrefix: Gen\n".into(),
    );
    for i in 0..27 {
        let text = policy(i, &mut t);
        put(format!("policies/p{i:02}.md"), text);
    }
    for i in 0..5 {
        let text = narrative(i, &mut t);
        put(format!("narratives/n{i}.md"), text);
    }
    for i in 0..4 {
        let text = procedure(i, &mut t);
        put(format!("procedures/r{i}.md"), text);
    }
    bytes
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn main() {
    let src = tempfile::tempdir().unwrap();
    let bytes = generate(src.path());
    println!(
        "generated comply project: 27 policies, 5 narratives, 4 procedures, {} KB",
        bytes / 1024
    );
    let runs = 5;
    let (mut imp, mut bld, mut tot) = (vec![], vec![], vec![]);
    for _ in 0..runs {
        typst::comemo::evict(0);
        let out = tempfile::tempdir().unwrap();
        let dest = out.path().join("project");
        let t0 = Instant::now();
        let o = trustbook::import::import_comply(src.path(), &dest).unwrap();
        let t1 = Instant::now();
        let r = trustbook::pipeline::build(&dest, None, &Default::default())
            .unwrap_or_else(|d| panic!("{}", d.render(false)));
        let t2 = Instant::now();
        assert!(r.public_files > 0 && o.written.len() > 36);
        imp.push(t1 - t0);
        bld.push(t2 - t1);
        tot.push(t2 - t0);
    }
    for (what, mut v) in [("import", imp), ("build", bld), ("import + build", tot)] {
        v.sort();
        println!(
            "{what:>15}: median {:>7.1} ms (min {:.1}, max {:.1}, {runs} runs)",
            ms(v[runs / 2]),
            ms(v[0]),
            ms(v[runs - 1])
        );
    }
}
