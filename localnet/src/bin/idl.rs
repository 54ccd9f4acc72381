//! Generates each program's IDL (`target/idl/<name>.json`) and TypeScript type
//! (`target/types/<name>.ts`) natively, the way `anchor build` does: by running the program's
//! `idl-build` test and converting its output with `anchor-lang-idl`.
//!
//! Usage: `idl <out-dir> <program-dir>...` (the build script passes `target` and `programs/*`).

use {
    anchor_lang_idl::{build::IdlBuilder, types::Idl},
    anyhow::{bail, Context, Result},
    heck::{ToLowerCamelCase, ToUpperCamelCase},
    regex::Regex,
    std::{fs, path::PathBuf},
};

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(out_dir) = args.next().map(PathBuf::from) else {
        bail!("usage: idl <out-dir> <program-dir>...");
    };
    let programs: Vec<PathBuf> = args.map(PathBuf::from).collect();
    if programs.is_empty() {
        bail!("usage: idl <out-dir> <program-dir>...");
    }
    // The IDL build compiles with its own RUSTFLAGS; a separate target directory (beside the
    // main one, which may live outside the repository) keeps it from invalidating the main build.
    // anchor-lang-idl also mis-handles RUSTUP_TOOLCHAIN, which rustup sets for processes started
    // by cargo.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let idl_target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| out_dir.clone())
        .join("idl-build");
    fs::create_dir_all(&idl_target)?;
    let idl_target = idl_target.canonicalize()?;
    fs::create_dir_all(out_dir.join("idl"))?;
    fs::create_dir_all(out_dir.join("types"))?;

    for program in programs {
        let program = program
            .canonicalize()
            .with_context(|| format!("program directory {}", program.display()))?;
        let idl = IdlBuilder::new()
            .program_path(program.clone())
            .cargo_args(vec![
                "--target-dir".into(),
                idl_target.display().to_string(),
            ])
            .build()
            .with_context(|| format!("building the IDL of {}", program.display()))?;
        let name = idl.metadata.name.clone();
        let json_path = out_dir.join("idl").join(format!("{name}.json"));
        let ts_path = out_dir.join("types").join(format!("{name}.ts"));
        fs::write(&json_path, serde_json::to_string_pretty(&idl)? + "\n")?;
        fs::write(&ts_path, idl_ts(&idl)?)?;
        println!(
            "{} -> {}, {}",
            program.display(),
            json_path.display(),
            ts_path.display()
        );
    }
    Ok(())
}

/// The IDL as a TypeScript type with camelCase names, as `anchor build` writes it.
fn idl_ts(idl: &Idl) -> Result<String> {
    let idl_name = &idl.metadata.name;
    let type_name = idl_name.to_upper_camel_case();
    let json = serde_json::to_string(idl)?;
    let camel_json = Regex::new(r#""\w+":"([\w\d]+)""#)?
        .captures_iter(&json)
        .fold(json.clone(), |acc, capture| {
            let name = &capture[1];
            let is_pubkey = bs58::decode(name)
                .into_vec()
                .is_ok_and(|bytes| bytes.len() == 32);
            if is_pubkey {
                return acc;
            }
            acc.replace(
                &format!(r#""{name}""#),
                &format!(r#""{}""#, name.to_lower_camel_case()),
            )
        });
    let camel_json =
        serde_json::to_string_pretty(&serde_json::from_str::<serde_json::Value>(&camel_json)?)?;
    Ok(format!(
        r#"/**
 * Program IDL in camelCase format in order to be used in JS/TS.
 *
 * Note that this is only a type helper and is not the actual IDL. The original
 * IDL can be found at `target/idl/{idl_name}.json`.
 */
export type {type_name} = {camel_json};
"#
    ))
}
