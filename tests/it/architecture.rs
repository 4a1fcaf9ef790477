//! The house stays straight: no import cycle between source files, arrows
//! pointing down (the registry never reaches up into compliance, the public
//! site, the web edge, the command line or the application builder), and
//! the verifier and log crates free of database, HTTP server and async
//! runtime (their manifests list none; Cargo then forbids the imports).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            rs_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The module path of a source file below `src/` (`registry/documents.rs` → `registry::documents`).
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).expect("below src");
    let mut parts: Vec<String> = rel
        .iter()
        .map(|c| c.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts
        .last()
        .is_some_and(|l| l == "mod" || l == "lib" || l == "main")
    {
        parts.pop();
    }
    parts.join("::")
}

/// The text of `src` without comments (line comments and doc comments).
fn strip_comments(src: &str) -> String {
    src.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path a `crate::…` or `super::…` reference spells, braces expanded
/// (`crate::registry::{audit, documents::view}` gives both paths).
fn spelled_paths(text: &str) -> Vec<(bool, Vec<String>)> {
    fn ident(c: char) -> bool {
        c.is_alphanumeric() || c == '_'
    }
    /// Paths starting at `s` (just after `crate::`/`super::`), with `prefix`.
    fn expand(s: &str, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        let mut path = prefix;
        let mut rest = s.trim_start();
        loop {
            let end = rest.find(|c: char| !ident(c)).unwrap_or(rest.len());
            if end == 0 {
                break;
            }
            path.push(rest[..end].to_string());
            rest = rest[end..].trim_start();
            if let Some(r) = rest.strip_prefix("::") {
                rest = r.trim_start();
                if let Some(inner) = rest.strip_prefix('{') {
                    // Split the group at top-level commas.
                    let mut depth = 0;
                    let mut start = 0;
                    for (i, c) in inner.char_indices() {
                        match c {
                            '{' => depth += 1,
                            '}' if depth == 0 => {
                                expand(&inner[start..i], path.clone(), out);
                                return;
                            }
                            '}' => depth -= 1,
                            ',' if depth == 0 => {
                                expand(&inner[start..i], path.clone(), out);
                                start = i + 1;
                            }
                            _ => {}
                        }
                    }
                    return;
                }
            } else {
                break;
            }
        }
        out.push(path);
    }
    let mut found = Vec::new();
    for (marker, is_super) in [("crate::", false), ("super::", true)] {
        let mut from = 0;
        while let Some(i) = text[from..].find(marker) {
            let at = from + i;
            from = at + marker.len();
            // `super::super::x` is read from its first `super`.
            if is_super && text[..at].ends_with("super::") {
                continue;
            }
            let mut start = at + marker.len();
            let mut ups = 1;
            while text[start..].starts_with("super::") {
                ups += 1;
                start += "super::".len();
            }
            let mut paths = Vec::new();
            expand(&text[start..], Vec::new(), &mut paths);
            for p in paths {
                let mut v = Vec::new();
                if is_super {
                    v.push(format!("^{ups}"));
                }
                v.extend(p);
                found.push((is_super, v));
            }
        }
    }
    found
}

/// Modules a file refers to through `crate::…` and `super::…` paths.
fn references(module: &str, text: &str, known: &BTreeSet<String>) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let parent: Vec<&str> = module.split("::").filter(|s| !s.is_empty()).collect();
    for (is_super, path) in spelled_paths(&strip_comments(text)) {
        let (mut base, path): (Vec<String>, &[String]) = if is_super {
            let ups: usize = path[0][1..].parse().unwrap_or(1);
            let mut b: Vec<String> = parent.iter().map(|s| s.to_string()).collect();
            // A file's `super` is its parent module (a `mod.rs`'s too: the
            // module path already names the directory).
            for _ in 0..ups {
                b.pop();
            }
            (b, &path[1..])
        } else {
            (Vec::new(), &path[..])
        };
        // The longest known module prefix of the path.
        let mut best = None;
        for p in path {
            base.push(p.clone());
            let m = base.join("::");
            if known.contains(&m) {
                best = Some(m);
            }
        }
        if let Some(m) = best
            && m != module
        {
            out.insert(m);
        }
    }
    out
}

