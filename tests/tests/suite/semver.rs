//! Semver that holds for Rust: for each kind of change to an API, the change
//! report's verdict (the one `cargo xtask codegen` prints) agrees with what a
//! downstream crate written against the old crate experiences. A minor or
//! patch change compiles; a major one does not.
//!
//! The base API and each changed version are generated into one temporary
//! workspace, with one downstream crate per version (the same source, each
//! depending on its version under the name `api`), and checked in one
//! `cargo check --keep-going`.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use codegen_tests::workspace_root;
use fragment_codegen::api_diff::Level;
use fragment_codegen::config::Config;

/// The API before any change.
const BASE: &str = r#"
openapi: 3.1.0
info: {title: Things, version: '1'}
servers: [{url: 'https://api.example.com'}]
security: [{bearerAuth: []}]
paths:
  /things/{id}:
    get:
      operationId: getThing
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: fields, in: query, schema: {type: string}}
      responses:
        '200':
          description: The thing.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
  /things:
    post:
      operationId: createThing
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/NewThing'}
      responses:
        '200':
          description: The new thing.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Thing'}
    delete:
      operationId: deleteThings
      responses:
        '204': {description: Deleted.}
components:
  securitySchemes:
    bearerAuth: {type: http, scheme: bearer}
  schemas:
    Thing:
      type: object
      required: [id]
      properties:
        id: {type: string}
        name: {type: string}
        status: {type: string, enum: [active, paused]}
        shape: {$ref: '#/components/schemas/Shape'}
    Shape:
      oneOf:
        - $ref: '#/components/schemas/Circle'
        - $ref: '#/components/schemas/Square'
      discriminator:
        propertyName: kind
        mapping:
          circle: '#/components/schemas/Circle'
          square: '#/components/schemas/Square'
    Circle:
      type: object
      required: [kind]
      properties:
        kind: {const: circle}
        radius: {type: number}
    Square:
      type: object
      required: [kind]
      properties:
        kind: {const: square}
        side: {type: number}
    NewThing:
      type: object
      required: [name]
      properties:
        name: {type: string}
        note: {type: string}
"#;

/// A downstream crate, written against the base API the way the README
/// says to use a generated crate: values built with `new`, setters and
/// field assignment; enums and unions matched with a `_` arm.
const DOWNSTREAM: &str = r#"
use api::types::{Circle, NewThing, Shape, Thing, ThingStatus};

pub async fn run(client: &api::Client) -> Result<(), api::Error<serde_json::Value>> {
    let thing: Thing = client.get_thing("1").fields("id,name").send().await?;
    let id: &String = &thing.id;
    let name: Option<&String> = thing.name.as_ref();
    let _ = (id, name);
    match &thing.status {
        Some(ThingStatus::Active) => {}
        Some(_) | None => {}
    }
    match &thing.shape {
        Some(Shape::Circle(circle)) => {
            let _: Option<f64> = circle.radius;
        }
        Some(_) | None => {}
    }
    let body = NewThing::new("name").with_note("note");
    let mut other = NewThing::new("other");
    other.note = Some("set".into());
    let _ = other;
    client.create_thing(body).send().await?;
    client.delete_things().send().await?;
    Ok(())
}

/// A fixture, as tests build one.
pub fn fixture() -> Thing {
    let mut thing = Thing::new("1");
    thing.name = Some("a thing".into());
    thing.shape = Some(Shape::from(Circle::new()));
    thing
}
"#;

/// One kind of change: what it is, the edit that makes it, and the level
/// the report must give it.
struct Case {
    what: &'static str,
    edits: &'static [(&'static str, &'static str)],
    level: Level,
}

