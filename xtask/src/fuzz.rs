//! `cargo xtask fuzz [--runs N] [--seed S] [--emit-every K]`: mutates the
//! project's real fragments and checks that generation never panics.
//!
//! The cases are every target of `specs/codegen.toml` and of each golden
//! fixture (`tests/golden/*/codegen.toml`), in configuration order so that
//! a target whose fragments use another crate's schemas sees them. Each
//! run picks a case, one of its fragments and one to three mutations (of
//! the YAML tree: a member removed, renamed, duplicated or replaced by an
//! odd value, a `$ref` pointed elsewhere, a schema keyword added; or of the
//! text: cut short, a line dropped, bytes inserted), then loads and lowers
//! the case in strict or degrade mode, and emits the crate on every `K`th
//! run (20 by default) that lowered. An error is an expected outcome; a
//! panic is a failure: the mutated fragment is written to `target/fuzz/`
//! and the command that repeats the run is printed.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::Instant;

use fragment_codegen::config::{Config, Target};
use fragment_codegen::load::Fragment;
use fragment_codegen::lower::Foreign;
use serde_yaml::Value;

/// One target with its fragments, and the crates generated before it.
struct Case {
    target: Target,
    foreign: Foreign,
    fragments: Vec<Fragment>,
    texts: Vec<String>,
    trees: Vec<Value>,
}

/// What the runs gave.
#[derive(Debug, Default, Clone)]
struct Tally {
    generated: usize,
    errors: usize,
    emitted: usize,
    panics: usize,
    /// How often each error message (its words, without names) came back.
    messages: std::collections::BTreeMap<String, usize>,
}

pub fn run(root: &Path, args: &[&str]) -> ExitCode {
    let (mut runs, mut seed, mut emit_every) = (10_000usize, 1u64, 20usize);
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let value = it.next().and_then(|v| v.parse::<u64>().ok());
        match (*arg, value) {
            ("--runs", Some(v)) => runs = v as usize,
            ("--seed", Some(v)) => seed = v,
            ("--emit-every", Some(v)) if v > 0 => emit_every = v as usize,
            _ => {
                eprintln!("usage: cargo xtask fuzz [--runs N] [--seed S] [--emit-every K]");
                return ExitCode::FAILURE;
            }
        }
    }
    let cases = match cases(root) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let start = Instant::now();
    // Panics are caught and counted; their default report would bury the
    // summary, so the hook stays quiet while the runs go.
    std::panic::set_hook(Box::new(|_| {}));
    let total = Mutex::new(Tally::default());
    let failures = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(4);
    std::thread::scope(|scope| {
        for worker in 0..threads {
            let (cases, total, failures) = (&cases, &total, &failures);
            scope.spawn(move || {
                for i in (worker..runs).step_by(threads) {
                    let run_seed = seed.wrapping_mul(1_000_003).wrapping_add(i as u64);
                    let (tally, failure) = one_run(cases, run_seed, i % emit_every == 0);
                    let mut t = total.lock().unwrap_or_else(|e| e.into_inner());
                    t.generated += tally.generated;
                    t.errors += tally.errors;
                    t.emitted += tally.emitted;
                    t.panics += tally.panics;
                    for (m, n) in tally.messages {
                        *t.messages.entry(m).or_default() += n;
                    }
                    if let Some(f) = failure {
                        failures
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .push((i, run_seed, f));
                    }
                }
            });
        }
    });
    let _ = std::panic::take_hook();
    let t = total.into_inner().unwrap_or_else(|e| e.into_inner());
    println!(
        "fuzz: {runs} mutations of {} cases in {:.1} s: {} generated ({} of them emitted), {} refused with an error, {} panics",
        cases.len(),
        start.elapsed().as_secs_f64(),
        t.generated,
        t.emitted,
        t.errors,
        t.panics
    );
    let mut common: Vec<(&String, &usize)> = t.messages.iter().collect();
    common.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    println!("the most common errors ({} kinds):", common.len());
    for (message, n) in common.iter().take(12) {
        println!("{n:6}  {message}");
    }
    let failures = failures.into_inner().unwrap_or_else(|e| e.into_inner());
    for (i, run_seed, (case, file, text, message)) in &failures {
        let dir = root.join("target/fuzz").join(format!("panic-{run_seed}"));
        let saved = dir.join(file);
        let _ = std::fs::create_dir_all(saved.parent().unwrap_or(&dir));
        let _ = std::fs::write(&saved, text);
        eprintln!(
            "panic: target `{case}`, fragment {}: {message}\n  mutated fragment: {}\n  repeat: cargo xtask fuzz --seed {seed} --runs {}",
            file.display(),
            saved.display(),
            i + 1
        );
    }
    if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Every target of the project's and the golden fixtures' configurations,
