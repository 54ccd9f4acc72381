//! The shared test vectors every program keeps for its sdk mirror: a program's unit test builds
//! the JSON from its own functions, and `check` compares it with the file under
//! `sdk/test-vectors/` that the sdk's tests read (rewriting it when `IOGRID_WRITE_VECTORS` is
//! set). Off chain only.

/// `items` as a JSON array, one item per line.
pub fn list(items: Vec<String>) -> String {
    format!("[\n    {}\n  ]", items.join(",\n    "))
}

/// Panics unless `sdk/test-vectors/<file>` (from the workspace root) holds `expected`; with
/// `IOGRID_WRITE_VECTORS` set, writes it first. `package` names the crate whose tests do this.
pub fn check(file: &str, expected: &str, package: &str) {
    // The manifest directory at run time: a target directory shared between clones at other paths
    // keeps the compile-time value of whichever clone built these tests first.
    let manifest_dir =
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into());
    let path = format!("{manifest_dir}/../../sdk/test-vectors/{file}");
    if std::env::var_os("IOGRID_WRITE_VECTORS").is_some() {
        std::fs::write(&path, expected).unwrap();
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == expected,
        "{path} is stale: run IOGRID_WRITE_VECTORS=1 cargo test -p {package} --lib"
    );
}