const CASES: &[Case] = &[
    Case {
        what: "optional field added to a received type",
        edits: &[(
            "        name: {type: string}\n        status:",
            "        name: {type: string}\n        color: {type: string}\n        status:",
        )],
        level: Level::Minor,
    },
    Case {
        what: "optional field added to a sent type",
        edits: &[(
            "        note: {type: string}\n",
            "        note: {type: string}\n        tag: {type: string}\n",
        )],
        level: Level::Minor,
    },
    Case {
        what: "required field added to a sent type",
        edits: &[
            ("      required: [name]\n", "      required: [name, size]\n"),
            (
                "        note: {type: string}\n",
                "        note: {type: string}\n        size: {type: integer}\n",
            ),
        ],
        level: Level::Major,
    },
    Case {
        what: "required field added to a received type",
        edits: &[
            ("      required: [id]\n", "      required: [id, created]\n"),
            (
                "        id: {type: string}\n        name:",
                "        id: {type: string}\n        created: {type: integer}\n        name:",
            ),
        ],
        level: Level::Major,
    },
    Case {
        what: "enum value added",
        edits: &[("enum: [active, paused]", "enum: [active, paused, archived]")],
        level: Level::Minor,
    },
    Case {
        what: "union variant added",
        edits: &[
            (
                "        - $ref: '#/components/schemas/Square'\n",
                "        - $ref: '#/components/schemas/Square'\n        - $ref: '#/components/schemas/Dot'\n",
            ),
            (
                "          square: '#/components/schemas/Square'\n",
                "          square: '#/components/schemas/Square'\n          dot: '#/components/schemas/Dot'\n",
            ),
            (
                "    NewThing:\n",
                "    Dot:\n      type: object\n      required: [kind]\n      properties:\n        kind: {const: dot}\n    NewThing:\n",
            ),
        ],
        level: Level::Minor,
    },
    Case {
        what: "operation added",
        edits: &[(
            "  /things:\n",
            "  /things/{id}/history:\n    get:\n      operationId: getThingHistory\n      parameters:\n        - {name: id, in: path, required: true, schema: {type: string}}\n      responses:\n        '204': {description: No history.}\n  /things:\n",
        )],
        level: Level::Minor,
    },
    Case {
        what: "optional parameter added",
        edits: &[(
            "        - {name: fields, in: query, schema: {type: string}}\n",
            "        - {name: fields, in: query, schema: {type: string}}\n        - {name: expand, in: query, schema: {type: string}}\n",
        )],
        level: Level::Minor,
    },
    Case {
        what: "required parameter added",
        edits: &[(
            "        - {name: fields, in: query, schema: {type: string}}\n",
            "        - {name: fields, in: query, schema: {type: string}}\n        - {name: region, in: query, required: true, schema: {type: string}}\n",
        )],
        level: Level::Major,
    },
    Case {
        what: "field type changed",
        edits: &[(
            "        name: {type: string}\n        status:",
            "        name: {type: integer}\n        status:",
        )],
        level: Level::Major,
    },
    Case {
        what: "field removed",
        edits: &[(
            "        name: {type: string}\n        status:",
            "        status:",
        )],
        level: Level::Major,
    },
    Case {
        what: "operation removed",
        edits: &[(
            "    delete:\n      operationId: deleteThings\n      responses:\n        '204': {description: Deleted.}\n",
            "",
        )],
        level: Level::Major,
    },
];

/// The base API with a case's edits.
fn edited(case: &Case) -> String {
    let mut text = BASE.to_string();
    for (from, to) in case.edits {
        assert_eq!(
            text.matches(from).count(),
            1,
            "{}: `{from}` must occur once",
            case.what
        );
        text = text.replacen(from, to, 1);
    }
    text
}

/// Lowers one version of the API into the crate `name`.
fn lower(name: &str, text: &str) -> fragment_codegen::ir::Api {
    let config = Config::parse(
        Path::new("semver.toml"),
        &format!(
            "[[target]]\nname = \"t\"\ncrate_name = {name:?}\ndescription = \"A version of the semver test's API.\"\noutput = \"\"\nfragments = \".\"\nauth = \"bearerAuth\"\n"
        ),
    )
    .expect("the configuration parses");
    let mut target = config.targets.into_iter().next().expect("one target");
    target.runtime = Some(
        workspace_root()
            .join("generator/runtime")
            .display()
            .to_string(),
    );
    let fragment = fragment_codegen::load::parse(Path::new("things.yaml"), text)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    fragment_codegen::lower::lower(&target, std::slice::from_ref(&fragment))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn write(dir: &Path, files: &BTreeMap<std::path::PathBuf, String>) {
    for (path, content) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
        std::fs::write(full, content).expect("write");
    }
}

