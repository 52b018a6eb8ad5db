//! The shared CSV pre-pass every input goes through before polars sees it.
//!
//! Polars is fast but all-or-nothing: one invalid UTF-8 byte, one unbalanced quote or one
//! ragged row fails the whole file (or silently shifts columns), and its errors do not say
//! which line of the source was at fault. This pre-pass repairs what can be repaired, drops
//! what cannot, and remembers the 1-based starting line of every record it keeps, so that
//! later stages can report problems against the original file.

use std::borrow::Cow;

use super::model::IngestIssue;

/// A CSV file after the pre-pass: valid UTF-8, one well-formed record per entry.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CleanCsv {
    /// Column names of the header record.
    pub header: Vec<String>,
    /// Records before the header (only when a header marker was asked for), unquoted.
    pub preamble: Vec<Vec<String>>,
    /// Header and kept records, each terminated by `\n`, ready for a CSV parser.
    pub bytes: Vec<u8>,
    /// 1-based line in the source file where each kept data record starts.
    pub lines: Vec<usize>,
    /// Lines repaired or records skipped.
    pub issues: Vec<IngestIssue>,
}

/// Where a record ends and whether its quoting was sound.
struct Scan {
    /// Byte offset one past the record's content (line terminator excluded).
    end: usize,
    /// Byte offset where the next record starts.
    next: usize,
    /// Line number of `next`.
    next_line: usize,
    /// Number of fields (separators outside quotes + 1).
    fields: usize,
    /// Whether a quote was unterminated, stray, or followed by text before the separator.
    bad_quote: bool,
}

/// Runs the pre-pass over `raw`, the bytes of `file` (named in issues).
///
/// With `header_marker`, records before the first one that has a field equal to the marker
/// are returned as [`CleanCsv::preamble`] (metadata blocks such as the crosswalk's);
/// otherwise the first non-blank record is the header.
pub fn clean_csv(raw: &[u8], file: &str, header_marker: Option<&str>) -> CleanCsv {
    let mut out = CleanCsv::default();
    let text = repair_utf8(raw, file, &mut out.issues);
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let bytes = text.as_bytes();

    let mut pos = 0;
    let mut line = 1;
    let mut expected: Option<usize> = None;
    while pos < bytes.len() {
        let scan = scan_record(bytes, pos, line);
        let record = &text[pos..scan.end];
        if scan.bad_quote {
            out.issues.push(issue(file, line, "malformed or unterminated quoted field; line skipped"));
            // Resynchronise on the next physical line: a broken quote would otherwise
            // swallow every record up to the next quote character.
            let next = bytes[pos..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |i| pos + i + 1);
            pos = next;
            line += 1;
            continue;
        }
        let (start_line, fields) = (line, scan.fields);
        pos = scan.next;
        line = scan.next_line;
        if record.trim().is_empty() {
            continue;
        }
        match expected {
            None => {
                let names = split_fields(record);
                let is_header = header_marker.is_none_or(|m| names.iter().any(|n| n == m));
                if is_header {
                    expected = Some(fields);
                    out.header = names;
                    push_record(&mut out.bytes, record);
                } else {
                    out.preamble.push(names);
                }
            }
            Some(n) if n != fields => out.issues.push(issue(
                file,
                start_line,
                &format!("expected {n} fields, found {fields}; record skipped"),
            )),
            Some(_) => {
                push_record(&mut out.bytes, record);
                out.lines.push(start_line);
            }
        }
    }
    out
}

/// Decodes `raw` as UTF-8, replacing invalid sequences with U+FFFD and recording one issue per
/// repaired line. Valid input is borrowed, not copied.
pub fn repair_utf8<'a>(raw: &'a [u8], file: &str, issues: &mut Vec<IngestIssue>) -> Cow<'a, str> {
    if let Ok(text) = std::str::from_utf8(raw) {
        return Cow::Borrowed(text);
    }
    let mut text = String::with_capacity(raw.len());
    for (i, chunk) in raw.split_inclusive(|&b| b == b'\n').enumerate() {
        match std::str::from_utf8(chunk) {
            Ok(s) => text.push_str(s),
            Err(_) => {
                issues.push(issue(file, i + 1, "invalid UTF-8 replaced with U+FFFD"));
                text.push_str(&String::from_utf8_lossy(chunk));
            }
        }
    }
    Cow::Owned(text)
}

