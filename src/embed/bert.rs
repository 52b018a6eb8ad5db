//! Sentence embeddings with a BERT-family encoder run on the CPU by our own forward pass
//! ([`super::encoder`]; candle only reads the weights).

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use tokenizers::{Encoding, OffsetType, PostProcessor, PreTokenizer, Tokenizer, TruncationDirection};

use super::encoder::{BertConfig, Encoder, Parallel};
use super::error::EmbedError;
use super::manifest::{manifest_file, ModelManifest, Pooling};
use super::unigram::Unigram;
use super::{Embedder, TextRole};

const CONFIG_FILE: &str = "config.json";
const WEIGHTS_FILE: &str = "model.safetensors";
const TOKENIZER_FILE: &str = "tokenizer.json";
/// Longest input any of our models accepts; longer ones are truncated.
const MAX_TOKENS: usize = 512;
/// Padded tokens allowed per text of a batch before the batch is shrunk.
const TOKENS_PER_TEXT_BUDGET: usize = 64;

/// A sentence embedder: tokenizer + BERT encoder + mean pooling + L2 norm.
///
/// Thread-safe; one instance can serve concurrent requests.
pub struct BertEmbedder {
    encoder: Encoder,
    tokenizer: Tokenizer,
    /// Our segmenter when the tokenizer's model is a Unigram (then `tokenizer` has a stub model).
    unigram: Option<Unigram>,
    manifest: ModelManifest,
    /// Special tokens the post-processor adds (2 for `<s> … </s>` / `[CLS] … [SEP]`).
    added_tokens: usize,
    batch_size: usize,
    /// Whether a lone batch (a query) splits its products across the rayon pool.
    intra_op: bool,
    /// Queries being embedded now (decides whether one may split).
    in_flight: AtomicUsize,
}

/// Counts one query in flight for as long as it lives (also on error or panic).
struct InFlight<'a>(&'a AtomicUsize);

impl<'a> InFlight<'a> {
    fn enter(counter: &'a AtomicUsize) -> Self {
        counter.fetch_add(1, Ordering::SeqCst);
        InFlight(counter)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl std::fmt::Debug for BertEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BertEmbedder")
            .field("manifest", &self.manifest)
            .field("batch_size", &self.batch_size)
            .finish_non_exhaustive()
    }
}

impl BertEmbedder {
    /// Texts per forward pass; 8–32 measured within ±3% on a 2-core CPU, 64 7–12% slower
    /// (the activations of a bigger batch leave the L2 cache).
    pub const DEFAULT_BATCH_SIZE: usize = 16;

    /// Loads a model directory holding `config.json`, `model.safetensors` and
    /// `tokenizer.json`.
    ///
    /// With a `boussole-model.json` manifest (written by
    /// [`import_e5s1`](super::import_e5s1)) every listed file is checked
    /// against its recorded size and sha256. Without one — any Hugging Face
    /// BERT sentence-transformer directory — a manifest is derived: name from
    /// `_name_or_path` or the directory name, no prefixes, mean pooling.
    pub fn load(model_dir: &Path) -> Result<Self, EmbedError> {
        for name in [CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE] {
            require_file(&model_dir.join(name))?;
        }
        let config = read_config(&model_dir.join(CONFIG_FILE))?;
        let manifest = match ModelManifest::read(model_dir)? {
            Some(manifest) => {
                manifest.verify_files(model_dir)?;
                manifest
            }
            None => derive_manifest(model_dir, &config)?,
        };
        check_manifest(&manifest, &config)?;
        let (tokenizer, unigram) = load_tokenizer(&model_dir.join(TOKENIZER_FILE))?;
        let added_tokens = tokenizer.get_post_processor().map_or(0, |p| p.added_tokens(false));
        let encoder = Encoder::load(&model_dir.join(WEIGHTS_FILE), &config)?;
        tracing::debug!(
            weight_mb = encoder.weight_bytes() >> 20,
            segmenter_mb = unigram.as_ref().map_or(0, Unigram::bytes) >> 20,
            "model loaded"
        );
        Ok(BertEmbedder {
            encoder,
            tokenizer,
            unigram,
            manifest,
            added_tokens,
            batch_size: Self::DEFAULT_BATCH_SIZE,
            intra_op: true,
            in_flight: AtomicUsize::new(0),
        })
    }

