//! Embedder speed measured the way the service and the build use it (`boussole bench-embed`).

use std::time::Instant;

use serde::Serialize;

use super::{EmbedError, Embedder, TextRole};

/// Latency summary in milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct LatencyMs {
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Number of timed calls.
    pub n: usize,
}

impl LatencyMs {
    /// Summarises per-call durations (milliseconds); `None` when there are none.
    pub fn of(mut ms: Vec<f64>) -> Option<Self> {
        if ms.is_empty() {
            return None;
        }
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
        Some(LatencyMs { p50: at(0.5), p99: at(0.99), mean: ms.iter().sum::<f64>() / ms.len() as f64, n: ms.len() })
    }
}

/// What `boussole bench-embed` reports.
#[derive(Debug, Clone, Serialize)]
pub struct EmbedBench {
    /// One query at a time (the service's case), each text embedded once.
    pub query_ms: Option<LatencyMs>,
    /// Passages per second when embedded in batches (the build's case).
    pub passage_texts_per_s: Option<f64>,
    /// Passages embedded.
    pub passage_texts: usize,
    /// Texts per `embed` call for the passages.
    pub batch_size: usize,
}

/// Times `queries` one by one (after `warmup` untimed calls on the first ones) and
/// `passages` in calls of `batch_size`.
pub fn measure(
    embedder: &dyn Embedder,
    queries: &[String],
    passages: &[String],
    batch_size: usize,
    warmup: usize,
) -> Result<EmbedBench, EmbedError> {
    for q in queries.iter().take(warmup) {
        embedder.embed(&[&format!("{q} warm-up")], TextRole::Query)?;
    }
    let mut ms = Vec::with_capacity(queries.len());
    for q in queries {
        let start = Instant::now();
        embedder.embed(&[q.as_str()], TextRole::Query)?;
        ms.push(start.elapsed().as_secs_f64() * 1e3);
    }
    let batch_size = batch_size.max(1);
    let start = Instant::now();
    for batch in passages.chunks(batch_size) {
        let texts: Vec<&str> = batch.iter().map(String::as_str).collect();
        embedder.embed(&texts, TextRole::Passage)?;
    }
    let secs = start.elapsed().as_secs_f64();
    Ok(EmbedBench {
        query_ms: LatencyMs::of(ms),
        passage_texts_per_s: (!passages.is_empty()).then(|| passages.len() as f64 / secs),
        passage_texts: passages.len(),
        batch_size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_a_known_series() {
        let l = LatencyMs::of((1..=100).map(f64::from).collect()).unwrap();
        assert_eq!((l.p50, l.p99, l.n), (51.0, 99.0, 100));
        assert!((l.mean - 50.5).abs() < 1e-9);
        assert!(LatencyMs::of(Vec::new()).is_none());
    }
}
