//! Query → ranked, explained occupations, on top of the vector index and a lexical index.
//!
//! Many surface forms point to one occupation; results are occupations, each scored from its
//! best-matching forms and listing the evidence that matched. [`Engine::search`] first
//! understands the query ([`understand`]: texting spellings, spelling, slang and school
//! lexicons, negations), then ranks with every channel ([`Retrieval::Full`]): the two title
//! channels — the lexical index ([`lexical`]: folded, gender-normalised, stemmed,
//! typo-tolerant) and the dense index (e5 embeddings, HNSW), fused by [`hybrid`] (convex
//! combination, α = 0.5 on min-max-normalised cosines, chosen by `boussole eval`) — and the
//! channels beyond titles ([`channels`]), weighted by [`ChannelWeights`]. Profile matching
//! ([`Engine::match_profile`]), grouping by métier ([`Grouping`]), calibrated confidence
//! ([`Calibration`]) and the served engine's reload ([`LiveEngine`]) build on it.

mod cache;
pub mod channels;
mod confidence;
mod coverage;
mod detail;
pub mod facets;
mod group;
pub mod hybrid;
pub mod lexical;
pub mod lexicon;
mod live;
pub mod params;
mod profile;
mod riasec;
mod skills;
pub mod understand;

pub use cache::{CacheStats, QueryCache};
pub use confidence::{Calibration, CalibrationCheck};
pub use coverage::{ProfileSkills, SkillCoverage, MAX_COVERAGE_SKILLS};
pub use detail::{FacetRef, LinkRef, OccupationDetail, OnisepRef, RelatedRef, Relatedness, SkillRef, SkillsByRelation};
pub use group::{display_form, Grouping};
pub use hybrid::{ChannelWeights, Fusion, HybridParams, Retrieval};
pub use lexical::{LexicalConfig, LexicalIndex};
pub use live::{EngineSource, LiveEngine, LiveStatus, ReloadError, ReloadReport};
pub use params::{
    FacetFilter, Page, QueryLimits, Scope, DEFAULT_LIMIT, MAX_EQUIVALENTS, MAX_ITEM_CHARS, MAX_ITEM_WORDS,
    MAX_PROFILE_ITEMS,
};
pub use profile::{bounded_item, ProfileRequest};
pub use riasec::{riasec_name, RiasecError, RiasecProfile, RIASEC_LETTERS, RIASEC_WEIGHT};
pub use skills::{InterestRef, SkillHit};
pub use understand::{HintSource, UnderstandConfig, Understood};

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use thiserror::Error;
use utoipa::ToSchema;

use crate::catalog::{
    FacetIdx, FacetTable, FormKind, Lang, Occupation, OccupationId, OccupationIdx, PassageKind, SkillRelation, Taxonomy,
};
use crate::embed::{EmbedError, Embedder, TextRole};
use crate::index::{IndexError, VectorIndex};
use params::{KEY_SKILLS, MATCHES_PER_RESULT, MIN_EVIDENCE};

/// Why a query could not be answered.
#[derive(Debug, Error)]
pub enum SearchError {
    /// The query is empty or only whitespace.
    #[error("the query is empty")]
    EmptyQuery,
    /// The query has more characters than allowed.
    #[error("the query has {chars} characters, the limit is {max}")]
    QueryTooLong {
        /// Characters in the query.
        chars: usize,
        /// Configured maximum.
        max: usize,
    },
    /// The query has more tokens than allowed.
    #[error("the query has {tokens} tokens, the limit is {max}")]
    TooManyTokens {
        /// Tokens in the query.
        tokens: usize,
        /// Configured maximum.
        max: usize,
    },
    /// The result limit is out of range.
    #[error("limit must be an integer between 1 and {max}, got {got}")]
    InvalidLimit {
        /// Requested limit.
        got: i64,
        /// Configured maximum.
        max: usize,
    },
    /// The paging offset is out of range.
    #[error("offset must be an integer between 0 and {}, got {got}", .max.saturating_sub(1))]
    InvalidOffset {
        /// Requested offset.
        got: i64,
        /// Configured maximum of results (offsets stop one short of it).
        max: usize,
    },
    /// A profile lists too many skills or interests.
    #[error("a profile may list at most {max} skills and {max} interests")]
    TooManyItems {
        /// Configured maximum.
        max: usize,
    },
    /// A facet filter names a facet the table does not have.
    #[error("{field}: unknown facet `{id}` (GET /v1/facets lists them)")]
    UnknownFacet {
        /// The parameter (`require`, `exclude`).
        field: &'static str,
        /// The id as sent.
        id: String,
    },
    /// An engine invariant failed (a bug, not bad input).
    #[error("internal error: {0}")]
    Internal(String),
    /// The index does not match the embedder.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// Embedding the query failed.
    #[error(transparent)]
    Embed(#[from] EmbedError),
}

/// A free-text search.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    /// What the person typed.
    pub text: String,
    /// Language to display results in.
    pub lang: Lang,
    /// Restrict to one taxonomy; both when absent.
    pub taxonomy: Option<Taxonomy>,
    /// Number of occupations to return.
    pub limit: usize,
    /// Facets results must have or lack, and the highest entry level.
    pub filter: FacetFilter,
}

