//! Calibrated confidence: the probability that a result is one an adviser would accept.
//!
//! Ranking scores are fusions of several channels: they order the results of one query well,
//! but a 0.6 means different things for a job title and for "j'aime les animaux". A logistic
//! curve fitted on the evaluation sets (Platt scaling) maps a score to the observed share of
//! relevant results at that score, so that among results shown with confidence 0.8, about 8
//! in 10 are relevant — whatever the query. Free-text search and profile matching score on
//! different scales, so each has its own curve. `boussole calibrate` refits both and reports
//! how well they hold on the test parts (see docs/api.md, "Confidence").

use serde::Serialize;

/// A logistic map from a ranking score to a probability of relevance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Calibration {
    /// Weight of the score (positive: a higher score never means a lower confidence).
    pub slope: f64,
    /// Log-odds at score 0.
    pub intercept: f64,
}

impl Calibration {
    /// Free-text search (`GET /v1/search`), fitted by `boussole calibrate` on the dev parts
    /// of the young-people, natural-language and typo sets against the full index.
    /// Test part: Brier 0.094 (a constant guess: 0.155), expected calibration error 0.030.
    pub const SEARCH: Calibration = Calibration { slope: 26.283, intercept: -12.806 };
    /// Profile matching (`POST /v1/match`), fitted on the same queries sent as profile text.
    /// Test part: Brier 0.101 (a constant guess: 0.154), expected calibration error 0.028.
    pub const MATCH: Calibration = Calibration { slope: 23.734, intercept: -11.284 };

    /// The probability of relevance of a result scored `score`, in [0, 1].
    pub fn confidence(&self, score: f32) -> f32 {
        let z = self.slope * f64::from(score) + self.intercept;
        let p = 1.0 / (1.0 + (-z).exp());
        // Rounded so that equal-looking numbers compare equal in clients.
        ((p * 1000.0).round() / 1000.0) as f32
    }

    /// Fits the curve to `(score, relevant)` pairs by Newton's method on the log-likelihood,
    /// with a little ridge on both parameters so separable data still converges.
    pub fn fit(pairs: &[(f32, bool)]) -> Option<Calibration> {
        if pairs.iter().all(|p| p.1) || pairs.iter().all(|p| !p.1) {
            return None;
        }
        let (mut a, mut b) = (1.0f64, 0.0f64);
        let ridge = 1e-3;
        for _ in 0..100 {
            let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (ridge * a, ridge * b, ridge, 0.0, ridge);
            for &(x, y) in pairs {
                let x = f64::from(x);
                let p = 1.0 / (1.0 + (-(a * x + b)).exp());
                let r = p - if y { 1.0 } else { 0.0 };
                ga += r * x;
                gb += r;
                let w = p * (1.0 - p);
                haa += w * x * x;
                hab += w * x;
                hbb += w;
            }
            let det = haa * hbb - hab * hab;
            if det.abs() < 1e-12 {
                break;
            }
            let da = (hbb * ga - hab * gb) / det;
            let db = (haa * gb - hab * ga) / det;
            a -= da;
            b -= db;
            if da.abs() + db.abs() < 1e-9 {
                break;
            }
        }
        (a.is_finite() && b.is_finite()).then_some(Calibration { slope: a, intercept: b })
    }
}

/// How well a calibration holds on a set of `(score, relevant)` pairs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CalibrationCheck {
    /// Pairs checked.
    pub pairs: usize,
    /// Share of relevant results.
    pub base_rate: f64,
    /// Mean squared error of the confidence (lower is better; `base_rate·(1−base_rate)` is
    /// what a constant guess gets).
    pub brier: f64,
    /// Expected calibration error over 10 equal-width bins: mean |confidence − observed share|
    /// weighted by bin size.
    pub ece: f64,
}

impl CalibrationCheck {
    /// Checks `calibration` on `pairs`.
    pub fn of(calibration: &Calibration, pairs: &[(f32, bool)]) -> CalibrationCheck {
        let n = pairs.len().max(1) as f64;
        let mut bins = [(0.0f64, 0.0f64, 0usize); 10];
        let (mut brier, mut relevant) = (0.0, 0.0);
        for &(score, y) in pairs {
            let p = f64::from(calibration.confidence(score));
            let y = if y { 1.0 } else { 0.0 };
            brier += (p - y) * (p - y);
            relevant += y;
            let bin = &mut bins[((p * 10.0) as usize).min(9)];
            bin.0 += p;
            bin.1 += y;
            bin.2 += 1;
        }
        let ece = bins.iter().filter(|b| b.2 > 0).map(|b| (b.0 - b.1).abs() / n).sum();
        CalibrationCheck { pairs: pairs.len(), base_rate: relevant / n, brier: brier / n, ece }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confidence_is_a_probability_and_grows_with_the_score() {
        for c in [Calibration::SEARCH, Calibration::MATCH] {
            assert!(c.slope > 0.0);
            let mut last = -1.0;
            for i in 0..=100 {
                let p = c.confidence(i as f32 / 100.0);
                assert!((0.0..=1.0).contains(&p));
                assert!(p >= last, "monotonic");
                last = p;
            }
        }
    }

    #[test]
    fn fitting_recovers_a_known_curve_and_is_calibrated() {
        let truth = Calibration { slope: 8.0, intercept: -4.0 };
        // Deterministic sample: at each score, the exact share of positives the curve predicts.
        let mut pairs = Vec::new();
        for i in 0..100 {
            let x = i as f32 / 100.0;
            let positives = (truth.confidence(x) * 100.0).round() as usize;
            pairs.extend((0..100).map(|k| (x, k < positives)));
        }
        let fitted = Calibration::fit(&pairs).expect("fits");
        assert!((fitted.slope - 8.0).abs() < 0.2 && (fitted.intercept + 4.0).abs() < 0.1, "{fitted:?}");
        let check = CalibrationCheck::of(&fitted, &pairs);
        assert!(check.ece < 0.01, "{check:?}");
        let constant = Calibration { slope: 0.0, intercept: 0.0 };
        assert!(check.brier < CalibrationCheck::of(&constant, &pairs).brier);
    }

    #[test]
    fn one_sided_data_cannot_be_fitted() {
        assert!(Calibration::fit(&[(0.5, true), (0.7, true)]).is_none());
        assert!(Calibration::fit(&[]).is_none());
    }
}
