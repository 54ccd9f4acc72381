//! Each workspace program's id is the same in its `declare_id!`, its keypair in `keys/` and every
//! cluster section of `Anchor.toml`.

use {
    iogrid_localnet::programs::workspace_programs, solana_keypair::Keypair, solana_signer::Signer,
    std::path::Path,
};

fn repository_file(relative: &str) -> String {
    // Read at run time: a target directory shared between clones at other paths keeps the
    // compile-time value of whichever clone built the test first.
    let manifest_dir =
        std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into());
    let path = Path::new(&manifest_dir).join("..").join(relative);
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()))
}

#[test]
fn program_ids_agree_across_declare_id_keypairs_and_anchor_toml() {
    let anchor_toml = repository_file("Anchor.toml");
    for program in workspace_programs() {
        let secret: Vec<u8> = serde_json::from_str(&repository_file(&format!(
            "keys/{}-keypair.json",
            program.name
        )))
        .expect("a keypair file is a JSON byte array");
        let keypair = Keypair::try_from(secret.as_slice()).expect("a valid keypair");
        assert_eq!(
            keypair.pubkey(),
            program.id,
            "keys/{}-keypair.json",
            program.name
        );

        let entries: Vec<&str> = anchor_toml
            .lines()
            .filter_map(|line| line.trim().strip_prefix(&format!("{} = ", program.name)))
            .collect();
        assert!(
            !entries.is_empty(),
            "{} is missing from Anchor.toml",
            program.name
        );
        for entry in entries {
            assert_eq!(
                entry.trim_matches('"'),
                program.id.to_string(),
                "Anchor.toml {}",
                program.name
            );
        }
    }
}