impl SearchRequest {
    /// The request's language, taxonomy filter and number of results.
    pub fn scope(&self) -> Scope {
        Scope { lang: self.lang, taxonomy: self.taxonomy, limit: self.limit, filter: self.filter }
    }
}

/// What kind of evidence made an occupation match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum MatchKind {
    /// A surface form (label, appellation...) close to the query.
    Form(FormKind),
    /// Profile evidence: a skill or a centre d'intérêt.
    Profile(ProfileEvidence),
    /// A sentence describing the occupation close to the query.
    Passage(PassageKind),
    /// A phrase of the query found in a lexicon (slang job name, diploma, school subject).
    Lexicon(HintSource),
    /// A facet the query asks for or rules out, read against the occupation's facets.
    Facet(FacetEvidence),
}

/// How a facet of the query shows in a result.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FacetEvidence {
    /// The occupation has a facet the query wants ("En extérieur ✓").
    Facet,
    /// The occupation lacks a facet the query rules out ("sans : Le week-end ✓").
    Avoided,
    /// The occupation is reachable at the level the query gives ("Accessible avec un CAP").
    EntryLevel,
}

impl MatchKind {
    /// The name used in JSON and in the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Form(FormKind::Preferred) => "preferred",
            MatchKind::Form(FormKind::Alt) => "alt",
            MatchKind::Form(FormKind::Hidden) => "hidden",
            MatchKind::Form(FormKind::Appellation) => "appellation",
            MatchKind::Form(FormKind::Synonym) => "synonym",
            MatchKind::Form(FormKind::Gendered) => "gendered",
            MatchKind::Form(FormKind::Onisep) => "onisep",
            MatchKind::Form(FormKind::OnetAlternate) => "onet_alternate",
            MatchKind::Form(FormKind::OnetReported) => "onet_reported",
            MatchKind::Passage(PassageKind::Definition) => "definition",
            MatchKind::Passage(PassageKind::Access) => "access",
            MatchKind::Passage(PassageKind::Description) => "description",
            MatchKind::Lexicon(HintSource::Colloquial) => "colloquial",
            MatchKind::Lexicon(HintSource::School) => "school",
            MatchKind::Profile(ProfileEvidence::Skill) => "skill",
            MatchKind::Profile(ProfileEvidence::Interest) => "interest",
            MatchKind::Profile(ProfileEvidence::Riasec) => "riasec",
            MatchKind::Facet(FacetEvidence::Facet) => "facet",
            MatchKind::Facet(FacetEvidence::Avoided) => "avoided",
            MatchKind::Facet(FacetEvidence::EntryLevel) => "entry_level",
        }
    }
}

/// Evidence coming from a profile rather than from a label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProfileEvidence {
    /// A skill of the profile that the occupation requires (essential) or uses.
    Skill,
    /// A centre d'intérêt of the profile linked to the occupation.
    Interest,
    /// The RIASEC types of the occupation that the person's profile shares ("Social –
    /// Artistique"); its score is the fit (see [`RiasecProfile::fit`]).
    Riasec,
}

/// A piece of evidence that made an occupation match.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = MatchedItem)]
pub struct MatchedForm {
    /// Matched text: a label, an appellation, a sentence describing the occupation, a centre
    /// d'intérêt, a profile skill, or the phrase of the query found in a lexicon.
    pub text: String,
    /// Labels: `preferred`, `alt`, `hidden`, `appellation`, `synonym`, `gendered`, `onisep`,
    /// `onet_alternate` (O*NET alternate title), `onet_reported` (title reported by workers);
    /// sentences: `definition`, `access`, `description`; `interest` (centre d'intérêt), `skill`;
    /// `riasec` (the occupation's RIASEC types the profile shares, "Social – Artistique"; score:
    /// the fit in [0, 1]);
    /// lexicon phrases: `colloquial` (slang job name), `school` (diploma, subject).
    #[schema(value_type = String, example = "appellation")]
    pub kind: MatchKind,
    /// Language of the text.
    pub lang: Lang,
    /// Similarity to the query: cosine (dense match), lexical score in [0, 1] (lexical match),
    /// or the evidence's weight (profile evidence).
    pub score: f32,
}

