//! Ranking metrics at occupation level.

use std::collections::HashSet;
use std::hash::Hash;

/// Metrics of one ranked list against its gold set.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct QueryMetrics {
    /// Reciprocal rank of the first gold item (0 when none is retrieved).
    pub rr: f64,
    /// Average precision: mean over gold items of the precision at their rank (0 when missed).
    pub ap: f64,
    /// Share of the gold set in the top 10.
    pub recall_at_10: f64,
    /// A gold item is first.
    pub hit_at_1: bool,
    /// A gold item is in the top 5.
    pub hit_at_5: bool,
    /// A gold item is in the top 10.
    pub hit_at_10: bool,
}

impl QueryMetrics {
    /// Metrics of `ranked` (best first, distinct) against `gold`.
    pub fn of<T: Eq + Hash>(ranked: &[T], gold: &HashSet<T>) -> QueryMetrics {
        if gold.is_empty() {
            return QueryMetrics::default();
        }
        let mut m = QueryMetrics::default();
        let mut found = 0usize;
        let mut precision_sum = 0.0;
        for (i, item) in ranked.iter().enumerate() {
            if !gold.contains(item) {
                continue;
            }
            found += 1;
            let rank = i + 1;
            if found == 1 {
                m.rr = 1.0 / rank as f64;
                m.hit_at_1 = rank <= 1;
                m.hit_at_5 = rank <= 5;
                m.hit_at_10 = rank <= 10;
            }
            precision_sum += found as f64 / rank as f64;
            if rank <= 10 {
                m.recall_at_10 += 1.0;
            }
        }
        m.ap = precision_sum / gold.len() as f64;
        m.recall_at_10 /= gold.len() as f64;
        m
    }
}

/// Means over the queries of a split.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Summary {
    /// Queries evaluated.
    pub queries: usize,
    /// Mean reciprocal rank.
    pub mrr: f64,
    /// Mean average precision.
    pub map: f64,
    /// Mean recall@10.
    pub recall_at_10: f64,
    /// Accuracy@1.
    pub acc_at_1: f64,
    /// Accuracy@5.
    pub acc_at_5: f64,
    /// Accuracy@10.
    pub acc_at_10: f64,
}

impl Summary {
    /// Mean of per-query metrics.
    pub fn mean(all: &[QueryMetrics]) -> Summary {
        let n = all.len().max(1) as f64;
        let avg = |f: &dyn Fn(&QueryMetrics) -> f64| all.iter().map(f).sum::<f64>() / n;
        Summary {
            queries: all.len(),
            mrr: avg(&|m| m.rr),
            map: avg(&|m| m.ap),
            recall_at_10: avg(&|m| m.recall_at_10),
            acc_at_1: avg(&|m| f64::from(u8::from(m.hit_at_1))),
            acc_at_5: avg(&|m| f64::from(u8::from(m.hit_at_5))),
            acc_at_10: avg(&|m| f64::from(u8::from(m.hit_at_10))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn metrics_match_a_hand_computed_example() {
        // Ranked a b c d e f; gold {b, d, z}: hits at ranks 2 and 4, z never retrieved.
        let ranked = ["a", "b", "c", "d", "e", "f"];
        let gold: HashSet<&str> = ["b", "d", "z"].into_iter().collect();
        let m = QueryMetrics::of(&ranked, &gold);
        assert!(close(m.rr, 0.5));
        // AP = (1/2 + 2/4) / 3 = 1/3.
        assert!(close(m.ap, 1.0 / 3.0), "{}", m.ap);
        assert!(close(m.recall_at_10, 2.0 / 3.0));
        assert!(!m.hit_at_1 && m.hit_at_5 && m.hit_at_10);

        // Second query: gold first; third: gold at rank 7; fourth: missed.
        let q2 = QueryMetrics::of(&["x", "y"], &["x"].into_iter().collect());
        assert!(close(q2.rr, 1.0) && close(q2.ap, 1.0) && q2.hit_at_1);
        let ranked7 = ["1", "2", "3", "4", "5", "6", "g"];
        let q3 = QueryMetrics::of(&ranked7, &["g"].into_iter().collect());
        assert!(close(q3.rr, 1.0 / 7.0) && !q3.hit_at_5 && q3.hit_at_10);
        let q4 = QueryMetrics::of(&["a"], &["b"].into_iter().collect());
        assert_eq!(q4, QueryMetrics { ..QueryMetrics::default() });

        let s = Summary::mean(&[m, q2, q3, q4]);
        assert_eq!(s.queries, 4);
        assert!(close(s.mrr, (0.5 + 1.0 + 1.0 / 7.0 + 0.0) / 4.0));
        assert!(close(s.map, (1.0 / 3.0 + 1.0 + 1.0 / 7.0) / 4.0));
        assert!(close(s.recall_at_10, (2.0 / 3.0 + 1.0 + 1.0) / 4.0));
        assert!(close(s.acc_at_1, 0.25) && close(s.acc_at_5, 0.5) && close(s.acc_at_10, 0.75));
    }
}
