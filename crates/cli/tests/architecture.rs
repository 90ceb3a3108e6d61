//! The dependency graph between the crates, as ARCHITECTURE.md draws it. Every edge a crate may have is listed
//! here; a new edge (a `use` of a crate it must not know, such as the reports reaching into the web, or the store
//! into the importers) fails this test until the graph and ARCHITECTURE.md are changed on purpose.

use std::collections::BTreeSet;
use std::path::Path;

/// `(crate, its dependencies, extra dependencies of its tests)`, by directory name under `crates/`.
const ALLOWED: &[(&str, &[&str], &[&str])] = &[
    // Pure domain: no IO, no other layer.
    ("model", &[], &[]),
    ("pdf", &[], &[]),
    ("testdata", &[], &[]),
    ("access", &["model"], &[]),
    ("engine", &["model"], &[]),
    ("demo", &["model"], &[]),
    ("programme", &["model"], &[]),
    ("request", &["model"], &[]),
    ("effect", &[], &["testdata"]),
    ("maps", &[], &["testdata"]),
    // Reading files and the network.
    ("import", &["model"], &["testdata"]),
    ("fetch", &[], &["import", "model", "testdata"]),
    // Storage: the only crate that writes SQL.
    ("store", &["model", "programme", "request"], &[]),
    ("readmodel", &["effect", "maps", "model", "store"], &[]),
    // Application layer.
    (
        "pipeline",
        &["access", "demo", "effect", "engine", "fetch", "import", "maps", "model", "programme", "request", "store"],
        &[],
    ),
    // Presentation: reports and the web read the read model; neither knows the command line.
    ("report", &["effect", "model", "pdf", "readmodel"], &["pipeline", "store"]),
    ("web", &["access", "effect", "model", "pipeline", "programme", "readmodel", "report", "request", "store"], &[]),
    // The binary: arguments in, everything below it.
    (
        "cli",
        &[
            "access",
            "demo",
            "effect",
            "engine",
            "fetch",
            "import",
            "maps",
            "model",
            "pdf",
            "pipeline",
            "programme",
            "readmodel",
            "report",
            "request",
            "store",
            "web",
        ],
        &["testdata"],
    ),
];

/// The workspace crates a manifest table names (`wijkmonitor-x` keys), without the prefix.
fn internal(table: Option<&toml::Value>) -> BTreeSet<String> {
    table
        .and_then(|t| t.as_table())
        .map(|t| t.keys().filter_map(|k| k.strip_prefix("wijkmonitor-")).map(str::to_string).collect())
        .unwrap_or_default()
}

#[test]
fn crates_depend_only_on_the_layers_below_them() {
    let crates_dir = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("crates/");
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for entry in std::fs::read_dir(crates_dir).expect("read crates/") {
        let dir = entry.expect("entry").path();
        let manifest = dir.join("Cargo.toml");
        if !manifest.exists() {
            continue;
        }
        let name = dir.file_name().and_then(|n| n.to_str()).expect("utf-8 name").to_string();
        let text = std::fs::read_to_string(&manifest).expect("read manifest");
        let doc: toml::Value = toml::from_str(&text).expect("parse manifest");
        assert!(doc.get("target").is_none(), "{name}: target-specific dependencies are not checked here; add them");
        let normal = internal(doc.get("dependencies"));
        let mut dev = internal(doc.get("dev-dependencies"));
        dev.extend(internal(doc.get("build-dependencies")));
        let Some((_, allowed, allowed_dev)) = ALLOWED.iter().find(|(n, _, _)| *n == name) else {
            problems
                .push(format!("crates/{name} is not in the dependency graph: add it to ALLOWED and ARCHITECTURE.md"));
            continue;
        };
        seen.insert(name.clone());
        for dep in &normal {
            if !allowed.contains(&dep.as_str()) {
                problems.push(format!("{name} depends on {dep}, which the graph does not allow"));
            }
        }
        for dep in &dev {
            if !allowed.contains(&dep.as_str()) && !allowed_dev.contains(&dep.as_str()) {
                problems.push(format!("the tests of {name} depend on {dep}, which the graph does not allow"));
            }
        }
    }
    for (name, _, _) in ALLOWED {
        if !seen.contains(*name) {
            problems.push(format!("ALLOWED lists {name}, which is not a crate under crates/"));
        }
    }
    assert!(problems.is_empty(), "the crate graph differs from ARCHITECTURE.md:\n{}", problems.join("\n"));
}

/// The rules the graph exists for, stated on their own so that widening ALLOWED cannot quietly break one.
#[test]
fn the_layering_rules_hold_in_the_allowed_graph() {
    let deps = |name: &str| -> Vec<&str> {
        ALLOWED
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, d, t)| d.iter().chain(t.iter()).copied().collect())
            .unwrap_or_default()
    };
    for (name, _, _) in ALLOWED {
        assert!(*name == "cli" || !deps(name).contains(&"cli"), "{name} must not depend on the command line");
    }
    assert!(!deps("report").contains(&"web"), "reports read the read model, not the web");
    for pure in ["model", "engine", "access", "demo", "programme", "request", "pdf", "effect"] {
        for layer in ["store", "web", "import", "pipeline", "readmodel"] {
            assert!(!deps(pure).contains(&layer), "{pure} is domain logic and must not know {layer}");
        }
    }
    for lower in ["store", "demo"] {
        assert!(!deps(lower).contains(&"import"), "{lower} must not depend on the importers");
    }
}