/// One ranked occupation with its evidence: the engine's result and the API's (`OccupationHit`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = OccupationHit)]
pub struct RankedOccupation {
    /// Position in the catalogue.
    #[serde(skip)]
    pub index: OccupationIdx,
    /// Taxonomy and code (ROME code `D1102` or ESCO URI), as two fields.
    #[serde(flatten)]
    pub id: OccupationId,
    /// Label in the requested language (or the other one when missing).
    pub label: String,
    /// First sentence of the description in the requested language, when known.
    pub description: Option<String>,
    /// Ranking score (higher is better; comparable within one answer only).
    // The weighted channel scores of `Retrieval::Full`, rescaled to [0, 1] (plus profile
    // evidence in profile matching; with `Engine::search_with`, the fused title score, or one
    // title channel's score alone).
    pub score: f32,
    /// Calibrated probability, in [0, 1], that an adviser would call this result relevant:
    /// among results shown with confidence 0.8, about 8 in 10 are (fitted on the evaluation
    /// sets; comparable across queries). Never increases down a ranking. `null` for a
    /// `/v1/match` profile made of `riasec` alone: no evaluation set judges such profiles, so
    /// there is nothing to calibrate against.
    // Set by `Engine::search_results` and `Engine::match_results`; `None` from the lower-level
    // rankings, whose scores no curve was fitted on.
    #[schema(minimum = 0.0, maximum = 1.0, example = 0.82)]
    pub confidence: Option<f32>,
    /// Evidence that made it match, best first.
    pub matched: Vec<MatchedForm>,
    /// A few essential skills, in the requested language.
    pub skills: Vec<String>,
    /// The métier's facets (ids of `GET /v1/facets`): contextes de travail and entry level;
    /// an ESCO occupation has those its crosswalked ROME fiches share.
    pub facets: Vec<String>,
    /// The lowest diploma level the métier is reachable with, when known (`none`, `cap`, `bac`,
    /// `bac2`, `bac3`, `bac5`, `doctorate`).
    pub entry_level: Option<crate::catalog::EducationLevel>,
    /// With `group=metier` only: the occupations of the other taxonomy that are the same
    /// métier (crosswalk `exact` or `close` match), those that ranked first, then exact before
    /// close; at most 6. The result's `score` is its best member's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub equivalents: Option<Vec<LinkRef>>,
    /// `POST /v1/match` only: the skills the profile covers and those it would learn.
    #[serde(flatten)]
    pub coverage: SkillCoverage,
}

impl RankedOccupation {
    /// Reads this result's confidence on `calibration`'s curve (none: no confidence).
    pub fn calibrate(&mut self, calibration: Option<&Calibration>) {
        self.confidence = calibration.map(|c| c.confidence(self.score));
    }
}

/// The query engine: an index and the model that embeds queries for it.
pub struct Engine {
    index: VectorIndex,
    embedder: Arc<dyn Embedder>,
    limits: QueryLimits,
    by_id: HashMap<OccupationId, OccupationIdx>,
    skill_index: skills::SkillIndex,
    lexical: LexicalIndex,
    hybrid: HybridParams,
    /// Whether profile matching reads skills from the free text.
    text_skills: bool,
    /// Query understanding and the channels beyond titles.
    channels: channels::Channels,
    /// Recent query embeddings.
    query_cache: Arc<QueryCache>,
    /// Words of the language (never read as typos).
    known_words: Option<lexical::WordOracle>,
}

impl Engine {
    /// Pairs an index with an embedder, refusing an index built with another model.
    pub fn new(index: VectorIndex, embedder: Arc<dyn Embedder>, limits: QueryLimits) -> Result<Engine, SearchError> {
        index.check_model(embedder.manifest())?;
        let catalogue = index.catalogue();
        let by_id = catalogue.occupations.iter().enumerate().map(|(i, o)| (o.id.clone(), i as OccupationIdx)).collect();
        let start = std::time::Instant::now();
        let skill_index = skills::SkillIndex::new(catalogue);
        let known = known_words(&embedder)?;
        let lexical = LexicalIndex::new(&catalogue.forms).with_known_words(known.clone());
        let mut understander = understand::Understander::new(catalogue, lexicon::Lexicons::builtin());
        understander.set_known_words(known.clone());
        let detector = facets::FacetDetector::new(FacetTable::builtin(), catalogue, embedder.as_ref())?;
        let channels = channels::Channels::new(catalogue, understander, detector);
        tracing::debug!(
            forms = catalogue.forms.len(),
            words = lexical.vocabulary_len(),
            secs = start.elapsed().as_secs_f64(),
            "lexical indexes built (forms and skills)"
        );
        Ok(Engine {
            index,
            embedder,
            limits,
            by_id,
            skill_index,
            lexical,
            hybrid: HybridParams::default(),
            text_skills: true,
            channels,
            query_cache: Arc::new(QueryCache::new(QueryCache::DEFAULT_CAPACITY)),
            known_words: known,
        })
    }

    /// Words of the language, as the model's tokenizer knows them (see [`LexicalIndex`]).
    pub fn known_words(&self) -> Option<lexical::WordOracle> {
        self.known_words.clone()
    }

    /// The lexical index over the surface forms.
    pub fn lexical(&self) -> &LexicalIndex {
        &self.lexical
    }

    /// The hybrid ranking parameters in force.
    pub fn hybrid_params(&self) -> HybridParams {
        self.hybrid
    }