fn downstream(dir: &Path, index: usize) {
    std::fs::create_dir_all(dir.join("src")).expect("mkdir");
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"use-{index}\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\napi = {{ path = \"../api-{index}\", package = \"semver-api-{index}\" }}\nserde_json = \"1\"\n"
        ),
    )
    .expect("write");
    std::fs::write(dir.join("src/lib.rs"), DOWNSTREAM).expect("write");
}

#[test]
fn the_report_s_verdict_holds_for_a_downstream_crate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = lower("semver-api-0", BASE);
    let base_surface = fragment_codegen::surface::of(&base);
    let mut verdicts = Vec::new();
    for (i, api) in std::iter::once(base.clone())
        .chain(
            CASES
                .iter()
                .enumerate()
                .map(|(i, case)| lower(&format!("semver-api-{}", i + 1), &edited(case))),
        )
        .enumerate()
    {
        if i > 0 {
            // The report `cargo xtask codegen` prints for this regeneration.
            let report = fragment_codegen::api_diff::diff(
                &base_surface,
                &fragment_codegen::surface::of(&api),
                &|_, _| None,
            );
            verdicts.push(report.semver.clone());
        }
        let files = fragment_codegen::emit::emit(&api).unwrap_or_else(|e| panic!("{e}"));
        write(&dir.path().join(format!("api-{i}")), &files);
        downstream(&dir.path().join(format!("use-{i}")), i);
    }
    let members: Vec<String> = (0..=CASES.len())
        .flat_map(|i| [format!("\"api-{i}\""), format!("\"use-{i}\"")])
        .collect();
    std::fs::write(
        dir.path().join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"3\"\nmembers = [{}]\n",
            members.join(", ")
        ),
    )
    .expect("write");
    std::fs::copy(
        workspace_root().join("Cargo.lock"),
        dir.path().join("Cargo.lock"),
    )
    .expect("copy lock file");

    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "check",
            "--workspace",
            "--keep-going",
            "--quiet",
            "--message-format=short",
        ])
        .current_dir(dir.path())
        .env("CARGO_TARGET_DIR", workspace_root().join("target/semver"))
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let failed = |package: &str| stderr.contains(&format!("could not compile `{package}`"));

    assert!(
        (0..=CASES.len()).all(|i| !failed(&format!("semver-api-{i}"))),
        "a generated crate does not compile:\n{stderr}"
    );
    assert!(
        !failed("use-0"),
        "the downstream crate does not compile against the base API:\n{stderr}"
    );
    let mut wrong = Vec::new();
    for (i, (case, verdict)) in CASES.iter().zip(&verdicts).enumerate() {
        let compiles = !failed(&format!("use-{}", i + 1));
        let want = match case.level {
            Level::Major => "major",
            Level::Minor => "minor",
            Level::Patch => "patch",
        };
        println!(
            "{:<42} report: {verdict:<5}  downstream: {}",
            case.what,
            if compiles {
                "compiles"
            } else {
                "does not compile"
            }
        );
        if verdict != want {
            wrong.push(format!(
                "{}: the report says {verdict}, expected {want}",
                case.what
            ));
        }
        if compiles == (verdict == "major") {
            wrong.push(format!(
                "{}: the report says {verdict}, but the downstream crate {}",
                case.what,
                if compiles {
                    "still compiles"
                } else {
                    "no longer compiles"
                }
            ));
        }
    }
    assert!(wrong.is_empty(), "{}\n\n{stderr}", wrong.join("\n"));
}