/// each with the crates generated before it.
fn cases(root: &Path) -> Result<Vec<Case>, String> {
    let mut configs = vec![root.join("specs/codegen.toml")];
    let golden = root.join("tests/golden");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&golden)
        .map_err(|e| format!("{}: {e}", golden.display()))?
        .flatten()
        .map(|e| e.path().join("codegen.toml"))
        .filter(|p| p.is_file())
        .collect();
    dirs.sort();
    configs.extend(dirs);
    let mut cases = Vec::new();
    for path in configs {
        let config = Config::load(&path).map_err(|e| e.to_string())?;
        let specs = path.parent().unwrap_or(Path::new("."));
        let mut foreign = Foreign::default();
        for target in config.targets {
            let fragments = fragment_codegen::load::load_dir(specs, &target.fragments)
                .map_err(|e| e.to_string())?;
            let mut texts = Vec::new();
            let mut trees = Vec::new();
            for f in &fragments {
                let text = std::fs::read_to_string(specs.join(&f.path))
                    .map_err(|e| format!("{}: {e}", f.path.display()))?;
                trees.push(serde_yaml::from_str(&text).map_err(|e| e.to_string())?);
                texts.push(text);
            }
            let before = foreign.clone();
            fragment_codegen::generate_from_after(&target, &fragments, &mut foreign).map_err(
                |e| {
                    format!(
                        "{}: the unmutated target does not generate: {e}",
                        path.display()
                    )
                },
            )?;
            cases.push(Case {
                target,
                foreign: before,
                fragments,
                texts,
                trees,
            });
        }
    }
    Ok(cases)
}

type Failure = (String, PathBuf, String, String);

/// One mutation, loaded and lowered (and emitted when `emit`).
fn one_run(cases: &[Case], seed: u64, emit: bool) -> (Tally, Option<Failure>) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let case = &cases[rng.usize(..cases.len())];
    let fi = rng.usize(..case.fragments.len());
    let text = mutate(&mut rng, &case.trees[fi], &case.texts[fi]);
    let mut target = case.target.clone();
    target.degrade = rng.bool();
    let path = case.fragments[fi].path.clone();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let fragment = fragment_codegen::load::parse(&path, &text)?;
        let mut fragments = case.fragments.clone();
        fragments[fi] = fragment;
        let api = fragment_codegen::lower::lower_with(&target, &fragments, &case.foreign)?;
        if emit {
            fragment_codegen::emit::emit(&api)?;
        }
        Ok::<bool, fragment_codegen::Error>(emit)
    }));
    let mut tally = Tally::default();
    match outcome {
        Ok(Ok(emitted)) => {
            tally.generated = 1;
            tally.emitted = usize::from(emitted);
            (tally, None)
        }
        Ok(Err(e)) => {
            tally.errors = 1;
            let message = match e.spec_errors().first() {
                Some(se) => se.message.clone(),
                None => e.to_string(),
            };
            tally.messages.insert(shape_of(&message), 1);
            (tally, None)
        }
        Err(payload) => {
            tally.panics = 1;
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "a panic without a message".into());
            (tally, Some((case.target.name.clone(), path, text, message)))
        }
    }
}

/// A message without what is quoted in it, cut short: errors of one
/// rule count as one kind.
fn shape_of(message: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    for c in message.chars() {
        if c == '`' {
            quoted = !quoted;
            out.push_str(if quoted { "`…" } else { "`" });
        } else if !quoted {
            out.push(c);
        }
    }
    out.chars().take(90).collect()
}

/// The fragment's text after one to three mutations: of the text one time
/// in ten, else of the tree.
fn mutate(rng: &mut fastrand::Rng, tree: &Value, text: &str) -> String {
    if rng.u8(..10) == 0 {
        return mutate_text(rng, text);
    }
    let mut tree = tree.clone();
    for _ in 0..rng.usize(1..=3) {
        mutate_tree(rng, &mut tree);
    }
    serde_yaml::to_string(&tree).unwrap_or_default()
}