    /// Whether one query's forward pass splits across the rayon pool (default) or runs on one
    /// thread (measured in docs/measurements.md: splitting halves latency at concurrency 1 and costs
    /// nothing at 16).
    pub fn with_intra_op(mut self, enabled: bool) -> Self {
        self.intra_op = enabled;
        self
    }

    /// Sets the number of texts per forward pass (at least 1).
    pub fn with_batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size.max(1);
        self
    }

    /// Like [`Embedder::embed`], calling `on_progress(n)` each time `n` more
    /// texts are done (e.g. `|n| bar.inc(n as u64)` for an indicatif bar).
    pub fn embed_with_progress(
        &self,
        texts: &[&str],
        role: TextRole,
        on_progress: &mut dyn FnMut(usize),
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        let encodings = self.tokenize(texts, role)?;
        // Batching texts of similar length wastes little compute on padding.
        let mut order: Vec<usize> = (0..encodings.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(encodings[i].len()));
        let mut batches = Vec::new();
        let mut rest = order.as_slice();
        while !rest.is_empty() {
            let take = self.batch_len(encodings[rest[0]].len()).min(rest.len());
            let (chunk, tail) = rest.split_at(take);
            batches.push(chunk);
            rest = tail;
        }
        // Enough batches to keep every thread busy: whole batches run side by side, one
        // serial forward each, in waves of a few per thread (fewer waits at wave ends). Fewer (a query, a handful of skills): each batch splits its
        // matrix products across the pool instead. Waves keep progress reports in order.
        let threads = rayon::current_num_threads().max(1);
        let side_by_side = batches.len() >= threads;
        let wave = if side_by_side { 4 * threads } else { 1 };
        let mut out = vec![Vec::new(); texts.len()];
        for group in batches.chunks(wave) {
            let run = |chunk: &&[usize], parallel| {
                let batch: Vec<&Encoding> = chunk.iter().map(|&i| &encodings[i]).collect();
                self.forward(&batch, parallel)
            };
            let results: Vec<Result<Vec<Vec<f32>>, EmbedError>> = if side_by_side {
                group.par_iter().map(|chunk| run(chunk, Parallel::Serial)).collect()
            } else {
                // `scope` moves the work onto the pool, where splitting it costs no hand-off
                // per product; under load the pool's two workers are busy and the "split"
                // parts simply run one after the other on the same thread.
                // Split only when no other query is in flight. Under load a split forward would
                // wait on rayon joins, and a waiting rayon worker steals other queued work —
                // whole forwards, nested in turn: p99 at 16 clients reached 2.9 s (measured).
                // Serial forwards never wait, so queued queries are served in order.
                let _guard = InFlight::enter(&self.in_flight);
                let alone = self.in_flight.load(Ordering::SeqCst) == 1;
                let parallel = if self.intra_op && alone { Parallel::Split } else { Parallel::Serial };
                group.iter().map(|chunk| rayon::scope(|_| run(chunk, parallel))).collect()
            };
            for (chunk, vectors) in group.iter().zip(results) {
                for (&i, v) in chunk.iter().zip(vectors?) {
                    out[i] = v;
                }
                on_progress(chunk.len());
            }
        }
        Ok(out)
    }

    /// Texts in a batch whose longest member has `width` tokens: `batch_size`,
    /// reduced for long texts so that attention scores (batch × heads × width²)
    /// stay small (~50 MB at 512 tokens) instead of reaching gigabytes.
    fn batch_len(&self, width: usize) -> usize {
        let budget = self.batch_size * TOKENS_PER_TEXT_BUDGET;
        self.batch_size.min(budget / width.max(1)).max(1)
    }

    /// Tokenises with the role prefix, truncating to the model's limit while
    /// keeping the closing special token.
    fn tokenize(&self, texts: &[&str], role: TextRole) -> Result<Vec<Encoding>, EmbedError> {
        let prefix = self.manifest.prefix(role);
        let limit = self.manifest.max_tokens.saturating_sub(self.added_tokens).max(1);
        let one = |text: &&str| {
            let mut enc = self.encode_content(&format!("{prefix}{text}"))?;
            if enc.len() > limit {
                enc.truncate(limit, 0, TruncationDirection::Right);
            }
            self.tokenizer.post_process(enc, None, true).map_err(|e| EmbedError::Tokenizer(e.to_string()))
        };
        // A query is not worth a hand-off to the pool.
        if texts.len() < 16 {
            texts.iter().map(one).collect()
        } else {
            texts.par_iter().map(one).collect()
        }
    }

    /// Tokens of `text` without special tokens and without truncation.
    fn encode_content(&self, text: &str) -> Result<Encoding, EmbedError> {
        let err = |e: tokenizers::Error| EmbedError::Tokenizer(e.to_string());
        let Some(unigram) = &self.unigram else {
            return self.tokenizer.encode(text, false).map_err(err);
        };
        // The steps of `Tokenizer::encode` around the model, with our segmenter as the model.
        let mut words =
            self.tokenizer.get_added_vocabulary().extract_and_normalize(self.tokenizer.get_normalizer(), text);
        if let Some(pre) = self.tokenizer.get_pre_tokenizer() {
            pre.pre_tokenize(&mut words).map_err(err)?;
        }
        words.tokenize(|word| Ok(unigram.tokenize(word.get()))).map_err(err)?;
        words.into_encoding(None, 0, OffsetType::Byte).map_err(err)
    }

    /// Token ids the model sees for `text` in `role`: prefix, special tokens, truncation.
    pub fn token_ids(&self, text: &str, role: TextRole) -> Result<Vec<u32>, EmbedError> {
        Ok(self.tokenize(&[text], role)?.remove(0).get_ids().to_vec())
    }

    /// Hidden states after the first `layers` layers of each token sequence (`[len × hidden]`
    /// blocks), batches side by side on the pool; what training caches below its layers.
    pub(crate) fn hidden_states(
        &self,
        seqs: &[Vec<u32>],
        layers: usize,
        on_progress: &(dyn Fn(usize) + Sync),
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        let mut order: Vec<usize> = (0..seqs.len()).collect();
        order.sort_by_key(|&i| seqs[i].len());
        let chunks: Vec<&[usize]> = order.chunks(self.batch_size).collect();
        let results: Vec<Result<Vec<Vec<f32>>, EmbedError>> = chunks
            .par_iter()
            .map(|chunk| {
                let batch: Vec<&[u32]> = chunk.iter().map(|&i| seqs[i].as_slice()).collect();
                let states = self.encoder.hidden_states(&batch, layers, Parallel::Serial);
                on_progress(chunk.len());
                states
            })
            .collect();
        let mut out = vec![Vec::new(); seqs.len()];
        for (chunk, states) in chunks.iter().zip(results) {
            for (&i, s) in chunk.iter().zip(states?) {
                out[i] = s;
            }
        }
        Ok(out)
    }

    /// Number of transformer layers of the encoder.
    pub(crate) fn layer_count(&self) -> usize {
        self.encoder.layer_count()
    }

    /// One packed forward pass; returns pooled (and normalised) vectors.
    fn forward(&self, batch: &[&Encoding], parallel: Parallel) -> Result<Vec<Vec<f32>>, EmbedError> {
        let ids: Vec<&[u32]> = batch.iter().map(|e| e.get_ids()).collect();
        let mut pooled = match self.manifest.pooling {
            Pooling::Mean => self.encoder.forward(&ids, parallel)?,
        };
        if self.manifest.normalize {
            pooled.iter_mut().for_each(|v| crate::vector::l2_normalize(v));
        }
        Ok(pooled)
    }
}