    /// Turns reading skills from a profile's free text on or off (evaluation ablation).
    pub fn set_text_skills(&mut self, on: bool) {
        self.text_skills = on;
    }

    /// Understands a query text (see [`understand`]).
    pub fn understand(&self, text: &str) -> Understood {
        self.channels.understander.understand(text)
    }

    /// Understands a query text and reads its facets by meaning: each clause's topic is
    /// embedded (through the query cache) and compared with the facet phrasings.
    pub fn understand_query(&self, text: &str) -> Result<Understood, SearchError> {
        let mut understood = self.understand(text);
        let embed = |t: &str| -> Result<Arc<[f32]>, SearchError> {
            if t.trim().is_empty() {
                Ok(vec![0.0; self.embedder.dimension()].into())
            } else {
                self.embed_query(t)
            }
        };
        // A query of one plain clause is read from the embedding the ranking uses anyway (one
        // forward pass); each further clause, or a negated one, costs one more.
        let single = matches!(understood.clauses.as_slice(), [c] if !c.negated);
        let (mut texts, mut topics) = (Vec::new(), Vec::new());
        for clause in understood.clauses.iter().take(params::FACET_CLAUSES) {
            let text = embed(if single { &understood.positive } else { &clause.text })?;
            if single && !understood.positive.trim().is_empty() {
                understood.vector = Some(text.clone());
            }
            // A ruled-out topic is often a bare noun ("pas le week-end", "no nights"): framed as
            // work, like the facet phrasings, it reads as the condition it names.
            topics.push(if clause.negated { embed(&format!("{FACET_FRAME} {}", clause.topic))? } else { text.clone() });
            texts.push(text);
        }
        understood.facets = self.channels.facets.detect(&understood.clauses, &texts, &topics);
        let f = &understood.facets;
        if f.undecided {
            // "Je sais pas quoi faire" says nothing about a field: only the other clauses do.
            let rest: Vec<&str> = understood
                .clauses
                .iter()
                .enumerate()
                .filter(|(i, c)| !f.undecided_clauses.contains(i) && !c.negated)
                .map(|(_, c)| c.text.as_str())
                .collect();
            understood.positive = rest.join(", ");
            understood.lexical = understood.positive.clone();
            understood.rewritten = true;
            understood.vector = None;
        }
        let has_topic = crate::text::words(&crate::text::fold(&understood.positive))
            .any(|w| !crate::text::is_stop_word(w) && !crate::text::is_query_stop_word(w));
        let constrained = !f.avoided.is_empty() || f.max_level.is_some() || understood.short_studies;
        if f.undecided && !has_topic || understood.negated_only && constrained {
            // Nothing names a field: rank broad ideas that fit the conditions, not the words.
            understood.facets.topicless = true;
            understood.positive = BROAD_QUERY.to_string();
            understood.lexical = String::new();
            understood.rewritten = true;
            understood.vector = None;
        }
        Ok(understood)
    }

    /// What a query asks beyond its topic: the facets it wants or rules out, its level, and
    /// whether the person is undecided (the API's `intent`).
    pub fn intent(&self, text: &str) -> Result<facets::QueryIntent, SearchError> {
        let text = self.validate_text(text)?;
        Ok(self.intent_of(&self.understand_query(text)?))
    }

    /// The embedding of an understood query's `positive` text: the one understanding computed,
    /// or a new one (through the query cache).
    pub fn query_vector(&self, understood: &Understood) -> Result<Arc<[f32]>, SearchError> {
        match &understood.vector {
            Some(v) => Ok(v.clone()),
            None => self.embed_query(&understood.positive),
        }
    }

    /// [`Engine::intent`] of a query already understood.
    fn intent_of(&self, understood: &Understood) -> facets::QueryIntent {
        let table = self.channels.facets.table();
        let ids = |hits: &[facets::FacetHit]| {
            let mut ids: Vec<String> = Vec::new();
            for h in hits {
                let id = &table.get(h.facet).id;
                if !ids.contains(id) {
                    ids.push(id.clone());
                }
            }
            ids
        };
        let f = &understood.facets;
        facets::QueryIntent {
            wanted: ids(&f.wanted),
            avoided: ids(&f.avoided),
            max_level: f.max_level.or(understood.short_studies.then_some(crate::catalog::EducationLevel::Cap)),
            undecided: f.undecided,
        }
    }

    /// Every facet a result may carry and a filter may name (contexts and entry levels), with
    /// how many occupations carry each.
    pub fn facet_list(&self) -> Vec<facets::FacetInfo> {
        let detector = &self.channels.facets;
        let table = detector.table();
        let mut counts = vec![0usize; table.facets.len()];
        for o in 0..self.index.catalogue().occupations.len() {
            for &f in detector.of(o as OccupationIdx) {
                counts[f as usize] += 1;
            }
        }
        table
            .facets
            .iter()
            .zip(counts)
            .filter(|(f, _)| matches!(f.kind, crate::catalog::FacetKind::Context | crate::catalog::FacetKind::Level))
            .map(|(f, occupations)| facets::FacetInfo {
                id: f.id.clone(),
                kind: f.kind,
                label: f.label.clone(),
                chip: f.chip,
                occupations,
            })
            .collect()
    }

