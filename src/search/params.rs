//! Ranking parameters and limits of the engine, in one place: what a request may ask for
//! ([`QueryLimits`], checked once per request by [`QueryLimits::check_limit`]), what one
//! ranking returns ([`Scope`]), how profile evidence is weighed, how skills are resolved, and
//! how much evidence a result carries.
//!
//! The tuned fusion parameters live with the code they drive, as typed defaults that the
//! evaluation overrides: [`HybridParams::default`](super::HybridParams) and
//! [`ChannelWeights::default`](super::ChannelWeights) (`hybrid.rs`), the lexical matcher's
//! constants (`lexical.rs`), the channels' (`channels.rs`) and RIASEC's (`riasec.rs`).
//! Changing a value here changes rankings: rerun `boussole eval` (see `ARCHITECTURE.md`).

use super::SearchError;
use crate::catalog::{EducationLevel, FacetIdx, FacetSet, Lang, Taxonomy};

// ---- Query limits -------------------------------------------------------------------------

/// Default [`QueryLimits::max_chars`] (`--max-query-chars`): a query is a sentence or two,
/// and its cost grows with its length.
pub const DEFAULT_MAX_CHARS: usize = 500;
/// Default [`QueryLimits::max_tokens`] (`--max-query-tokens`): well under the 512 the model
/// reads, for the same reason.
pub const DEFAULT_MAX_TOKENS: usize = 128;
/// Default [`QueryLimits::max_results`] (`--max-results`): a few pages of results per request.
pub const DEFAULT_MAX_RESULTS: usize = 50;
/// Results a request gets when it does not say how many (one screen of cards).
pub const DEFAULT_LIMIT: usize = 10;

/// Bounds on what a query may ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryLimits {
    /// Maximum characters in a query.
    pub max_chars: usize,
    /// Maximum tokens in a query (with prefix and special tokens).
    pub max_tokens: usize,
    /// Maximum results per request.
    pub max_results: usize,
}

impl Default for QueryLimits {
    fn default() -> Self {
        QueryLimits { max_chars: DEFAULT_MAX_CHARS, max_tokens: DEFAULT_MAX_TOKENS, max_results: DEFAULT_MAX_RESULTS }
    }
}

impl QueryLimits {
    /// The one check of a requested number of results: between 1 and [`Self::max_results`].
    /// Every public entry point of the engine calls it once, before any other work, and
    /// [`Self::page`] reads a caller's `limit` with it.
    pub fn check_limit(&self, limit: usize) -> Result<usize, SearchError> {
        if (1..=self.max_results).contains(&limit) {
            return Ok(limit);
        }
        Err(SearchError::InvalidLimit { got: i64::try_from(limit).unwrap_or(i64::MAX), max: self.max_results })
    }

    /// The one check of a text's length (trimmed): at most [`Self::max_chars`] characters.
    pub fn check_chars(&self, text: &str) -> Result<(), SearchError> {
        let chars = text.trim().chars().count();
        if chars > self.max_chars {
            return Err(SearchError::QueryTooLong { chars, max: self.max_chars });
        }
        Ok(())
    }

    /// Reads the page a caller asks for, as given (any integer; absent: [`DEFAULT_LIMIT`]
    /// results from the first): `limit` in 1..=[`Self::max_results`], `offset` in
    /// 0..[`Self::max_results`]. Pages cover the `max_results` best, so the last one may be
    /// shorter than `limit` ([`Page::depth`]).
    pub fn page(&self, limit: Option<i64>, offset: Option<i64>) -> Result<Page, SearchError> {
        let max = self.max_results;
        let limit = match limit {
            None => DEFAULT_LIMIT.min(max),
            Some(n) => usize::try_from(n)
                .ok()
                .and_then(|n| self.check_limit(n).ok())
                .ok_or(SearchError::InvalidLimit { got: n, max })?,
        };
        let offset = match offset {
            None => 0,
            Some(n) => {
                usize::try_from(n).ok().filter(|&n| n < max).ok_or(SearchError::InvalidOffset { got: n, max })?
            }
        };
        Ok(Page { limit, offset, max })
    }
}