fn mutate_text(rng: &mut fastrand::Rng, text: &str) -> String {
    let cut = |rng: &mut fastrand::Rng| {
        let mut at = rng.usize(..=text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    match rng.u8(..3) {
        0 => text[..cut(rng)].to_string(),
        1 => {
            let lines: Vec<&str> = text.lines().collect();
            let drop = rng.usize(..lines.len().max(1));
            lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != drop)
                .map(|(_, l)| format!("{l}\n"))
                .collect()
        }
        _ => {
            let at = cut(rng);
            let junk = [
                "{",
                "}",
                "[",
                ":",
                "\t",
                "- ",
                "'",
                "\"",
                "&a",
                "*a",
                "!!binary",
                "\u{feff}",
                "\n  x: 1\n",
            ];
            format!(
                "{}{}{}",
                &text[..at],
                junk[rng.usize(..junk.len())],
                &text[at..]
            )
        }
    }
}

/// Values a mutation puts somewhere.
fn odd_value(rng: &mut fastrand::Rng) -> Value {
    let yaml = [
        "null",
        "true",
        "0",
        "-1",
        "18446744073709551615",
        "1.5e300",
        "''",
        "'x'",
        "'#/components/schemas/Nope'",
        "{}",
        "[]",
        "[null]",
        "{type: 'null'}",
        "{$ref: '#'}",
        "{$ref: 'elsewhere.yaml#/x'}",
        "{type: [string, integer]}",
        "{oneOf: []}",
        "{allOf: [{type: string}, {type: object}]}",
        "{type: object, additionalProperties: false}",
        "{enum: []}",
        "{type: array}",
        "{type: string, format: binary}",
        "{const: 1}",
        "{not: {}}",
        "'{id}'",
        "'/x/{y}'",
    ];
    serde_yaml::from_str(yaml[rng.usize(..yaml.len())]).unwrap_or(Value::Null)
}

/// Scalars a mutation puts in place of another.
fn odd_scalar(rng: &mut fastrand::Rng) -> Value {
    let strings = [
        "",
        " ",
        "x",
        "string",
        "integer",
        "object",
        "array",
        "null",
        "boolean",
        "number",
        "binary",
        "date-time",
        "int32",
        "#/components/schemas/Nope",
        "#",
        "#/paths",
        "other.yaml#/x",
        "application/json",
        "text/plain",
        "application/octet-stream",
        "multipart/form-data",
        "{id}",
        "/a/{b}/{b}",
        "query",
        "path",
        "header",
        "cookie",
        "deepObject",
        "1",
        "self",
        "type",
        "Ünïcode ☃",
        "a\nb",
        "200",
        "4XX",
        "default",
    ];
    match rng.u8(..5) {
        0 => Value::Bool(rng.bool()),
        1 => Value::Number(rng.i64(-3..1_000_000).into()),
        2 => Value::Null,
        _ => Value::String(strings[rng.usize(..strings.len())].to_string()),
    }
}

/// Keys a mutation adds or renames to.
const ODD_KEYS: &[&str] = &[
    "$ref",
    "type",
    "oneOf",
    "anyOf",
    "allOf",
    "not",
    "discriminator",
    "nullable",
    "enum",
    "const",
    "required",
    "items",
    "properties",
    "additionalProperties",
    "prefixItems",
    "format",
    "default",
    "readOnly",
    "writeOnly",
    "operationId",
    "parameters",
    "requestBody",
    "responses",
    "content",
    "schema",
    "in",
    "name",
    "explode",
    "style",
    "webhooks",
    "callbacks",
    "security",
    "",
    "self",
    "type ",
    "1abc",
    "a-b c",
    "Ünïcode",
    "__proto__",
    "x-ext",
];

/// One mutation at a random node of the tree.
fn mutate_tree(rng: &mut fastrand::Rng, tree: &mut Value) {
    let mut nodes = Vec::new();
    collect(tree, &mut Vec::new(), &mut nodes);
    let Some(path) = nodes.get(rng.usize(..nodes.len().max(1))).cloned() else {
        return;
    };
    let Some(node) = at(tree, &path) else { return };
    match (rng.u8(..6), node) {
        (0, Value::Mapping(map)) if !map.is_empty() => {
            let key = map.keys().nth(rng.usize(..map.len())).cloned();
            if let Some(key) = key {
                map.remove(&key);
            }
        }
        (1, Value::Mapping(map)) if !map.is_empty() => {
            let key = map.keys().nth(rng.usize(..map.len())).cloned();
            if let Some(value) = key.and_then(|k| map.remove(&k)) {
                map.insert(ODD_KEYS[rng.usize(..ODD_KEYS.len())].into(), value);
            }
        }
        (2, Value::Mapping(map)) if !map.is_empty() => {
            let value = map.values().nth(rng.usize(..map.len())).cloned();
            if let Some(value) = value {
                map.insert(
                    format!("{}2", ODD_KEYS[rng.usize(..ODD_KEYS.len())]).into(),
                    value,
                );
            }
        }
        (3, Value::Mapping(map)) => {
            map.insert(ODD_KEYS[rng.usize(..ODD_KEYS.len())].into(), odd_value(rng));
        }
        (4, Value::Sequence(items)) if !items.is_empty() => {
            let i = rng.usize(..items.len());
            if rng.bool() {
                items.remove(i);
            } else {
                let copy = items[i].clone();
                items.push(copy);
            }
        }
        // A scalar mostly becomes another scalar, so the tree still
        // deserialises and the mutation reaches lowering.
        (_, node) if !node.is_mapping() && !node.is_sequence() && rng.u8(..4) != 0 => {
            *node = odd_scalar(rng);
        }
        (_, node) => *node = odd_value(rng),
    }
}

/// The path (keys and indices) of every node below `value`.
fn collect(value: &Value, path: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(path.clone());
    match value {
        Value::Mapping(map) => {
            for (k, v) in map {
                path.push(Step::Key(k.clone()));
                collect(v, path, out);
                path.pop();
            }
        }
        Value::Sequence(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Step::Index(i));
                collect(v, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum Step {
    Key(Value),
    Index(usize),
}

fn at<'v>(mut value: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    for step in path {
        value = match (step, value) {
            (Step::Key(k), Value::Mapping(map)) => map.get_mut(k)?,
            (Step::Index(i), Value::Sequence(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(value)
}