impl Embedder for BertEmbedder {
    fn manifest(&self) -> &ModelManifest {
        &self.manifest
    }

    fn dimension(&self) -> usize {
        self.manifest.dimension
    }

    fn embed(&self, texts: &[&str], role: TextRole) -> Result<Vec<Vec<f32>>, EmbedError> {
        self.embed_with_progress(texts, role, &mut |_| {})
    }

    /// Counts with the passage prefix (what the index embeds) and special
    /// tokens, before truncation, so callers can tell whether a text is cut.
    fn count_tokens(&self, text: &str) -> Result<usize, EmbedError> {
        let prefix = self.manifest.prefix(TextRole::Passage);
        Ok(self.encode_content(&format!("{prefix}{text}"))?.len() + self.added_tokens)
    }
}

fn require_file(path: &Path) -> Result<(), EmbedError> {
    if path.is_file() {
        return Ok(());
    }
    let hint = " (a model directory needs config.json, model.safetensors and tokenizer.json; \
                for the default model run the setup script / `boussole model import`)";
    Err(EmbedError::MissingFile { path: path.to_owned(), hint: hint.into() })
}

fn read_json(path: &Path) -> Result<serde_json::Value, EmbedError> {
    let text = std::fs::read_to_string(path).map_err(EmbedError::io("reading", path))?;
    serde_json::from_str(&text).map_err(|source| EmbedError::Json { path: path.to_owned(), source })
}