#[test]
fn no_import_cycle_and_arrows_point_down() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rs_files(&src, &mut files);
    let modules: BTreeMap<String, PathBuf> = files
        .iter()
        .map(|f| (module_of(&src, f), f.clone()))
        .filter(|(m, _)| !m.is_empty())
        .collect();
    let known: BTreeSet<String> = modules.keys().cloned().collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, f) in &modules {
        let text = std::fs::read_to_string(f).expect("read");
        // A parent module's `pub mod` lines are not uses of its children.
        let refs: BTreeSet<String> = references(m, &text, &known)
            .into_iter()
            .filter(|r| !r.starts_with(&format!("{m}::")) && !m.starts_with(&format!("{r}::")))
            .collect();
        graph.insert(m.clone(), refs);
    }
    // Layering: the registry and the storage below it never reach up.
    let above = [
        "compliance",
        "public",
        "web",
        "cli",
        "app",
        "seed",
        "demo",
        "bench",
    ];
    // The leaf the configuration may read: it reads nothing of vanthu.
    assert!(
        graph
            .get("compliance::targets")
            .is_some_and(|r| r.is_empty()),
        "compliance::targets must stay a leaf: {:?}",
        graph.get("compliance::targets")
    );
    let mut violations = Vec::new();
    for (m, refs) in &graph {
        let top = m.split("::").next().unwrap_or("");
        let forbidden: &[&str] = match top {
            "registry" | "store" | "entity" | "db" | "clock" | "config" | "text" | "online" => {
                &above
            }
            "compliance" | "public" => &["web", "cli", "app", "seed", "demo", "bench"],
            "web" => &["cli", "app"],
            _ => &[],
        };
        for r in refs {
            let rtop = r.split("::").next().unwrap_or("");
            // The targets are a leaf the configuration reads.
            if top == "config" && r == "compliance::targets" {
                continue;
            }
            if forbidden.contains(&rtop) {
                violations.push(format!("{m} uses {r}"));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "arrows pointing up:\n{}",
        violations.join("\n")
    );
    // No cycle between files (Tarjan's strongly connected components).
    let names: Vec<&String> = graph.keys().collect();
    let index_of: BTreeMap<&String, usize> =
        names.iter().enumerate().map(|(i, n)| (*n, i)).collect();
    let adj: Vec<Vec<usize>> = names
        .iter()
        .map(|n| {
            graph[*n]
                .iter()
                .filter_map(|r| index_of.get(r).copied())
                .collect()
        })
        .collect();
    let cycles = strongly_connected(&adj)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            c.iter()
                .map(|i| names[*i].clone())
                .collect::<Vec<_>>()
                .join(" ⇄ ")
        })
        .collect::<Vec<_>>();
    assert!(
        cycles.is_empty(),
        "import cycles between files:\n{}",
        cycles.join("\n")
    );
}

fn strongly_connected(adj: &[Vec<usize>]) -> Vec<Vec<usize>> {
    struct T<'a> {
        adj: &'a [Vec<usize>],
        index: Vec<Option<usize>>,
        low: Vec<usize>,
        on: Vec<bool>,
        stack: Vec<usize>,
        next: usize,
        out: Vec<Vec<usize>>,
    }
    fn visit(t: &mut T<'_>, v: usize) {
        t.index[v] = Some(t.next);
        t.low[v] = t.next;
        t.next += 1;
        t.stack.push(v);
        t.on[v] = true;
        for &w in &t.adj[v] {
            match t.index[w] {
                None => {
                    visit(t, w);
                    t.low[v] = t.low[v].min(t.low[w]);
                }
                Some(iw) if t.on[w] => t.low[v] = t.low[v].min(iw),
                _ => {}
            }
        }
        if Some(t.low[v]) == t.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on[w] = false;
                comp.push(w);
                if w == v {
                    break;
                }
            }
            t.out.push(comp);
        }
    }
    let n = adj.len();
    let mut t = T {
        adj,
        index: vec![None; n],
        low: vec![0; n],
        on: vec![false; n],
        stack: Vec::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in 0..n {
        if t.index[v].is_none() {
            visit(&mut t, v);
        }
    }
    t.out
}

#[test]
fn the_libraries_depend_on_no_database_server_or_runtime() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for krate in ["crates/sigverify", "crates/tlog", "crates/vntext"] {
        let manifest =
            std::fs::read_to_string(root.join(krate).join("Cargo.toml")).expect("manifest");
        let deps = manifest
            .split("[dependencies]")
            .nth(1)
            .and_then(|d| d.split("\n[").next())
            .unwrap_or("");
        for banned in [
            "sea-orm", "sqlx", "axum", "hyper", "tokio", "reqwest", "tower",
        ] {
            assert!(
                !deps.lines().any(|l| l.trim_start().starts_with(banned)),
                "{krate} depends on {banned}"
            );
        }
    }
}