/// Scans one record starting at `pos` (on line `line`), RFC 4180 style: a quote is special
/// only at the start of a field, and `""` inside a quoted field is an escaped quote.
fn scan_record(bytes: &[u8], pos: usize, line: usize) -> Scan {
    let mut i = pos;
    let mut line = line;
    let mut fields = 1;
    let mut field_start = true;
    let mut in_quotes = false;
    let mut after_quote = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_quotes {
            match b {
                b'"' if bytes.get(i + 1) == Some(&b'"') => i += 1,
                b'"' => {
                    in_quotes = false;
                    after_quote = true;
                }
                b'\n' => line += 1,
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'\n' => {
                let end = if i > pos && bytes[i - 1] == b'\r' { i - 1 } else { i };
                return Scan { end, next: i + 1, next_line: line + 1, fields, bad_quote: false };
            }
            b',' => {
                fields += 1;
                field_start = true;
                after_quote = false;
            }
            b'"' if field_start => {
                in_quotes = true;
                field_start = false;
            }
            // A closing quote must be followed by a separator or the end of the line, and a
            // quote may not appear inside an unquoted field: both mean the quoting is broken
            // (and would derail a parser that tracks quote parity).
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {}
            _ if after_quote || b == b'"' => return bad_quote(bytes.len()),
            _ => field_start = false,
        }
        i += 1;
    }
    if in_quotes {
        return bad_quote(bytes.len());
    }
    let end = if i > pos && bytes[i - 1] == b'\r' { i - 1 } else { i };
    Scan { end, next: i, next_line: line, fields, bad_quote: false }
}

fn bad_quote(len: usize) -> Scan {
    Scan { end: len, next: len, next_line: 0, fields: 0, bad_quote: true }
}

/// Splits one record (already known to be well quoted) into unquoted field values.
pub fn split_fields(record: &str) -> Vec<String> {
    split_fields_by(record, ',')
}

/// [`split_fields`] with another separator (ONISEP exports use `;`).
pub fn split_fields_by(record: &str, separator: char) -> Vec<String> {
    let mut fields = Vec::new();
    let mut current = String::new();
    let mut in_quotes = false;
    let mut chars = record.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if in_quotes && chars.peek() == Some(&'"') => {
                current.push('"');
                chars.next();
            }
            '"' => in_quotes = !in_quotes,
            c if c == separator && !in_quotes => fields.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    fields.push(current);
    fields
}

fn push_record(out: &mut Vec<u8>, record: &str) {
    out.extend_from_slice(record.as_bytes());
    out.push(b'\n');
}