fn read_config(path: &Path) -> Result<BertConfig, EmbedError> {
    let value = read_json(path)?;
    // XLM-R/RoBERTa checkpoints offset position ids by the padding index; the
    // BERT graph would silently mis-embed them, so refuse instead.
    if let Some(kind) = value.get("model_type").and_then(|v| v.as_str()) {
        if kind != "bert" {
            return Err(EmbedError::Config(format!("model_type {kind:?} is not supported (BERT only)")));
        }
    }
    let config: BertConfig =
        serde_json::from_value(value).map_err(|source| EmbedError::Json { path: path.to_owned(), source })?;
    config.validate()?;
    Ok(config)
}

/// Loads `tokenizer.json`; a Unigram model is replaced by our compact [`Unigram`] (the
/// returned `Tokenizer` then carries a stub model holding only the added tokens).
fn load_tokenizer(path: &Path) -> Result<(Tokenizer, Option<Unigram>), EmbedError> {
    let failed = |e: String| EmbedError::Tokenizer(format!("loading {}: {e}", path.display()));
    let mut json = read_json(path)?;
    let unigram = match json.get("model") {
        Some(model) => Unigram::from_model_json(model)?,
        None => None,
    };
    if let Some(unigram) = &unigram {
        // A WordLevel model knowing only the added tokens gives them their ids, as the
        // Unigram vocabulary did, without building the Unigram's trie.
        let mut vocab = serde_json::Map::new();
        for token in json.get("added_tokens").and_then(|t| t.as_array()).into_iter().flatten() {
            if let (Some(content), Some(id)) = (token.get("content").and_then(|c| c.as_str()), token.get("id")) {
                vocab.insert(content.to_string(), id.clone());
            }
        }
        let unk = unigram.unk_piece().to_string();
        vocab.entry(unk.clone()).or_insert_with(|| serde_json::json!(unigram.unk_id()));
        json["model"] = serde_json::json!({"type": "WordLevel", "vocab": vocab, "unk_token": unk});
    }
    let mut tokenizer: Tokenizer = serde_json::from_value(json).map_err(|e| failed(e.to_string()))?;
    // We truncate and pad ourselves (per batch); settings baked into the file
    // (e.g. fixed-length padding) would only waste compute.
    tokenizer.with_padding(None);
    tokenizer.with_truncation(None).map_err(|e| EmbedError::Tokenizer(e.to_string()))?;
    Ok((tokenizer, unigram))
}

fn check_manifest(manifest: &ModelManifest, config: &BertConfig) -> Result<(), EmbedError> {
    if manifest.dimension != config.hidden_size {
        return Err(EmbedError::Config(format!(
            "manifest dimension {} differs from config hidden_size {}",
            manifest.dimension, config.hidden_size
        )));
    }
    if manifest.max_tokens == 0 || manifest.max_tokens > config.max_position_embeddings {
        return Err(EmbedError::Config(format!(
            "manifest max_tokens {} outside 1..={}",
            manifest.max_tokens, config.max_position_embeddings
        )));
    }
    Ok(())
}

