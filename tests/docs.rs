//! The documentation holds together: every relative link and image of every Markdown file of the
//! repository points at a file that exists, and every `#anchor` (in the same file or in a linked
//! `.md` file) names a heading of that file under GitHub's slug rules, or an explicit
//! `<a id="…">` / `<a name="…">`. Links inside fenced code blocks and inline code spans are text,
//! not links; `http:`, `https:`, `mailto:` and other schemes are not checked. The README stays a
//! page that fits on a screen and starts with the newcomer's two commands.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Component, Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The README's hard limit, in lines.
const README_MAX_LINES: usize = 250;

// ---------------------------------------------------------------------------------------------
// Finding the files.

/// Every `*.md` file under `dir`, sorted; skips `target/`, `node_modules/` and hidden folders
/// (`.git/`, `.cache/`), and never follows a symbolic link.
fn markdown_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()));
        for entry in entries {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            let kind = entry.file_type().unwrap();
            if kind.is_dir() {
                if name == "target" || name == "node_modules" || name.starts_with('.') {
                    continue;
                }
                stack.push(entry.path());
            } else if kind.is_file() && name.ends_with(".md") {
                found.push(entry.path());
            }
        }
    }
    found.sort();
    found
}

// ---------------------------------------------------------------------------------------------
// Reading Markdown: code, links, headings.

/// An opening or closing code fence: the fence character and its length, if `line` is one.
fn fence(line: &str) -> Option<(char, usize)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let c = rest.chars().next()?;
    if c != '`' && c != '~' {
        return None;
    }
    let n = rest.chars().take_while(|&x| x == c).count();
    (n >= 3).then_some((c, n))
}

/// One flag per line of `text` (split on `\n`): true for the lines of a fenced code block,
/// fences included. An unclosed fence runs to the end of the file.
fn fenced_lines(text: &str) -> Vec<bool> {
    let mut open: Option<(char, usize)> = None;
    text.split('\n')
        .map(|line| match (open, fence(line)) {
            (None, Some(f)) => {
                open = Some(f);
                true
            }
            (Some((c, n)), Some((c2, n2))) if c == c2 && n2 >= n && line.trim().chars().all(|x| x == c) => {
                open = None;
                true
            }
            (Some(_), _) => true,
            (None, None) => false,
        })
        .collect()
}

/// One flag per byte of `text`: true where the byte is code (a fenced block, fences included,
/// or an inline code span, backticks included). A code span may run over several lines of a
/// paragraph, never past a blank line; an unmatched backtick run is plain text.
fn code_mask(text: &str) -> Vec<bool> {
    let bytes = text.as_bytes();
    let mut mask = vec![false; bytes.len()];
    // Runs of paragraph text (non-blank lines outside fences), where code spans are looked for.
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut run: Option<(usize, usize)> = None;
    let mut start = 0;
    for (line, fenced) in text.split('\n').zip(fenced_lines(text)) {
        let end = start + line.len();
        if fenced {
            mask[start..(end + 1).min(bytes.len())].iter_mut().for_each(|m| *m = true);
        }
        if fenced || line.trim().is_empty() {
            runs.extend(run.take());
        } else {
            run = Some((run.map_or(start, |r| r.0), end));
        }
        start = end + 1;
    }
    runs.extend(run);
    for (a, b) in runs {
        let mut i = a;
        while i < b {
            if bytes[i] == b'\\' {
                i += 2;
                continue;
            }
            if bytes[i] != b'`' {
                i += 1;
                continue;
            }
            let n = bytes[i..b].iter().take_while(|&&c| c == b'`').count();
            // The closing run: exactly n backticks.
            let mut j = i + n;
            let mut close = None;
            while j < b {
                if bytes[j] == b'`' {
                    let m = bytes[j..b].iter().take_while(|&&c| c == b'`').count();
                    if m == n {
                        close = Some(j + m);
                        break;
                    }
                    j += m;
                } else {
                    j += 1;
                }
            }
            match close {
                Some(end) => {
                    mask[i..end].iter_mut().for_each(|m| *m = true);
                    i = end;
                }
                None => i += n,
            }
        }
    }
    mask
}

