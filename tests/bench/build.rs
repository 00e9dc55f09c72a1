//! Writes `decoders.rs`: a decoder for every type an operation of the
//! WhatsApp crate answers with, looked up by the type's name. The names come
//! from the crate's `api.json`, so the build needs no generator; the bench
//! reads the examples themselves from the fragments when it starts.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let api_json = root.join("generated/whatsapp-cloud-api/api.json");
    println!("cargo::rerun-if-changed={}", api_json.display());
    let text = std::fs::read_to_string(&api_json).expect("the crate's api.json");
    let api: serde_json::Value = serde_json::from_str(&text).expect("api.json is JSON");
    let types = api["types"].as_object().expect("api.json lists types");
    let mut names: Vec<&str> = api["operations"]
        .as_array()
        .expect("api.json lists operations")
        .iter()
        .filter_map(|op| op["success"].as_str())
        .filter(|name| types.contains_key(*name))
        .collect();
    names.sort_unstable();
    names.dedup();

    let mut out = String::from(
        "/// The decoder of the type named `name`, if an operation answers with it.\nfn decoder(name: &str) -> Option<Decode> {\n    Some(match name {\n",
    );
    for name in names {
        writeln!(
            out,
            "        {name:?} => decode::<whatsapp_cloud_api::types::{name}>,"
        )
        .expect("write");
    }
    out.push_str("        _ => return None,\n    })\n}\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("decoders.rs");
    std::fs::write(dest, out).expect("decoders.rs written");
}