/// Manifest for a plain Hugging Face directory (no `boussole-model.json`).
fn derive_manifest(dir: &Path, config: &BertConfig) -> Result<ModelManifest, EmbedError> {
    let raw = read_json(&dir.join(CONFIG_FILE))?;
    let name = raw
        .get("_name_or_path")
        .and_then(|v| v.as_str())
        .and_then(|s| s.rsplit('/').find(|part| !part.is_empty()))
        .map(str::to_owned)
        .unwrap_or_else(|| dir_name(dir));
    check_sentence_transformers_pooling(dir)?;
    let files = [CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE]
        .iter()
        .map(|file| manifest_file(dir, file))
        .collect::<Result<Vec<_>, _>>()?;
    // sentence-transformers truncates at `max_seq_length` (256 for all-MiniLM-L6-v2),
    // shorter than the position table; honour it to embed as the model was trained.
    let st_max = optional_json(&dir.join("sentence_bert_config.json"))?
        .and_then(|v| v.get("max_seq_length").and_then(|m| m.as_u64()))
        .map_or(usize::MAX, |m| m as usize);
    Ok(ModelManifest {
        name,
        source: format!("Hugging Face directory {}", dir.display()),
        dimension: config.hidden_size,
        max_tokens: config.max_position_embeddings.min(MAX_TOKENS).min(st_max).max(1),
        query_prefix: String::new(),
        passage_prefix: String::new(),
        pooling: Pooling::Mean,
        normalize: true,
        files,
    })
}

/// Refuses a sentence-transformer whose pooling module is not plain mean pooling.
fn check_sentence_transformers_pooling(dir: &Path) -> Result<(), EmbedError> {
    let Some(pooling) = optional_json(&dir.join("1_Pooling").join("config.json"))? else {
        return Ok(());
    };
    let flag = |key: &str| pooling.get(key).and_then(|v| v.as_bool()).unwrap_or(false);
    let others = ["pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_sqrt_len_tokens"];
    if !flag("pooling_mode_mean_tokens") || others.iter().any(|k| flag(k)) {
        return Err(EmbedError::Config(format!("{}: only mean pooling is supported", dir.join("1_Pooling").display())));
    }
    Ok(())
}

fn optional_json(path: &Path) -> Result<Option<serde_json::Value>, EmbedError> {
    if path.is_file() {
        read_json(path).map(Some)
    } else {
        Ok(None)
    }
}

