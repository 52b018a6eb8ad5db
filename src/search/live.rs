//! The engine being served, replaced by a newly published index without dropping a request.
//!
//! Requests take the current engine (an `Arc` clone under a read lock held for nanoseconds)
//! and keep it until they finish; a reload builds the new engine beside the old one, checks
//! it, then swaps the pointer. The old engine is freed when its last request ends, so memory
//! briefly holds two indexes (the model is shared).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use serde::Serialize;
use thiserror::Error;

use super::{display_label, Engine, QueryLimits, SearchError, SearchRequest};
use crate::catalog::Lang;
use crate::embed::Embedder;
use crate::index::{read_manifest, IndexError, VectorIndex};

/// Where a served engine comes from: an index path (usually a link flipped by each build) and
/// the settings every engine loaded from it gets.
pub struct EngineSource {
    /// Index directory or link, resolved anew at each load.
    pub index_dir: PathBuf,
    /// The query model, shared by every engine loaded from this source.
    pub embedder: Arc<dyn Embedder>,
    /// Query limits.
    pub limits: QueryLimits,
    /// Capacity of the query-embedding cache.
    pub query_cache: usize,
}

impl EngineSource {
    /// Opens and validates the index and pairs it with the model.
    pub fn load(&self) -> Result<Engine, SearchError> {
        let index = VectorIndex::open(&self.index_dir)?;
        let mut engine = Engine::new(index, self.embedder.clone(), self.limits)?;
        engine.set_query_cache(self.query_cache);
        Ok(engine)
    }

    /// Id of the index the source points at now, read from its manifest alone.
    fn peek_id(&self) -> Result<String, IndexError> {
        let dir = std::fs::canonicalize(&self.index_dir)
            .map_err(|source| IndexError::Io { path: self.index_dir.clone(), source })?;
        Ok(read_manifest(&dir)?.id())
    }
}

/// One loaded engine and when it was loaded.
struct Served {
    engine: Arc<Engine>,
    loaded_at: String,
}

impl Served {
    fn new(engine: Arc<Engine>) -> Served {
        Served { engine, loaded_at: now_rfc3339() }
    }

    fn id(&self) -> &str {
        self.engine.index().id()
    }
}

/// The engine requests use, swappable at run time.
pub struct LiveEngine {
    current: RwLock<Arc<Served>>,
    source: Option<EngineSource>,
    /// Held for the whole of a reload: two at once would only load the same index twice.
    reloading: Mutex<()>,
    reloads: AtomicU64,
    refused: AtomicU64,
}

/// What `/readyz` and `/metrics` say about the served index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LiveStatus {
    /// Content id of the served index ([`crate::index::IndexManifest::id`]).
    pub index_id: String,
    /// When the served index was loaded (RFC 3339).
    pub loaded_at: String,
    /// Reloads that swapped in a new index since start.
    pub reloads: u64,
    /// Reloads refused because the new index failed its checks.
    pub refused: u64,
}

/// Outcome of a successful reload.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReloadReport {
    /// Id of the index served before.
    pub previous: String,
    /// Id of the index served now.
    pub current: String,
    /// Whether a new index was swapped in (false: the source still holds the served one).
    pub changed: bool,
    /// Time spent loading and checking, in seconds.
    pub seconds: f64,
}

/// Why a reload left the served index in place.
#[derive(Debug, Error)]
pub enum ReloadError {
    /// The engine was given without a source to reload from.
    #[error("this server has no index source to reload from")]
    NoSource,
    /// Another reload is running.
    #[error("a reload is already running")]
    InProgress,
    /// The new index failed to load or its checks; the previous one keeps serving.
    #[error("the index at {path} was refused, the previous one keeps serving: {reason}")]
    Refused {
        /// The source path.
        path: PathBuf,
        /// What was wrong with it.
        reason: String,
    },
}

impl LiveEngine {
    /// An engine that is never reloaded.
    pub fn fixed(engine: Arc<Engine>) -> Arc<LiveEngine> {
        Arc::new(LiveEngine::with(engine, None))
    }