/// A validated page of a ranking: `limit` results after the first `offset` ([`QueryLimits::page`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// Results on the page.
    pub limit: usize,
    /// Results skipped before it.
    pub offset: usize,
    /// The deepest rank a page may reach ([`QueryLimits::max_results`]).
    max: usize,
}

impl Page {
    /// Results to rank for this page: `offset + limit`, at most the limits' maximum (so the
    /// last page is shorter).
    pub fn depth(self) -> usize {
        (self.offset + self.limit).min(self.max)
    }
}

/// What one ranking returns: the display language, the taxonomy filter and how many results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope {
    /// Language to display results in.
    pub lang: Lang,
    /// Restrict to one taxonomy; both when absent.
    pub taxonomy: Option<Taxonomy>,
    /// Number of results (already checked against [`QueryLimits`] by the caller).
    pub limit: usize,
    /// Facets results must have or lack, and the highest entry level.
    pub filter: FacetFilter,
}

/// Hard constraints on results' facets (`require`, `exclude`, `max_level` of the API).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FacetFilter {
    /// Facets every result has.
    pub require: FacetSet,
    /// Facets no result has.
    pub exclude: FacetSet,
    /// The highest entry level of a result (occupations whose level is unknown are kept).
    pub max_level: Option<EducationLevel>,
}

impl FacetFilter {
    /// Whether the filter constrains anything.
    pub fn is_empty(&self) -> bool {
        self.require.is_empty() && self.exclude.is_empty() && self.max_level.is_none()
    }

    /// Whether an occupation with these facets and entry level passes.
    pub fn allows(&self, facets: &[FacetIdx], level: Option<EducationLevel>) -> bool {
        self.require.iter().all(|f| facets.contains(&f))
            && !facets.iter().any(|&f| self.exclude.contains(f))
            && self.max_level.zip(level).is_none_or(|(max, l)| l <= max)
    }
}

impl Scope {
    /// The same scope with another number of results (candidates ranked before grouping or
    /// re-ranking).
    pub fn with_limit(self, limit: usize) -> Scope {
        Scope { limit, ..self }
    }
}

// ---- Evidence per result ------------------------------------------------------------------

/// Evidence (forms, passages, hints) kept per result: enough to say why, short enough for a
/// card.
pub const MATCHES_PER_RESULT: usize = 3;
/// Contribution below which a channel is not shown as evidence (it did not move the score).
pub const MIN_EVIDENCE: f32 = 0.02;
/// Key (essential) skills shown on a result card.
pub const KEY_SKILLS: usize = 3;
/// Matching forms kept per candidate and per title channel, as evidence: as many as a result
/// shows ([`MATCHES_PER_RESULT`]), so one channel alone can fill a card.
pub const FORMS_PER_CHANNEL: usize = 3;

// ---- Grouping by métier --------------------------------------------------------------------

/// Equivalents listed per result at most.
pub const MAX_EQUIVALENTS: usize = 6;
/// Candidates ranked per result asked for, before grouping (merging shortens the list).
pub const CANDIDATES_PER_RESULT: usize = 3;
/// Candidates ranked at least before grouping.
pub const MIN_CANDIDATES: usize = 30;

// ---- Profile matching -----------------------------------------------------------------------

/// Weight of an essential skill of an occupation that the profile lists.
pub const ESSENTIAL_WEIGHT: f32 = 1.0;
/// Weight of an optional skill: half an essential one, since the job can be done without it.
pub const OPTIONAL_WEIGHT: f32 = 0.5;
/// Share of the free text in a profile's score when present: what a person writes is the most
/// direct evidence.
pub const TEXT_WEIGHT: f32 = 0.6;
/// Share of the listed skills in a profile's score when present.
pub const SKILL_WEIGHT: f32 = 0.3;
/// Share of the centres d'intérêt in a profile's score when present: broad, so light.
pub const INTEREST_WEIGHT: f32 = 0.1;
/// Weight, relative to a listed skill, of a skill read from the free text (a guess, not a
/// statement).
pub const TEXT_SKILL_WEIGHT: f32 = 0.5;
/// Skills read from the free text at most.
pub const TEXT_SKILLS: usize = 10;
/// Share of the skill evidence when it only comes from the free text (instead of
/// [`SKILL_WEIGHT`]): the text already counts through [`TEXT_WEIGHT`].
pub const TEXT_ONLY_SKILL_WEIGHT: f32 = 0.1;
/// Text candidates considered before re-ranking with the profile.
pub const TEXT_CANDIDATES: usize = 200;
/// Most profile skills or interests accepted in one request.
pub const MAX_PROFILE_ITEMS: usize = 50;
/// Longest skill or interest label read, in characters (the longest ESCO/ROME skill label
/// has 252).
pub const MAX_ITEM_CHARS: usize = 256;
/// Most words read in one skill or interest label (the longest catalogue label has 40).
pub const MAX_ITEM_WORDS: usize = 40;
/// Words of a skill item read by the approximate lookups (exact labels are matched whole).
pub const LOOKUP_WORDS: usize = 8;
/// Profile evidence (skills, interests) shown per result at most.
pub const MAX_PROFILE_EVIDENCE: usize = 12;