/// An inline link or image: the line it starts on (1-based) and its destination as written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Link {
    line: usize,
    dest: String,
}

/// Every inline link `[text](dest)` and image `![alt](dest)` of `text` outside code, in order
/// (a link around an image gives both). Reference-style links and autolinks are not read.
fn links(text: &str) -> Vec<Link> {
    let bytes = text.as_bytes();
    let mask = code_mask(text);
    let line_of = |i: usize| 1 + bytes[..i].iter().filter(|&&c| c == b'\n').count();
    let mut found = Vec::new();
    for i in 0..bytes.len() {
        if bytes[i] != b'[' || mask[i] || (i > 0 && bytes[i - 1] == b'\\') {
            continue;
        }
        // The matching `]`, within the paragraph.
        let mut depth = 0usize;
        let mut j = i;
        let mut close = None;
        while j < bytes.len() {
            if !mask[j] {
                match bytes[j] {
                    b'\\' => {
                        j += 2;
                        continue;
                    }
                    b'[' => depth += 1,
                    b']' => {
                        depth -= 1;
                        if depth == 0 {
                            close = Some(j);
                            break;
                        }
                    }
                    b'\n' if bytes.get(j + 1) == Some(&b'\n') => break,
                    _ => {}
                }
            }
            j += 1;
        }
        let Some(close) = close else { continue };
        if bytes.get(close + 1) != Some(&b'(') || mask.get(close + 1) == Some(&true) {
            continue;
        }
        if let Some(dest) = destination(&text[close + 2..]) {
            found.push(Link { line: line_of(i), dest });
        }
    }
    found
}

/// The destination at the start of what follows `](`: `<…>`, or up to white space or the `)`
/// that closes the link (balanced parentheses allowed). None when the link is not closed.
fn destination(rest: &str) -> Option<String> {
    let rest = rest.trim_start_matches([' ', '\t']);
    if let Some(inner) = rest.strip_prefix('<') {
        let end = inner.find(['>', '\n'])?;
        return (inner.as_bytes()[end] == b'>').then(|| inner[..end].to_string());
    }
    let mut depth = 0usize;
    for (k, c) in rest.char_indices() {
        match c {
            '(' => depth += 1,
            ')' if depth == 0 => return Some(rest[..k].to_string()),
            ')' => depth -= 1,
            ' ' | '\t' | '\n' if depth == 0 => {
                // A title may follow; the link must still close.
                return rest[k..].contains(')').then(|| rest[..k].to_string());
            }
            _ => {}
        }
    }
    None
}

