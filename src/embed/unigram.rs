//! A compact SentencePiece-Unigram segmenter, used in place of the `tokenizers` crate's
//! own Unigram model.
//!
//! Why: for multilingual-e5-small's 250,002 pieces, `tokenizers` builds a byte trie of
//! one `HashMap` per node — measured at 288 MB resident, the largest single item of the
//! server's memory. This segmenter keeps a single map from piece to id (~15 MB) and
//! reproduces `tokenizers`' Viterbi exactly: the same candidates in the same order
//! (shortest first), the same strict tie-breaking, the same unknown-character penalty
//! and the same fusion of consecutive unknowns. Normalisation, pre-tokenisation, added
//! tokens and post-processing still run through `tokenizers` (see `bert.rs`); a test
//! compares both on every text of the test catalogue.

use std::collections::HashMap;

use tokenizers::Token;

use super::error::EmbedError;

/// `tokenizers`' penalty below the lowest piece score for an unknown character.
const UNK_PENALTY: f64 = 10.0;

/// Piece scores and ids of a Unigram model.
pub(crate) struct Unigram {
    ids: HashMap<Box<str>, u32>,
    scores: Vec<f64>,
    unk_id: u32,
    unk_score: f64,
    /// Longest piece, in bytes: no candidate is longer.
    max_len: usize,
}

impl Unigram {
    /// Reads the `model` object of a `tokenizer.json`; `None` when it is not a Unigram this
    /// segmenter reproduces (another model type, byte fallback, no unknown id).
    pub(crate) fn from_model_json(model: &serde_json::Value) -> Result<Option<Unigram>, EmbedError> {
        if model.get("type").and_then(|t| t.as_str()) != Some("Unigram")
            || model.get("byte_fallback").and_then(|b| b.as_bool()).unwrap_or(false)
        {
            return Ok(None);
        }
        let Some(unk_id) = model.get("unk_id").and_then(|u| u.as_u64()) else {
            return Ok(None);
        };
        let bad = |m: &str| EmbedError::Tokenizer(format!("tokenizer.json Unigram vocab: {m}"));
        let vocab = model.get("vocab").and_then(|v| v.as_array()).ok_or_else(|| bad("missing"))?;
        let mut ids = HashMap::with_capacity(vocab.len());
        let mut scores = Vec::with_capacity(vocab.len());
        let mut min_score = f64::INFINITY;
        let mut max_len = 0;
        for (id, entry) in vocab.iter().enumerate() {
            let piece =
                entry.get(0).and_then(|p| p.as_str()).ok_or_else(|| bad(&format!("entry {id} has no piece")))?;
            let score =
                entry.get(1).and_then(|s| s.as_f64()).ok_or_else(|| bad(&format!("entry {id} has no score")))?;
            // Like `tokenizers`: a repeated piece maps to its last id.
            ids.insert(piece.into(), id as u32);
            scores.push(score);
            min_score = min_score.min(score);
            max_len = max_len.max(piece.len());
        }
        if unk_id as usize >= scores.len() {
            return Err(bad(&format!("unk_id {unk_id} is outside the vocabulary ({})", scores.len())));
        }
        Ok(Some(Unigram { ids, scores, unk_id: unk_id as u32, unk_score: min_score - UNK_PENALTY, max_len }))
    }

    /// The id given to unknown characters.
    pub(crate) fn unk_id(&self) -> u32 {
        self.unk_id
    }

    /// The piece string of the unknown id.
    pub(crate) fn unk_piece(&self) -> &str {
        self.ids.iter().find(|(_, &id)| id == self.unk_id).map_or("<unk>", |(p, _)| p)
    }

    /// Bytes held (approximate).
    pub(crate) fn bytes(&self) -> usize {
        let keys: usize = self.ids.keys().map(|k| k.len() + 16 + 4 + 8).sum();
        keys + self.scores.len() * 8
    }