    /// The facet detector (facet table, occupations' facets, thresholds).
    pub fn facets(&self) -> &facets::FacetDetector {
        &self.channels.facets
    }

    /// Replaces the facet detection thresholds (evaluation).
    pub fn set_facet_params(&self, params: facets::DetectParams) {
        self.channels.facets.set_params(params);
    }

    /// Switches query-understanding steps on or off (evaluation ablations).
    pub fn set_understand_config(&self, config: UnderstandConfig) {
        self.channels.understander.set_config(config);
    }

    /// The query-understanding steps in force.
    pub fn understand_config(&self) -> UnderstandConfig {
        self.channels.understander.config()
    }

    /// Signals of the channels beyond titles for an understood query and its embedding.
    pub fn query_signals<'a>(&'a self, understood: &'a Understood, vector: &[f32]) -> channels::QuerySignals<'a> {
        self.channels.signals(self.index.catalogue(), self.index.passages(), understood, vector)
    }

    /// Replaces the hybrid ranking parameters (evaluation, experiments).
    pub fn set_hybrid_params(&mut self, params: HybridParams) {
        self.hybrid = params;
    }

    /// The loaded index.
    pub fn index(&self) -> &VectorIndex {
        &self.index
    }

    /// The occupation with this taxonomy and code.
    pub fn find(&self, taxonomy: Taxonomy, code: &str) -> Option<OccupationIdx> {
        self.by_id.get(&OccupationId { taxonomy, code: code.to_string() }).copied()
    }

    /// The query limits in force.
    pub fn limits(&self) -> QueryLimits {
        self.limits
    }