// ---- Resolving a typed skill ----------------------------------------------------------------

/// Skills a typed profile item resolves to at most when it is not an exact label (by label
/// lookup, then typo-tolerant lookup): a few close readings, not a cloud of loose ones.
pub const SKILL_MATCHES: usize = 3;
/// Lowest label-lookup score accepted for a profile item: every typed word starts a label word
/// (a bare substring match scores at most 0.5 and is refused).
pub const SKILL_LOOKUP_MIN: f32 = 0.6;
/// Lowest lexical score accepted from the typo-tolerant lookup (mostly typos and inflections:
/// "patisserie" for "pâtisseries").
pub const SKILL_FUZZY_MIN: f32 = 0.7;
/// Lexical hits read per skill wanted by the typo-tolerant lookup: a skill has several labels
/// (two languages, near-duplicates), so hits repeat skills.
pub const SKILL_FUZZY_HITS_PER_SKILL: usize = 4;
/// Lexical hits over skill labels read when picking skills out of a free text: a bound on the
/// work of one request.
pub const TEXT_SKILL_HITS: usize = 4000;
/// Share of a skill label's words that must occur in a free text for the skill to be read from
/// it: all of them (1, less a margin for float rounding).
pub const TEXT_SKILL_COVERAGE: f32 = 0.999;

/// Clauses of a query read for facets (each costs one forward pass of the model).
pub const FACET_CLAUSES: usize = 6;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_is_checked_against_the_maximum() {
        let limits = QueryLimits::default();
        assert!(matches!(limits.check_limit(0), Err(SearchError::InvalidLimit { got: 0, max: DEFAULT_MAX_RESULTS })));
        assert_eq!(limits.check_limit(1).ok(), Some(1));
        assert_eq!(limits.check_limit(DEFAULT_MAX_RESULTS).ok(), Some(DEFAULT_MAX_RESULTS));
        assert!(limits.check_limit(DEFAULT_MAX_RESULTS + 1).is_err());
    }

    #[test]
    fn a_page_is_read_once_with_defaults_and_ranges() {
        let limits = QueryLimits { max_results: 20, ..QueryLimits::default() };
        let page = limits.page(None, None).unwrap();
        assert_eq!((page.limit, page.offset, page.depth()), (DEFAULT_LIMIT, 0, DEFAULT_LIMIT));
        let page = limits.page(Some(10), Some(15)).unwrap();
        assert_eq!((page.limit, page.offset, page.depth()), (10, 15, 20), "the last page is shorter");
        assert_eq!(limits.page(Some(20), Some(19)).unwrap().depth(), 20);
        for bad in [0, -1, 21, i64::MAX, i64::MIN] {
            assert!(
                matches!(limits.page(Some(bad), None), Err(SearchError::InvalidLimit { got, max: 20 }) if got == bad),
                "limit {bad}"
            );
        }
        for bad in [-1, 20, i64::MAX] {
            assert!(
                matches!(limits.page(None, Some(bad)), Err(SearchError::InvalidOffset { got, max: 20 }) if got == bad),
                "offset {bad}"
            );
        }
        let small = QueryLimits { max_results: 3, ..QueryLimits::default() };
        assert_eq!(small.page(None, None).unwrap().limit, 3, "the default never exceeds the maximum");
    }
}