fn dir_name(dir: &Path) -> String {
    let canonical = dir.canonicalize().unwrap_or_else(|_| PathBuf::from(dir));
    canonical.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "model".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::testutil::write_tiny_bert_dir;
    use crate::embed::{EmbedError, ModelManifest};

    fn tiny() -> (tempfile::TempDir, BertEmbedder) {
        let dir = tempfile::tempdir().expect("tempdir");
        let model = dir.path().join("tiny-model");
        write_tiny_bert_dir(&model, 1);
        let embedder = BertEmbedder::load(&model).expect("load tiny model");
        (dir, embedder)
    }

    fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
    }

    /// candle's stock f32 `BertModel` (padded batch, attention mask) is the reference: the
    /// packed int8 forward must give the same vectors up to weight rounding.
    #[test]
    fn packed_int8_forward_matches_candle_bert() {
        use candle_core::{DType, Device, Tensor};
        use candle_transformers::models::bert::{BertModel, Config};
        let (dir, e) = tiny();
        let model_dir = dir.path().join("tiny-model");
        let config: Config =
            serde_json::from_str(&std::fs::read_to_string(model_dir.join(CONFIG_FILE)).unwrap()).unwrap();
        let vb = unsafe {
            candle_nn::VarBuilder::from_mmaped_safetensors(&[model_dir.join(WEIGHTS_FILE)], DType::F32, &Device::Cpu)
                .unwrap()
        };
        let reference = BertModel::load(vb, &config).unwrap();
        let texts = ["cat", "the big red dog eats the small fish", "web developer", "a"];
        let ours = e.embed(&texts, TextRole::Passage).unwrap();
        let encodings = e.tokenize(&texts, TextRole::Passage).unwrap();
        let width = encodings.iter().map(|x| x.len()).max().unwrap();
        let (mut ids, mut mask) = (vec![0u32; texts.len() * width], vec![0u32; texts.len() * width]);
        for (r, enc) in encodings.iter().enumerate() {
            ids[r * width..][..enc.len()].copy_from_slice(enc.get_ids());
            mask[r * width..][..enc.len()].fill(1);
        }
        let ids = Tensor::from_vec(ids, (texts.len(), width), &Device::Cpu).unwrap();
        let mask = Tensor::from_vec(mask, (texts.len(), width), &Device::Cpu).unwrap();
        let hidden = reference.forward(&ids, &ids.zeros_like().unwrap(), Some(&mask)).unwrap();
        let m = mask.to_dtype(DType::F32).unwrap().unsqueeze(2).unwrap();
        let pooled = hidden.broadcast_mul(&m).unwrap().sum(1).unwrap().broadcast_div(&m.sum(1).unwrap()).unwrap();
        for (text, (a, b)) in texts.iter().zip(ours.iter().zip(pooled.to_vec2::<f32>().unwrap())) {
            let cos = a.iter().zip(&b).map(|(x, y)| x * y).sum::<f32>() / b.iter().map(|y| y * y).sum::<f32>().sqrt();
            assert!(cos > 0.9999, "{text:?}: cosine {cos}");
        }
    }

    #[test]
    fn embedder_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<BertEmbedder>();
    }

    #[test]
    fn derives_a_manifest_without_boussole_json() {
        let (_dir, e) = tiny();
        let m = e.manifest();
        assert_eq!(m.name, "tiny-bert");
        assert_eq!((m.dimension, m.max_tokens, e.dimension()), (32, 16, 32));
        assert_eq!((m.query_prefix.as_str(), m.passage_prefix.as_str()), ("", ""));
        assert_eq!(m.files.len(), 3);
        assert!(m.fingerprint().starts_with("tiny-bert@"));
    }

    #[test]
    fn vectors_have_the_dimension_and_unit_norm() {
        let (_dir, e) = tiny();
        let v = e.embed(&["the cat eats fish", "dog", ""], TextRole::Passage).expect("embed");
        assert_eq!(v.len(), 3);
        for x in &v {
            assert_eq!(x.len(), 32);
            let norm: f32 = x.iter().map(|a| a * a).sum::<f32>().sqrt();
            assert!((norm - 1.0).abs() < 1e-5, "norm {norm}");
        }
        assert!(max_abs_diff(&v[0], &v[1]) > 1e-3, "different texts, different vectors");
    }

    #[test]
    fn empty_input_gives_empty_output() {
        let (_dir, e) = tiny();
        assert!(e.embed(&[], TextRole::Query).expect("embed").is_empty());
    }

    #[test]
    fn embedding_is_deterministic() {
        let (_dir, e) = tiny();
        let texts = ["a big red house", "the dog runs fast"];
        assert_eq!(e.embed(&texts, TextRole::Query).unwrap(), e.embed(&texts, TextRole::Query).unwrap());
    }

    /// Padding must be invisible: this checks the attention mask and pooling.
    #[test]
    fn batch_results_match_single_results() {
        let (dir, e) = tiny();
        let texts = ["cat", "the big red dog eats the small fish and runs", "web developer", "baker bread"];
        let batch = e.embed(&texts, TextRole::Passage).expect("batch");
        for (text, from_batch) in texts.iter().zip(&batch) {
            let alone = e.embed(&[text], TextRole::Passage).expect("single");
            assert!(max_abs_diff(&alone[0], from_batch) < 1e-5, "{text}");
        }
        let one_by_one = BertEmbedder::load(&dir.path().join("tiny-model")).unwrap().with_batch_size(1);
        for (a, b) in one_by_one.embed(&texts, TextRole::Passage).unwrap().iter().zip(&batch) {
            assert!(max_abs_diff(a, b) < 1e-5);
        }
    }

    #[test]
    fn long_input_is_truncated_keeping_the_end_token() {
        let (_dir, e) = tiny();
        let words: Vec<&str> = ["the", "cat", "eats", "fish"].iter().copied().cycle().take(200).collect();
        let long = words.join(" ");
        assert_eq!(e.count_tokens(&long).unwrap(), 202);
        // 16 positions = <s> + 14 words + </s>.
        let head = words[..14].join(" ");
        let v = e.embed(&[&long, &head], TextRole::Passage).expect("long input");
        assert!(max_abs_diff(&v[0], &v[1]) < 1e-5);
    }

    #[test]
    fn long_texts_get_smaller_batches() {
        let (_dir, e) = tiny();
        let e = e.with_batch_size(32);
        assert_eq!((e.batch_len(10), e.batch_len(64), e.batch_len(512), e.batch_len(100_000)), (32, 32, 4, 1));
    }

    #[test]
    fn counts_tokens_with_special_tokens() {
        let (_dir, e) = tiny();
        assert_eq!(e.count_tokens("the cat").unwrap(), 4);
        assert_eq!(e.count_tokens("").unwrap(), 2);
    }

    #[test]
    fn progress_reports_every_text() {
        let (_dir, e) = tiny();
        let e = e.with_batch_size(2);
        let texts = ["a", "b c", "the dog", "fish", "red"];
        let mut done = Vec::new();
        let v = e.embed_with_progress(&texts, TextRole::Passage, &mut |n| done.push(n)).expect("embed");
        assert_eq!(v.len(), 5);
        assert_eq!(done, vec![2, 2, 1]);
    }

    #[test]
    fn manifest_checksums_are_verified() {
        let dir = tempfile::tempdir().expect("tempdir");
        write_tiny_bert_dir(dir.path(), 3);
        let mut manifest = BertEmbedder::load(dir.path()).expect("load").manifest().clone();
        manifest.query_prefix = "query: ".into();
        manifest.write(dir.path()).expect("write manifest");
        let loaded = BertEmbedder::load(dir.path()).expect("load with manifest");
        assert_eq!(loaded.manifest().query_prefix, "query: ");

        let tok = dir.path().join("tokenizer.json");
        let mut text = std::fs::read_to_string(&tok).unwrap();
        text = text.replacen("\"cat\"", "\"cot\"", 1);
        std::fs::write(&tok, text).unwrap();
        let err = BertEmbedder::load(dir.path()).unwrap_err();
        assert!(matches!(err, EmbedError::CorruptFile { .. }), "{err}");
        assert!(err.to_string().contains("tokenizer.json"), "{err}");

        std::fs::remove_file(&tok).unwrap();
        assert!(matches!(BertEmbedder::load(dir.path()), Err(EmbedError::MissingFile { .. })));
        assert!(ModelManifest::read(dir.path()).unwrap().is_some());
    }

    #[test]
    fn missing_directory_is_a_clear_error() {
        let err = BertEmbedder::load(Path::new("/nonexistent/model")).unwrap_err();
        assert!(matches!(err, EmbedError::MissingFile { .. }));
        assert!(err.to_string().contains("config.json"), "{err}");
    }

    #[test]
    fn honours_sentence_transformers_settings() {
        let dir = tempfile::tempdir().expect("tempdir");
        write_tiny_bert_dir(dir.path(), 5);
        std::fs::write(dir.path().join("sentence_bert_config.json"), r#"{"max_seq_length": 8}"#).unwrap();
        let pooling = dir.path().join("1_Pooling");
        std::fs::create_dir(&pooling).unwrap();
        let mean = r#"{"pooling_mode_mean_tokens": true, "pooling_mode_cls_token": false}"#;
        std::fs::write(pooling.join("config.json"), mean).unwrap();
        let e = BertEmbedder::load(dir.path()).expect("load");
        assert_eq!(e.manifest().max_tokens, 8);

        let cls = r#"{"pooling_mode_mean_tokens": false, "pooling_mode_cls_token": true}"#;
        std::fs::write(pooling.join("config.json"), cls).unwrap();
        assert!(matches!(BertEmbedder::load(dir.path()), Err(EmbedError::Config(_))));
    }

    #[test]
    fn rejects_non_bert_configs() {
        let dir = tempfile::tempdir().expect("tempdir");
        write_tiny_bert_dir(dir.path(), 4);
        let path = dir.path().join("config.json");
        let text = std::fs::read_to_string(&path).unwrap().replace("\"bert\"", "\"xlm-roberta\"");
        std::fs::write(&path, text).unwrap();
        assert!(matches!(BertEmbedder::load(dir.path()), Err(EmbedError::Config(_))));
    }
}