    /// A text trimmed, not empty and within [`QueryLimits::max_chars`]: what every typed text
    /// must be (a query's tokens are checked on top, by [`Engine::validate_text`]).
    pub(crate) fn checked_chars<'a>(&self, text: &'a str) -> Result<&'a str, SearchError> {
        let text = Some(text.trim()).filter(|t| !t.is_empty()).ok_or(SearchError::EmptyQuery)?;
        self.limits.check_chars(text)?;
        Ok(text)
    }

    /// Checks a query's text against the limits and returns it trimmed.
    pub fn validate_text<'a>(&self, text: &'a str) -> Result<&'a str, SearchError> {
        let text = self.checked_chars(text)?;
        let tokens = self.embedder.count_tokens(text)?;
        if tokens > self.limits.max_tokens {
            return Err(SearchError::TooManyTokens { tokens, max: self.limits.max_tokens });
        }
        Ok(text)
    }

    /// Embeds a validated query text (through the query cache).
    pub fn embed_query(&self, text: &str) -> Result<Arc<[f32]>, SearchError> {
        self.query_cache.get_or_embed(text, |text| {
            let mut v = self.embedder.embed(&[text], TextRole::Query)?;
            v.pop().ok_or_else(|| SearchError::Internal("the embedder returned no vector".into()))
        })
    }

    /// Replaces the query-embedding cache by an empty one holding at most `capacity`
    /// vectors (0 disables caching).
    pub fn set_query_cache(&mut self, capacity: usize) {
        self.query_cache = Arc::new(QueryCache::new(capacity));
    }

    /// Uses `other`'s query-embedding cache (and its counters) when both engines embed with
    /// the same model, whose vectors do not depend on the index: a reloaded index starts warm.
    pub fn share_query_cache(&mut self, other: &Engine) {
        if self.embedder.manifest().fingerprint() == other.embedder.manifest().fingerprint() {
            self.query_cache = other.query_cache.clone();
        }
    }

    /// Hits, misses and size of the query-embedding cache.
    pub fn query_cache_stats(&self) -> CacheStats {
        self.query_cache.stats()
    }

    /// Embeds several validated query texts at once (evaluation).
    pub fn embed_queries(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, SearchError> {
        Ok(self.embedder.embed(texts, TextRole::Query)?)
    }

    /// Ranks occupations for a free-text query.
    pub fn search(&self, req: &SearchRequest) -> Result<Vec<RankedOccupation>, SearchError> {
        self.search_with(req, Retrieval::Full)
    }

    /// Ranks occupations for a free-text query with the chosen channels (all of them in
    /// [`Engine::search`]; the title channels alone for comparisons).
    pub fn search_with(&self, req: &SearchRequest, retrieval: Retrieval) -> Result<Vec<RankedOccupation>, SearchError> {
        self.limits.check_limit(req.limit)?;
        let text = self.validate_text(&req.text)?;
        if retrieval != Retrieval::Full {
            let query = if retrieval == Retrieval::Lexical { None } else { Some(self.embed_query(text)?) };
            return Ok(self.rank_hybrid(text, query.as_deref(), retrieval, req.scope()));
        }
        Ok(self.search_understood(text, req.scope())?.0)
    }

    /// [`Engine::search`] of a validated text, with what was understood of it.
    fn search_understood(&self, text: &str, scope: Scope) -> Result<(Vec<RankedOccupation>, Understood), SearchError> {
        let started = std::time::Instant::now();
        let understood = self.understand_query(text)?;
        let understood_at = started.elapsed();
        let vector = self.query_vector(&understood)?;
        let embedded_at = started.elapsed();
        let ranked = self.rank_full(&understood, &vector, scope);
        tracing::debug!(
            understand_us = understood_at.as_micros() as u64,
            embed_us = (embedded_at - understood_at).as_micros() as u64,
            rank_us = (started.elapsed() - embedded_at).as_micros() as u64,
            "search stages"
        );
        Ok((ranked, understood))
    }

    /// Ranks occupations for a query text and, unless lexical only, its embedding, with the
    /// title channels only.
    pub fn rank_hybrid(
        &self,
        text: &str,
        query: Option<&[f32]>,
        retrieval: Retrieval,
        scope: Scope,
    ) -> Vec<RankedOccupation> {
        let retrieval = if retrieval == Retrieval::Full { Retrieval::Hybrid } else { retrieval };
        self.rank_input(text, query, retrieval, None, scope)
    }

    /// Ranks occupations with every channel for an understood query and the embedding of its
    /// positive text.
    pub fn rank_full(&self, understood: &Understood, vector: &[f32], scope: Scope) -> Vec<RankedOccupation> {
        let signals = self.query_signals(understood, vector);
        self.rank_input(&understood.lexical, Some(vector), Retrieval::Full, Some((&signals, understood)), scope)
    }

    fn rank_input(
        &self,
        text: &str,
        query: Option<&[f32]>,
        retrieval: Retrieval,
        signals: Option<(&channels::QuerySignals<'_>, &Understood)>,
        scope: Scope,
    ) -> Vec<RankedOccupation> {
        let Scope { lang, taxonomy, limit, filter } = scope;
        let catalogue = self.index.catalogue();
        let forms = &catalogue.forms;
        let occupations = &catalogue.occupations;
        let keep_occupation = |o: OccupationIdx| {
            taxonomy.is_none_or(|t| occupations[o as usize].id.taxonomy == t)
                && (filter.is_empty() || self.passes(o, &filter))
        };
        let keep = |f: u32| keep_occupation(forms[f as usize].occupation);
        let dense = IndexDense { index: &self.index, taxonomy };
        let input = hybrid::QueryInput {
            text,
            vector: query,
            retrieval,
            keep: &keep,
            keep_occupation: &keep_occupation,
            signals: signals.map(|(s, _)| s as &dyn hybrid::SignalSource),
        };
        let candidates = hybrid::gather(forms, &self.lexical, &dense, &input, &self.hybrid);
        let titles = hybrid::fuse(&candidates, Retrieval::Hybrid, &self.hybrid);
        let title_of: HashMap<usize, f32> = titles.iter().copied().collect();
        let bounds = hybrid::Bounds::of(&candidates, &self.hybrid.weights);
        hybrid::fuse(&candidates, retrieval, &self.hybrid)
            .into_iter()
            .take(limit)
            .map(|(i, score)| {
                let c = &candidates[i];
                let mut forms_matched: Vec<MatchedForm> = c
                    .forms
                    .iter()
                    .map(|&(f, s, _)| {
                        let form = &forms[f as usize];
                        MatchedForm {
                            text: form.text.clone(),
                            kind: MatchKind::Form(form.kind),
                            lang: form.lang,
                            score: s,
                        }
                    })
                    .collect();
                forms_matched
                    .sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| (a.lang != lang).cmp(&(b.lang != lang))));
                let matched = match signals {
                    Some((_, understood)) if retrieval == Retrieval::Full => {
                        let title = title_of.get(&i).copied().unwrap_or(0.0);
                        let contributions = hybrid::contributions(&self.hybrid.weights, title, &c.signals, &bounds);
                        let mut matched = self.evidence(forms_matched, &c.signals, &contributions, understood);
                        // What the person asked comes right after the best topical reason.
                        let at = matched.len().min(1);
                        matched.splice(at..at, self.facet_evidence(c.occupation, lang, understood));
                        matched
                    }
                    _ => forms_matched,
                };
                let mut seen = std::collections::HashSet::new();
                let mut matched: Vec<MatchedForm> =
                    matched.into_iter().filter(|m| seen.insert(m.text.clone())).collect();
                matched.truncate(MATCHES_PER_RESULT);
                self.ranked(c.occupation, lang, score, matched)
            })
            .collect()
    }

    /// Whether occupation `o` passes a facet filter.
    pub fn passes(&self, o: OccupationIdx, filter: &FacetFilter) -> bool {
        filter.allows(self.channels.facets.of(o), self.entry_level(o))
    }

    /// The entry level of occupation `o`: its own (ROME), or its crosswalked fiches' (ESCO).
    pub fn entry_level(&self, o: OccupationIdx) -> Option<crate::catalog::EducationLevel> {
        let own = self.index.catalogue().occupations[o as usize].entry_level;
        own.or_else(|| self.channels.facets.of(o).iter().find_map(|&f| self.channels.facets.table().get(f).level))
    }

    /// What a result shows of the query's facets: the wanted ones it has, the ruled-out ones it
    /// lacks, the entry level that fits.
    fn facet_evidence(&self, o: OccupationIdx, lang: Lang, understood: &Understood) -> Vec<MatchedForm> {
        let detector = &self.channels.facets;
        let table = detector.table();
        let has = detector.of(o);
        let label = |f: FacetIdx| table.get(f).label.get_or_any(lang).unwrap_or_default().to_string();
        let item = |text: String, kind: FacetEvidence, score: f32| MatchedForm {
            text,
            kind: MatchKind::Facet(kind),
            lang,
            score,
        };
        let q = &understood.facets;
        let mut out = Vec::new();
        for hit in q.wanted.iter().filter(|h| has.contains(&h.facet)).take(2) {
            out.push(item(format!("{} ✓", label(hit.facet)), FacetEvidence::Facet, hit.score));
        }
        for hit in q.avoided.iter().filter(|h| !has.contains(&h.facet)).take(2) {
            let text = match lang {
                Lang::Fr => format!("sans : {} ✓", label(hit.facet)),
                Lang::En => format!("without: {} ✓", label(hit.facet)),
            };
            out.push(item(text, FacetEvidence::Avoided, hit.score));
        }
        let level = self.entry_level(o);
        if let (Some(max), Some(level)) = (q.max_level, level) {
            if facets::level_fit(level, max) >= 1.0 {
                if let Some(f) = table.of_level(level) {
                    out.push(item(label(f), FacetEvidence::EntryLevel, 1.0));
                }
            }
        }
        out
    }

    /// The evidence of a [`Retrieval::Full`] result, the channel that added most first.
    fn evidence(
        &self,
        forms: Vec<MatchedForm>,
        signals: &hybrid::Signals,
        contributions: &[f32; 11],
        understood: &Understood,
    ) -> Vec<MatchedForm> {
        use hybrid::Contribution as C;
        let catalogue = self.index.catalogue();
        let passage = |p: u32, score: f32| {
            let passage = &catalogue.passages[p as usize];
            MatchedForm {
                text: passage.text.clone(),
                kind: MatchKind::Passage(passage.kind),
                lang: passage.lang,
                score,
            }
        };
        let mut groups: Vec<(f32, Vec<MatchedForm>)> = Vec::new();
        for (kind, &weight) in C::ALL.iter().zip(contributions) {
            if weight <= MIN_EVIDENCE && *kind != C::Title {
                continue;
            }
            let items = match kind {
                C::Title => forms.clone(),
                C::Passage => signals.passage.map(|(s, p)| vec![passage(p, s)]).unwrap_or_default(),
                C::PassageLexical => signals.passage_lexical.map(|(s, p)| vec![passage(p, s)]).unwrap_or_default(),
                C::Interest => signals
                    .interest
                    .and_then(|(s, i)| catalogue.interests.get(i as usize).map(|it| (s, it)))
                    .map(|(s, it)| {
                        vec![MatchedForm {
                            text: it.label.clone(),
                            kind: MatchKind::Profile(ProfileEvidence::Interest),
                            lang: Lang::Fr,
                            score: s,
                        }]
                    })
                    .unwrap_or_default(),
                C::Colloquial | C::School => {
                    let hint = if *kind == C::Colloquial { signals.colloquial } else { signals.school };
                    hint.and_then(|(s, h)| understood.hints.get(h as usize).map(|h| (s, h)))
                        .map(|(s, h)| {
                            vec![MatchedForm {
                                text: h.phrase.clone(),
                                kind: MatchKind::Lexicon(h.source),
                                lang: Lang::Fr,
                                score: s,
                            }]
                        })
                        .unwrap_or_default()
                }
                // Facets are stated first, by `facet_evidence`.
                C::Level | C::Negation | C::Young | C::Facet | C::Avoided => Vec::new(),
            };
            if !items.is_empty() {
                groups.push((weight, items));
            }
        }
        groups.sort_by(|a, b| b.0.total_cmp(&a.0));
        // The best title form always shows; other evidence follows by contribution.
        let mut out: Vec<MatchedForm> = Vec::new();
        for (_, items) in &groups {
            out.push(items[0].clone());
        }
        for (_, items) in groups {
            out.extend(items.into_iter().skip(1));
        }
        // Every result says why: at least its closest sentence.
        if out.is_empty() {
            out.extend(signals.passage.map(|(s, p)| passage(p, s)));
        }
        out
    }
}

