//! A bounded cache of query embeddings.
//!
//! Type-ahead sends the same prefixes again and again and popular queries repeat; the
//! forward pass is most of a search's cost, so a hit saves ~5 ms of CPU. The key is the
//! exact text the encoder would see (after understanding), so a hit returns bit-for-bit
//! the vector a miss would compute: results never depend on what was asked before.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use lru::LruCache;

/// Hits, misses and size of a [`QueryCache`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheStats {
    /// Lookups answered from the cache.
    pub hits: u64,
    /// Lookups that had to embed.
    pub misses: u64,
    /// Vectors held now.
    pub entries: usize,
    /// Most vectors held.
    pub capacity: usize,
}

/// Least-recently-used map from query text to its embedding.
pub struct QueryCache {
    map: Option<Mutex<LruCache<String, Arc<[f32]>>>>,
    capacity: usize,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl QueryCache {
    /// Vectors kept by default: 4,096 × 384 floats ≈ 6 MB.
    pub const DEFAULT_CAPACITY: usize = 4096;

    /// A cache of at most `capacity` vectors (0 disables it).
    pub fn new(capacity: usize) -> QueryCache {
        QueryCache {
            map: NonZeroUsize::new(capacity).map(|c| Mutex::new(LruCache::new(c))),
            capacity,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The vector of `text`, computing and keeping it on a miss.
    pub fn get_or_embed<E>(
        &self,
        text: &str,
        embed: impl FnOnce(&str) -> Result<Vec<f32>, E>,
    ) -> Result<Arc<[f32]>, E> {
        let Some(map) = &self.map else {
            self.misses.fetch_add(1, Ordering::Relaxed);
            return embed(text).map(Arc::from);
        };
        // A poisoned lock only means another request panicked mid-update of an LRU order;
        // the map itself is still valid.
        if let Some(v) = map.lock().unwrap_or_else(|p| p.into_inner()).get(text) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return Ok(v.clone());
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        // Embed outside the lock: two racing misses both compute, and both get the same vector.
        let v: Arc<[f32]> = Arc::from(embed(text)?);
        map.lock().unwrap_or_else(|p| p.into_inner()).put(text.to_string(), v.clone());
        Ok(v)
    }

    /// Counters and size.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries: self.map.as_ref().map_or(0, |m| m.lock().unwrap_or_else(|p| p.into_inner()).len()),
            capacity: self.capacity,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn embed(calls: &std::cell::Cell<usize>) -> impl Fn(&str) -> Result<Vec<f32>, ()> + '_ {
        move |t: &str| {
            calls.set(calls.get() + 1);
            Ok(vec![t.len() as f32])
        }
    }

    #[test]
    fn repeats_are_served_from_the_cache_and_counted() {
        let calls = std::cell::Cell::new(0);
        let cache = QueryCache::new(2);
        assert_eq!(&*cache.get_or_embed("boulanger", embed(&calls)).unwrap(), &[9.0]);
        assert_eq!(&*cache.get_or_embed("boulanger", embed(&calls)).unwrap(), &[9.0]);
        assert_eq!(calls.get(), 1);
        assert_eq!(cache.stats(), CacheStats { hits: 1, misses: 1, entries: 1, capacity: 2 });
    }

    #[test]
    fn the_least_recently_used_entry_goes_first() {
        let calls = std::cell::Cell::new(0);
        let cache = QueryCache::new(2);
        for t in ["a", "bb", "a", "ccc", "a", "bb"] {
            cache.get_or_embed(t, embed(&calls)).unwrap();
        }
        // "bb" was evicted by "ccc" (least recent), "a" stayed.
        assert_eq!(calls.get(), 4);
        assert_eq!(cache.stats().entries, 2);
    }

    #[test]
    fn capacity_zero_disables_and_errors_are_not_cached() {
        let calls = std::cell::Cell::new(0);
        let off = QueryCache::new(0);
        off.get_or_embed("x", embed(&calls)).unwrap();
        off.get_or_embed("x", embed(&calls)).unwrap();
        assert_eq!((calls.get(), off.stats().hits), (2, 0));
        let cache = QueryCache::new(4);
        assert!(cache.get_or_embed("y", |_| Err::<Vec<f32>, _>("boom")).is_err());
        assert_eq!(cache.stats().entries, 0);
    }
}