/// Builds an [`IngestIssue`].
pub(crate) fn issue(file: &str, line: usize, message: &str) -> IngestIssue {
    IngestIssue { file: file.to_owned(), line, message: message.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(csv: &CleanCsv) -> Vec<usize> {
        csv.issues.iter().map(|i| i.line).collect()
    }

    #[test]
    fn keeps_good_records_with_their_start_lines() {
        let csv = clean_csv(b"a,b\n1,\"x\ny\"\n2,z\n", "f.csv", None);
        assert_eq!(csv.header, vec!["a", "b"]);
        assert_eq!(csv.lines, vec![2, 4]);
        assert!(csv.issues.is_empty());
        assert_eq!(csv.bytes, b"a,b\n1,\"x\ny\"\n2,z\n");
    }

    #[test]
    fn skips_ragged_records() {
        let csv = clean_csv(b"a,b\n1,2,3\n4,5\n6\n", "f.csv", None);
        assert_eq!(csv.lines, vec![3]);
        assert_eq!(lines_of(&csv), vec![2, 4]);
        assert!(csv.issues[0].message.contains("expected 2 fields, found 3"));
        assert_eq!(csv.issues[0].file, "f.csv");
    }

    #[test]
    fn unterminated_quote_at_eof_skips_only_its_line() {
        let csv = clean_csv(b"a,b\n1,2\n3,\"oops\n5,6\n", "f.csv", None);
        assert_eq!(lines_of(&csv), vec![3]);
        assert_eq!(csv.lines, vec![2, 4]);
    }

    #[test]
    fn unterminated_quote_in_fully_quoted_file_resynchronises() {
        let raw = b"\"a\",\"b\"\n\"1\",\"x\n\"2\",\"y\"\n\"3\",\"z\"\n";
        let csv = clean_csv(raw, "f.csv", None);
        assert_eq!(lines_of(&csv), vec![2]);
        assert_eq!(csv.lines, vec![3, 4]);
    }

    #[test]
    fn stray_quote_inside_unquoted_field_is_skipped() {
        let csv = clean_csv(b"a,b\n1,ab\"c\n2,d\n", "f.csv", None);
        assert_eq!(lines_of(&csv), vec![2]);
        assert_eq!(csv.lines, vec![3]);
    }

    #[test]
    fn escaped_quotes_are_fine() {
        let csv = clean_csv(b"a,b\n1,\"say \"\"hi\"\"\"\n", "f.csv", None);
        assert!(csv.issues.is_empty());
        assert_eq!(csv.lines, vec![2]);
        assert_eq!(split_fields("1,\"say \"\"hi\"\"\""), vec!["1", "say \"hi\""]);
    }

    #[test]
    fn crlf_and_blank_lines() {
        let csv = clean_csv(b"a,b\r\n1,2\r\n\r\n3,4", "f.csv", None);
        assert_eq!(csv.header, vec!["a", "b"]);
        assert_eq!(csv.lines, vec![2, 4]);
        assert_eq!(csv.bytes, b"a,b\n1,2\n3,4\n");
    }

    #[test]
    fn repairs_invalid_utf8_per_line() {
        let raw = b"a,b\n1,caf\xe9\n2,ok\n3,\xff\xfe\n";
        let csv = clean_csv(raw, "naf.csv", None);
        assert_eq!(lines_of(&csv), vec![2, 4]);
        assert!(csv.issues[0].message.contains("UTF-8"));
        assert_eq!(csv.lines, vec![2, 3, 4]);
        let text = String::from_utf8(csv.bytes).expect("pre-pass output is UTF-8");
        assert!(text.contains("caf\u{fffd}"));
    }

    #[test]
    fn valid_utf8_is_borrowed() {
        let mut issues = Vec::new();
        assert!(matches!(repair_utf8("é".as_bytes(), "f", &mut issues), Cow::Borrowed("é")));
        assert!(issues.is_empty());
    }

    #[test]
    fn header_marker_collects_preamble() {
        let raw = b"Mapping project version,V1.4\nName,ROME\n\nid,label,rel\n1,x,skos:exactMatch\n";
        let csv = clean_csv(raw, "cw.csv", Some("id"));
        assert_eq!(csv.preamble, vec![vec!["Mapping project version", "V1.4"], vec!["Name", "ROME"]]);
        assert_eq!(csv.header, vec!["id", "label", "rel"]);
        assert_eq!(csv.lines, vec![5]);
    }

    #[test]
    fn strips_bom_and_handles_empty_input() {
        let csv = clean_csv("\u{feff}a\n1\n".as_bytes(), "f", None);
        assert_eq!(csv.header, vec!["a"]);
        let empty = clean_csv(b"", "f", None);
        assert!(empty.header.is_empty() && empty.lines.is_empty());
        let only_quote = clean_csv(b"\"", "f", None);
        assert_eq!(only_quote.issues.len(), 1);
    }

    proptest::proptest! {
        /// Whatever the bytes, the pre-pass does not panic, emits UTF-8, and what it keeps is
        /// well-formed: a second pass over its output finds nothing to fix.
        #[test]
        fn any_bytes_are_cleaned(raw in proptest::collection::vec(
            proptest::sample::select(vec![b'a', b'"', b',', b'\n', b'\r', 0xC3, 0xA9, 0xFF]), 0..200)
        ) {
            let csv = clean_csv(&raw, "f.csv", None);
            let text = std::str::from_utf8(&csv.bytes).expect("UTF-8 output");
            let again = clean_csv(text.as_bytes(), "f.csv", None);
            proptest::prop_assert!(again.issues.is_empty(), "{:?}", again.issues);
            proptest::prop_assert_eq!(again.lines.len(), csv.lines.len());
            proptest::prop_assert!(csv.lines.windows(2).all(|w| w[0] < w[1]));
        }
    }
}