/// Words of the language, as the model's tokenizer knows them: a word of 4+ letters that it
/// encodes as one piece is frequent in the text the model was trained on, so it is a word in
/// its own right, not a misspelling ("fixing", "week"); typos ("plombiet", "devloppeur") break
/// into several pieces. `None` when the tokenizer cannot tell (a test embedder).
pub(crate) fn known_words(embedder: &Arc<dyn Embedder>) -> Result<Option<lexical::WordOracle>, SearchError> {
    let one = embedder.count_tokens("a")?;
    if embedder.count_tokens("abcdefghij zyxw")? <= one {
        return Ok(None);
    }
    let embedder = embedder.clone();
    let pieces = move |w: &str| embedder.count_tokens(w).unwrap_or(usize::MAX);
    Ok(Some(Arc::new(move |w: &str| {
        if w.chars().count() < 4 || !w.chars().all(char::is_alphabetic) {
            return false;
        }
        let n = pieces(w);
        // A whole piece ("week"), or a whole stem and an inflection ("fix" + "ing").
        n <= one
            || n == one + 1
                && INFLECTIONS
                    .iter()
                    .any(|suffix| w.strip_suffix(suffix).is_some_and(|stem| stem.len() >= 3 && pieces(stem) <= one))
    })))
}

/// Inflection endings of English and French that the tokenizer splits off a known stem.
const INFLECTIONS: [&str; 9] = ["ing", "ed", "s", "es", "er", "ers", "ly", "ent", "ant"];

