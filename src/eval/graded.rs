//! Graded-relevance metrics for the young-people split: nDCG@10 (gain 2^grade − 1), MRR over
//! the grade-2 items ("what an adviser shows first"), success@5 (a relevant item, grade ≥ 1, in
//! the top 5).

use std::collections::HashMap;
use std::hash::Hash;

/// Depth of nDCG.
pub const NDCG_DEPTH: usize = 10;
/// Depth of success@k.
pub const SUCCESS_DEPTH: usize = 5;

/// Graded metrics of one ranked list.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GradedMetrics {
    /// nDCG@10.
    pub ndcg10: f64,
    /// Reciprocal rank of the first grade-2 item.
    pub rr2: f64,
    /// A relevant item is in the top 5.
    pub success5: bool,
}

impl GradedMetrics {
    /// Metrics of `ranked` (best first, distinct) against `grades` (item → 1 or 2).
    pub fn of<T: Eq + Hash>(ranked: &[T], grades: &HashMap<T, u8>) -> GradedMetrics {
        let gain = |g: u8| f64::from((1u32 << g) - 1);
        let discount = |i: usize| 1.0 / ((i + 2) as f64).log2();
        let dcg: f64 = ranked
            .iter()
            .take(NDCG_DEPTH)
            .enumerate()
            .map(|(i, t)| grades.get(t).map_or(0.0, |&g| gain(g) * discount(i)))
            .sum();
        let mut ideal: Vec<u8> = grades.values().copied().collect();
        ideal.sort_unstable_by(|a, b| b.cmp(a));
        let idcg: f64 = ideal.iter().take(NDCG_DEPTH).enumerate().map(|(i, &g)| gain(g) * discount(i)).sum();
        let rr2 = ranked.iter().position(|t| grades.get(t) == Some(&2)).map_or(0.0, |i| 1.0 / (i + 1) as f64);
        let success5 = ranked.iter().take(SUCCESS_DEPTH).any(|t| grades.get(t).is_some_and(|&g| g >= 1));
        GradedMetrics { ndcg10: if idcg > 0.0 { dcg / idcg } else { 0.0 }, rr2, success5 }
    }
}

/// Means over queries.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct GradedSummary {
    /// Queries.
    pub queries: usize,
    /// Mean nDCG@10.
    pub ndcg10: f64,
    /// MRR on grade 2.
    pub mrr2: f64,
    /// Success@5.
    pub success5: f64,
}

impl GradedSummary {
    /// Mean of per-query metrics.
    pub fn mean<'a>(all: impl IntoIterator<Item = &'a GradedMetrics>) -> GradedSummary {
        let mut s = GradedSummary::default();
        for m in all {
            s.queries += 1;
            s.ndcg10 += m.ndcg10;
            s.mrr2 += m.rr2;
            s.success5 += f64::from(u8::from(m.success5));
        }
        let n = s.queries.max(1) as f64;
        GradedSummary { ndcg10: s.ndcg10 / n, mrr2: s.mrr2 / n, success5: s.success5 / n, ..s }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graded_metrics_match_a_hand_computed_example() {
        let grades: HashMap<&str, u8> = [("a", 2), ("b", 1), ("c", 2)].into_iter().collect();
        // Ranked x a y b: DCG = 3/log2(3) + 1/log2(5); ideal = 3 + 3/log2(3) + 1/2.
        let m = GradedMetrics::of(&["x", "a", "y", "b"], &grades);
        let dcg = 3.0 / 3f64.log2() + 1.0 / 5f64.log2();
        let idcg = 3.0 + 3.0 / 3f64.log2() + 1.0 / 2.0;
        assert!((m.ndcg10 - dcg / idcg).abs() < 1e-12);
        assert_eq!(m.rr2, 0.5);
        assert!(m.success5);
        let perfect = GradedMetrics::of(&["a", "c", "b"], &grades);
        assert!((perfect.ndcg10 - 1.0).abs() < 1e-12);
        let miss = GradedMetrics::of(&["x", "y", "z", "w", "v", "b"], &grades);
        assert!(!miss.success5 && miss.rr2 == 0.0 && miss.ndcg10 > 0.0);
        let s = GradedSummary::mean(&[m, perfect, miss]);
        assert_eq!(s.queries, 3);
        assert!((s.success5 - 2.0 / 3.0).abs() < 1e-12);
        assert!((s.mrr2 - 0.5).abs() < 1e-12);
    }
}