    /// Segments one normalised, pre-tokenised word into pieces with byte offsets.
    pub(crate) fn tokenize(&self, sentence: &str) -> Vec<Token> {
        #[derive(Clone, Copy)]
        struct Best {
            id: u32,
            score: f64,
            start: Option<usize>,
        }
        let size = sentence.len();
        if size == 0 {
            return Vec::new();
        }
        let mut best = vec![Best { id: 0, score: 0.0, start: None }; size + 1];
        let mut start = 0;
        while start < size {
            let here = best[start].score;
            let char_len = sentence[start..].chars().next().map_or(1, char::len_utf8);
            let mut single = false;
            let limit = (size - start).min(self.max_len);
            for len in 1..=limit {
                let end = start + len;
                if !sentence.is_char_boundary(end) {
                    continue;
                }
                let Some(&id) = self.ids.get(&sentence[start..end]) else { continue };
                let score = self.scores[id as usize] + here;
                let node = &mut best[end];
                if node.start.is_none() || score > node.score {
                    *node = Best { id, score, start: Some(start) };
                }
                single |= len == char_len;
            }
            if !single {
                let score = self.unk_score + here;
                let node = &mut best[start + char_len];
                if node.start.is_none() || score > node.score {
                    *node = Best { id: self.unk_id, score, start: Some(start) };
                }
            }
            start += char_len;
        }
        // Backtrack; consecutive unknowns fuse into one piece.
        let mut spans: Vec<(usize, usize, bool)> = Vec::new();
        let mut end = size;
        while end > 0 {
            let node = best[end];
            let start = node.start.expect("every character boundary is reached");
            let unk = node.id == self.unk_id;
            match spans.last_mut() {
                Some(last) if unk && last.2 => last.0 = start,
                _ => spans.push((start, end, unk)),
            }
            end = start;
        }
        spans
            .into_iter()
            .rev()
            .map(|(s, e, _)| {
                // Like `tokenizers`, the id is looked up again by piece: a fused unknown run
                // that happens to be a piece gets that piece's id.
                let piece = &sentence[s..e];
                let id = self.ids.get(piece).copied().unwrap_or(self.unk_id);
                Token::new(id, piece.to_string(), (s, e))
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(pieces: &[(&str, f64)]) -> Unigram {
        let vocab: Vec<serde_json::Value> = pieces.iter().map(|(p, s)| serde_json::json!([p, s])).collect();
        Unigram::from_model_json(&serde_json::json!({"type": "Unigram", "unk_id": 0, "vocab": vocab})).unwrap().unwrap()
    }

    fn pieces(u: &Unigram, s: &str) -> Vec<String> {
        u.tokenize(s).into_iter().map(|t| t.value).collect()
    }

    #[test]
    fn picks_the_best_scoring_segmentation() {
        let u = model(&[("<unk>", 0.0), ("▁ab", -1.0), ("c", -1.0), ("▁a", -1.0), ("bc", -0.5), ("▁", -3.0)]);
        assert_eq!(pieces(&u, "▁abc"), ["▁a", "bc"]);
        let offsets: Vec<(usize, usize)> = u.tokenize("▁abc").iter().map(|t| t.offsets).collect();
        assert_eq!(offsets, [(0, 4), (4, 6)]);
    }

    #[test]
    fn unknown_characters_fuse_into_one_unknown_piece() {
        let u = model(&[("<unk>", 0.0), ("▁a", -1.0), ("b", -1.0)]);
        let t = u.tokenize("▁aéèb");
        let got: Vec<(&str, u32)> = t.iter().map(|t| (t.value.as_str(), t.id)).collect();
        assert_eq!(got, [("▁a", 1), ("éè", 0), ("b", 2)]);
    }

    #[test]
    fn other_models_are_left_to_tokenizers() {
        let wp = serde_json::json!({"type": "WordPiece", "vocab": {}});
        assert!(Unigram::from_model_json(&wp).unwrap().is_none());
        let bf = serde_json::json!({"type": "Unigram", "unk_id": 0, "byte_fallback": true, "vocab": [["<unk>", 0.0]]});
        assert!(Unigram::from_model_json(&bf).unwrap().is_none());
        let bad = serde_json::json!({"type": "Unigram", "unk_id": 5, "vocab": [["<unk>", 0.0]]});
        assert!(Unigram::from_model_json(&bad).is_err());
    }
}