/// What a ruled-out clause's topic is framed with before facet detection (French: e5 is
/// multilingual, and most facet phrasings start with a verb of work).
const FACET_FRAME: &str = "travailler :";

/// What a query that names no field is embedded as (its dense channels are muted anyway).
const BROAD_QUERY: &str = "métier";

/// The engine's dense channel: the HNSW graph, filtered by taxonomy.
struct IndexDense<'a> {
    index: &'a VectorIndex,
    taxonomy: Option<Taxonomy>,
}

impl hybrid::DenseSource for IndexDense<'_> {
    fn nearest_forms(&self, query: &[f32], k: usize, keep: &dyn Fn(u32) -> bool) -> Vec<(u32, f32)> {
        let occupations = &self.index.catalogue().occupations;
        let taxonomy = self.taxonomy;
        let keep_form = |f: &crate::catalog::SurfaceForm| {
            taxonomy.is_none_or(|t| occupations[f.occupation as usize].id.taxonomy == t)
        };
        let hits = self.index.search(query, k, taxonomy.is_some().then_some(&keep_form as &dyn Fn(&_) -> bool));
        let mut out = Vec::new();
        for hit in hits {
            out.extend(self.index.forms_of_row(hit.row).iter().filter(|&&f| keep(f)).map(|&f| (f, hit.score)));
        }
        out
    }

    fn occupation_forms(&self, query: &[f32], occupation: OccupationIdx) -> Vec<(u32, f32)> {
        let forms = &self.index.catalogue().forms;
        let mut out = Vec::new();
        for &row in self.index.rows_of_occupation(occupation) {
            let score = self.index.row_score(query, row as usize);
            out.extend(
                self.index
                    .forms_of_row(row as usize)
                    .iter()
                    .filter(|&&f| forms[f as usize].occupation == occupation)
                    .map(|&f| (f, score)),
            );
        }
        out
    }
}

impl Engine {
    /// Builds a result card for occupation `idx`.
    pub(crate) fn ranked(
        &self,
        idx: OccupationIdx,
        lang: Lang,
        score: f32,
        matched: Vec<MatchedForm>,
    ) -> RankedOccupation {
        let catalogue = self.index.catalogue();
        let occupation = &catalogue.occupations[idx as usize];
        let skills = occupation
            .skills
            .iter()
            .filter(|l| l.relation == SkillRelation::Essential)
            .filter_map(|l| catalogue.skills.get(l.skill as usize))
            .filter_map(|s| s.label.get_or_any(lang))
            .take(KEY_SKILLS)
            .map(str::to_string)
            .collect();
        RankedOccupation {
            index: idx,
            id: occupation.id.clone(),
            label: display_label(occupation, lang),
            description: occupation.description.get_or_any(lang).map(first_sentence),
            skills,
            facets: self
                .channels
                .facets
                .of(idx)
                .iter()
                .map(|&f| self.channels.facets.table().get(f).id.clone())
                .collect(),
            entry_level: self.entry_level(idx),
            score,
            confidence: None,
            matched,
            equivalents: None,
            coverage: SkillCoverage::default(),
        }
    }
}

/// The first sentence of a description, for one-line cards.
fn first_sentence(text: &str) -> String {
    let text = text.trim();
    let end = text.find(". ").map_or(text.len(), |i| i + 1);
    text[..end].trim().to_string()
}

/// An occupation's label in `lang`, falling back to the other language, then to its code,
/// in the display form both taxonomies share ([`display_form`]: "Boulanger / Boulangère").
pub fn display_label(occupation: &Occupation, lang: Lang) -> String {
    occupation.label.get_or_any(lang).map_or_else(|| occupation.id.code.clone(), display_form)
}