/// GitHub's anchor for a heading's text: the rendered text (code, emphasis and link syntax
/// removed), lower-cased, without the characters that are not letters, digits, spaces, `-` or
/// `_` (letters of any script are kept), each space turned into `-`.
fn slug(heading: &str) -> String {
    plain(heading)
        .to_lowercase()
        .chars()
        .filter(|&c| c.is_alphanumeric() || c == ' ' || c == '-' || c == '_')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// A heading's text as rendered: `[text](dest)` becomes `text`, backticks and `*` go.
fn plain(heading: &str) -> String {
    let mut text = heading.to_string();
    for link in links(heading) {
        let target = format!("]({})", link.dest);
        if let Some(end) = text.find(&target) {
            if let Some(open) = text[..end].rfind('[') {
                let inner = text[open + 1..end].to_string();
                text.replace_range(open..end + target.len(), &inner);
            }
        }
    }
    text.chars().filter(|&c| c != '`' && c != '*').collect()
}

/// The anchors a file offers: one per heading (ATX `#…` or setext, outside fenced code; a
/// repeated slug gets `-1`, `-2`… as on GitHub) and every explicit `<a id="…">` or `<a name="…">`.
fn anchors(text: &str) -> HashSet<String> {
    let mut headings: Vec<&str> = Vec::new();
    let mut previous: Option<&str> = None;
    for (line, fenced) in text.split('\n').zip(fenced_lines(text)) {
        let trimmed = line.trim_start_matches(' ');
        let indent = line.len() - trimmed.len();
        if fenced || indent > 3 {
            previous = None;
            continue;
        }
        let hashes = trimmed.chars().take_while(|&c| c == '#').count();
        let after = &trimmed[hashes..];
        if (1..=6).contains(&hashes) && (after.is_empty() || after.starts_with([' ', '\t'])) {
            // A closing run of `#` (after a space) is not part of the heading.
            let mut heading = after.trim();
            let unhashed = heading.trim_end_matches('#');
            if unhashed.is_empty() || unhashed.ends_with([' ', '\t']) {
                heading = unhashed.trim_end();
            }
            headings.push(heading);
            previous = None;
            continue;
        }
        let mark = trimmed.trim_end();
        let underline = !mark.is_empty() && (mark.chars().all(|c| c == '=') || mark.chars().all(|c| c == '-'));
        if let (Some(p), true) = (previous, underline) {
            headings.push(p.trim());
            previous = None;
            continue;
        }
        // A setext heading's text is paragraph text: not a list item, quote or table row.
        let paragraph = !mark.is_empty()
            && !trimmed.starts_with(['-', '*', '+', '>', '|', '<'])
            && !trimmed.starts_with(|c: char| c.is_ascii_digit());
        previous = paragraph.then_some(line);
    }
    let mut found = HashSet::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for heading in headings {
        let base = slug(heading);
        let n = seen.entry(base.clone()).or_insert(0);
        found.insert(if *n == 0 { base.clone() } else { format!("{base}-{n}") });
        *n += 1;
    }
    found.extend(explicit_anchors(text));
    found
}

/// The values of `id` and `name` in the `<a …>` tags of `text`.
fn explicit_anchors(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in text.match_indices("<a ") {
        let tag = &text[at..];
        let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
        for attr in [" id=", " name="] {
            let Some(p) = tag.find(attr) else { continue };
            let value = &tag[p + attr.len()..];
            let Some(quote) = value.chars().next().filter(|&q| q == '"' || q == '\'') else { continue };
            if let Some(end) = value[1..].find(quote) {
                found.push(value[1..1 + end].to_string());
            }
        }
    }
    found
}

// ---------------------------------------------------------------------------------------------
// Checking.

/// `%xx` escapes decoded (a destination may spell a space `%20`).
fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |b: u8| char::from(b).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(hi * 16 + lo);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a destination names a scheme (`https:`, `mailto:`, `data:`…) or is protocol-relative:
/// such links leave the repository and are not checked.
fn is_external(dest: &str) -> bool {
    if dest.starts_with("//") {
        return true;
    }
    match dest.find(':') {
        Some(colon) => {
            let scheme = &dest[..colon];
            !scheme.is_empty()
                && scheme.chars().next().unwrap().is_ascii_alphabetic()
                && scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
        }
        None => false,
    }
}

/// `path` with `.` and `..` resolved without touching the file system.
fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Every broken link of every Markdown file under `repo`, as `file:line: dest (why)`, `file`
/// relative to `repo`.
fn broken_links(repo: &Path) -> Vec<String> {
    let mut failures = Vec::new();
    let mut cache: HashMap<PathBuf, HashSet<String>> = HashMap::new();
    for file in markdown_files(repo) {
        let text = fs::read_to_string(&file).unwrap_or_else(|e| panic!("reading {}: {e}", file.display()));
        let shown = file.strip_prefix(repo).unwrap_or(&file).display().to_string();
        for link in links(&text) {
            let dest = link.dest.trim();
            let mut fail = |why: String| failures.push(format!("{shown}:{}: ({}) {why}", link.line, link.dest));
            if dest.is_empty() {
                fail("empty destination".into());
                continue;
            }
            if is_external(dest) {
                continue;
            }
            let (path_part, anchor) = match dest.split_once('#') {
                Some((p, a)) => (p, Some(a)),
                None => (dest, None),
            };
            let path_part = path_part.split('?').next().unwrap();
            let target = if path_part.is_empty() {
                file.clone()
            } else {
                let decoded = percent_decode(path_part);
                let joined = match decoded.strip_prefix('/') {
                    Some(from_root) => repo.join(from_root),
                    None => file.parent().unwrap().join(&decoded),
                };
                normalise(&joined)
            };
            if !target.starts_with(repo) {
                fail("points outside the repository".into());
                continue;
            }
            if !target.exists() {
                fail(format!("no such file: {}", target.strip_prefix(repo).unwrap().display()));
                continue;
            }
            let Some(anchor) = anchor else { continue };
            let anchor = percent_decode(anchor);
            if anchor.is_empty() {
                fail("empty anchor".into());
                continue;
            }
            // Anchors are checked in Markdown files only (`#L10` of a source file is GitHub's).
            if !(target.is_file() && target.extension().is_some_and(|e| e == "md")) {
                continue;
            }
            let offered = cache.entry(target.clone()).or_insert_with(|| {
                anchors(&fs::read_to_string(&target).unwrap_or_else(|e| panic!("reading {}: {e}", target.display())))
            });
            if !offered.contains(&anchor) {
                let mut close: Vec<&String> = offered.iter().filter(|a| a.contains(&anchor.to_lowercase())).collect();
                close.sort();
                fail(format!(
                    "no heading or anchor #{anchor} in {}{}",
                    target.strip_prefix(repo).unwrap().display(),
                    if close.is_empty() { String::new() } else { format!(" (close: {close:?})") }
                ));
            }
        }
    }
    failures
}

// ---------------------------------------------------------------------------------------------
// The repository.

/// Every relative link and anchor of the repository's Markdown resolves.
#[test]
fn every_relative_link_and_anchor_resolves() {
    let repo = root();
    let files = markdown_files(&repo);
    assert!(files.iter().any(|f| f.ends_with("README.md")), "no README.md found under {}", repo.display());
    assert!(files.iter().any(|f| f.ends_with("docs/api.md")), "no docs/api.md found");
    let failures = broken_links(&repo);
    assert!(failures.is_empty(), "{} broken link(s):\n{}", failures.len(), failures.join("\n"));
}

/// The README fits on a screen (at most 250 lines) and starts with the title, then a code block
/// holding exactly the two commands a newcomer runs, each with its one-line comment.
#[test]
fn readme_is_short_and_starts_with_the_two_commands() {
    let readme = fs::read_to_string(root().join("README.md")).unwrap();
    let lines: Vec<&str> = readme.lines().collect();
    assert!(lines.len() <= README_MAX_LINES, "README.md has {} lines, at most {README_MAX_LINES}", lines.len());
    assert!(lines[0].starts_with("# "), "README.md must start with its title: {:?}", lines[0]);
    let mut rest = lines[1..].iter().copied().skip_while(|l| l.trim().is_empty());
    let open = rest.next().unwrap_or_default();
    assert!(open.starts_with("```"), "after the title, a code block: {open:?}");
    let block: Vec<&str> = rest.by_ref().take_while(|l| !l.starts_with("```")).collect();
    assert_eq!(block.len(), 2, "the first code block holds exactly two commands: {block:?}");
    for (line, script) in block.iter().zip(["scripts/start.sh", "scripts/test.sh"]) {
        assert!(line.starts_with(script), "{line:?} should run {script}");
        let comment = line.split_once(" # ").map(|(_, c)| c.trim()).unwrap_or_default();
        assert!(!comment.is_empty(), "{script} needs its one-line comment: {line:?}");
        assert!(root().join(script).is_file(), "{script} does not exist");
    }
}

/// Every page under `docs/` says what it holds and links back to the README.
#[test]
fn every_docs_page_links_back_to_the_readme() {
    let docs = root().join("docs");
    let pages = markdown_files(&docs);
    assert!(!pages.is_empty(), "no pages under docs/");
    for page in pages {
        let text = fs::read_to_string(&page).unwrap();
        let name = page.strip_prefix(root()).unwrap().display().to_string();
        assert!(text.starts_with("# "), "{name} starts with its title");
        assert!(
            links(&text).iter().any(|l| l.dest.split('#').next() == Some("../README.md")),
            "{name} links back to ../README.md"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The checker itself.

#[test]
fn slugs_follow_github() {
    assert_eq!(slug("Model (`embed`)"), "model-embed");
    assert_eq!(slug("HTTP API (`boussole serve`)"), "http-api-boussole-serve");
    assert_eq!(
        slug("Ranking quality: understanding young people's queries, and its evaluation"),
        "ranking-quality-understanding-young-peoples-queries-and-its-evaluation"
    );
    assert_eq!(slug("Splits (fixed seed 42, files in `datasets/eval/`)"), "splits-fixed-seed-42-files-in-datasetseval");
    assert_eq!(slug("Données et accès : métiers"), "données-et-accès--métiers");
    assert_eq!(slug("What I have, what I'd need"), "what-i-have-what-id-need");
    assert_eq!(slug("snake_case and kebab-case"), "snake_case-and-kebab-case");
    assert_eq!(slug("C++ & Rust"), "c--rust");
    assert_eq!(slug("See [the API](api.md) **now**"), "see-the-api-now");
}

#[test]
fn anchors_number_repeated_headings_and_read_explicit_ones() {
    let text = "# Title\n\n## Usage\n\ntext\n\n## Usage\n\n### Usage ##\n\nSetext\n======\n\n\
                Other one\n---------\n\n<a id=\"custom\"></a>\n<a name='old-name'>x</a>\n\n\
                ```sh\n# not a heading\n```\n";
    let found = anchors(text);
    let mut sorted: Vec<&str> = found.iter().map(String::as_str).collect();
    sorted.sort();
    assert_eq!(sorted, ["custom", "old-name", "other-one", "setext", "title", "usage", "usage-1", "usage-2"]);
}

#[test]
fn links_are_read_outside_code_only() {
    let text = "See [the API](docs/api.md#errors) and ![shot](docs/a.png \"title\").\n\
                Not `[code](nowhere.md)`, nor ``a ` [b](c.md)`` here.\n\n\
                ```md\n[fenced](nowhere.md)\n```\n\n\
                A span `over\n[two](lines.md)` lines, [web](https://example.org), [mail](mailto:a@b.c),\n\
                [![badge](img.svg)](target.md) and [spaced](<my file.md>) and [same](#top).\n\
                Reference [style][ref] and escaped \\[not](a.md) and [x] (y.md).\n";
    let found: Vec<(usize, String)> = links(text).into_iter().map(|l| (l.line, l.dest)).collect();
    let expected = [
        (1, "docs/api.md#errors"),
        (1, "docs/a.png"),
        (9, "https://example.org"),
        (9, "mailto:a@b.c"),
        (10, "target.md"),
        (10, "img.svg"),
        (10, "my file.md"),
        (10, "#top"),
    ];
    assert_eq!(found, expected.map(|(l, d)| (l, d.to_string())));
}

#[test]
fn the_checker_reports_every_broken_link_and_anchor() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().canonicalize().unwrap();
    fs::create_dir_all(repo.join("docs")).unwrap();
    fs::create_dir_all(repo.join("target")).unwrap();
    fs::write(repo.join("target/ignored.md"), "[gone](nowhere.md)\n").unwrap();
    fs::write(repo.join("docs/shot.png"), b"png").unwrap();
    fs::write(
        repo.join("README.md"),
        "# Top\n\n## Errors\n\n[ok](docs/api.md#routes) [bad anchor](docs/api.md#nope)\n\
         [missing](docs/gone.md) ![img](docs/shot.png) ![no img](docs/none.png)\n\
         [self](#errors) [self bad](#error) [web](https://example.org/x.md)\n\
         `[code](nowhere.md)` [query](docs/api.md?plain=1#routes) [outside](../x.md)\n",
    )
    .unwrap();
    fs::write(repo.join("docs/api.md"), "# API\n\n## Routes\n\n[back](../README.md#top) [up](../README.md#down)\n")
        .unwrap();
    let failures = broken_links(&repo);
    let expected = [
        "README.md:5: (docs/api.md#nope) no heading or anchor #nope in docs/api.md",
        "README.md:6: (docs/gone.md) no such file: docs/gone.md",
        "README.md:6: (docs/none.png) no such file: docs/none.png",
        "README.md:7: (#error) no heading or anchor #error in README.md (close: [\"errors\"])",
        "README.md:8: (../x.md) points outside the repository",
        "docs/api.md:5: (../README.md#down) no heading or anchor #down in README.md",
    ];
    assert_eq!(failures, expected);
}