    /// Loads the first engine from `source`, which later reloads read again.
    pub fn from_source(source: EngineSource) -> Result<Arc<LiveEngine>, SearchError> {
        let engine = source.load()?;
        Ok(Arc::new(LiveEngine::with(Arc::new(engine), Some(source))))
    }

    fn with(engine: Arc<Engine>, source: Option<EngineSource>) -> LiveEngine {
        LiveEngine {
            current: RwLock::new(Arc::new(Served::new(engine))),
            source,
            reloading: Mutex::new(()),
            reloads: AtomicU64::new(0),
            refused: AtomicU64::new(0),
        }
    }

    fn served(&self) -> Arc<Served> {
        // A poisoned lock still holds a valid pointer: the swap is a single assignment.
        self.current.read().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The engine to answer a request with; it stays valid for the request's whole life.
    pub fn current(&self) -> Arc<Engine> {
        self.served().engine.clone()
    }

    /// The served index's id, load time and reload counts.
    pub fn status(&self) -> LiveStatus {
        let served = self.served();
        LiveStatus {
            index_id: served.id().to_string(),
            loaded_at: served.loaded_at.clone(),
            reloads: self.reloads.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
        }
    }

    /// Loads the index the source points at now, checks it and swaps it in; on any failure the
    /// served index stays. Blocking (seconds on a full index): call it off the async workers.
    pub fn reload(&self) -> Result<ReloadReport, ReloadError> {
        let source = self.source.as_ref().ok_or(ReloadError::NoSource)?;
        let _guard = match self.reloading.try_lock() {
            Ok(guard) => guard,
            Err(std::sync::TryLockError::WouldBlock) => return Err(ReloadError::InProgress),
            Err(std::sync::TryLockError::Poisoned(p)) => p.into_inner(),
        };
        let started = Instant::now();
        let previous = self.served();
        let refuse = |reason: String| {
            self.refused.fetch_add(1, Ordering::Relaxed);
            tracing::warn!(path = %source.index_dir.display(), %reason, "index reload refused");
            ReloadError::Refused { path: source.index_dir.clone(), reason }
        };
        let id = source.peek_id().map_err(|e| refuse(e.to_string()))?;
        if id == previous.id() {
            return Ok(ReloadReport {
                previous: id.clone(),
                current: id,
                changed: false,
                seconds: started.elapsed().as_secs_f64(),
            });
        }
        let mut engine = source.load().map_err(|e| refuse(e.to_string()))?;
        probe(&engine).map_err(refuse)?;
        engine.share_query_cache(&previous.engine);
        let served = Arc::new(Served::new(Arc::new(engine)));
        let report = ReloadReport {
            previous: previous.id().to_string(),
            current: served.id().to_string(),
            changed: true,
            seconds: started.elapsed().as_secs_f64(),
        };
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = served;
        self.reloads.fetch_add(1, Ordering::Relaxed);
        tracing::info!(previous = %report.previous, current = %report.current, secs = report.seconds, "index reloaded");
        Ok(report)
    }

    /// The source's index path, when there is one.
    pub fn source_path(&self) -> Option<&Path> {
        self.source.as_ref().map(|s| s.index_dir.as_path())
    }
}

/// A loaded index must answer: its first occupation's own label finds results. Catches an
/// index whose files are individually sound but do not work together.
fn probe(engine: &Engine) -> Result<(), String> {
    let catalogue = engine.index().catalogue();
    let Some(first) = catalogue.occupations.first() else {
        return Err("the index holds no occupation".into());
    };
    let lang = Lang::ALL.into_iter().find(|&l| first.label.get(l).is_some()).unwrap_or_default();
    let request =
        SearchRequest { text: display_label(first, lang), lang, taxonomy: None, limit: 10, filter: Default::default() };
    match engine.search(&request) {
        Ok(results) if !results.is_empty() => Ok(()),
        Ok(_) => Err(format!("a search for {:?} found nothing", request.text)),
        Err(e) => Err(format!("a search for {:?} failed: {e}", request.text)),
    }
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}
