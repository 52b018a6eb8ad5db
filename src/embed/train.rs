//! Contrastive tuning of a BERT encoder's top layers on (query, passage) text pairs, and the
//! artefact it writes (`boussole model tune` / `boussole model apply`).
//!
//! Why the top layers only: on 2 CPU cores a full backward pass over 118M weights is out of
//! reach, and 96M of them are the word-embedding table. The layers below the tuned ones are
//! frozen, so their outputs are computed once per distinct text by the int8 encoder the
//! service runs ([`BertEmbedder::hidden_states`]) and cached; each training step only runs the
//! tuned layers forward and backward, in candle, over those cached states.
//!
//! Loss: symmetric InfoNCE with in-batch negatives (every other pair's passage is a negative
//! of an anchor, and the other way round) at a low temperature, as E5 itself was trained.
//! A batch never holds two pairs of the same group (the caller's notion of "same
//! occupation") nor the same text twice, so no negative is secretly a positive.
//!
//! The artefact is only the tuned layers' tensors (f32) and a manifest
//! ([`TuneManifest`]) naming the base model's fingerprint; [`apply_tuned`] merges it into a full
//! model directory whose own manifest, hence fingerprint, differs from the base model's, so an
//! index built with one model is refused by the other.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Instant;

use candle_core::{Device, Tensor, Var, D};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::bert::BertEmbedder;
use super::encoder::{open_weights, BertConfig};
use super::error::EmbedError;
use super::manifest::{manifest_file, verify_file, ModelManifest};
use super::{Embedder, TextRole};
use crate::fsutil::FileEntry;

/// File of the tuned tensors inside an artefact directory.
pub const TUNED_WEIGHTS_FILE: &str = "tuned-layers.safetensors";
/// File of the artefact's manifest.
pub const TUNE_MANIFEST_FILE: &str = "boussole-tune.json";

/// One training example: `anchor` (embedded as a query) should land next to `positive`
/// (embedded as a passage).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TrainPair {
    /// The query-side text.
    pub anchor: String,
    /// The passage-side text.
    pub positive: String,
    /// A passage-side text that looks right but is not (the sibling métier that has the
    /// condition the anchor rules out): one more negative for this anchor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub negative: Option<String>,
    /// Pairs sharing a group never meet in one batch (e.g. the same occupation).
    pub group: u32,
}

/// Training settings; everything that, with the pairs and the base model, fixes the result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneConfig {
    /// Number of top transformer layers trained (the others are frozen).
    pub layers: usize,
    /// Optimiser steps.
    pub steps: usize,
    /// Pairs per step (each anchor meets batch − 1 in-batch negatives).
    pub batch: usize,
    /// Peak learning rate (linear warm-up over the first tenth, then linear decay to zero).
    pub lr: f64,
    /// AdamW weight decay.
    pub weight_decay: f64,
    /// Softmax temperature of the contrastive loss.
    pub temperature: f64,
    /// Seed of the pair order.
    pub seed: u64,
    /// Tokens kept per text (prefix and special tokens included).
    pub max_tokens: usize,
}

impl Default for TuneConfig {
    fn default() -> Self {
        TuneConfig {
            layers: 2,
            steps: 1000,
            batch: 64,
            lr: 5e-5,
            weight_decay: 0.01,
            temperature: 0.02,
            seed: 42,
            max_tokens: 32,
        }
    }
}

/// Identity of a tuned-layers artefact: what it was trained from and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneManifest {
    /// Artefact format version.
    pub format: u32,
    /// Name of the model the tuned layers belong to.
    pub base_name: String,
    /// Fingerprint of that model ([`ModelManifest::fingerprint`]); applying to another is refused.
    pub base_fingerprint: String,
    /// Name given to the merged model.
    pub tuned_name: String,
    /// The training settings.
    pub config: TuneConfig,
    /// Training pairs used.
    pub pairs: usize,
    /// sha256 of the pairs (see [`pairs_sha256`]).
    pub pairs_sha256: String,
    /// How the pairs were obtained (for humans; e.g. the mining options).
    pub data: String,
    /// The command that produced the artefact.
    pub command: String,
    /// Seconds spent caching the frozen layers' outputs.
    pub cache_secs: f64,
    /// Seconds spent in optimiser steps.
    pub train_secs: f64,
    /// Mean loss over the first and the last tenth of the steps.
    pub loss_first: f32,
    /// See `loss_first`.
    pub loss_last: f32,
    /// The tuned tensors' file, with its sha256 (the artefact's fingerprint).
    pub weights: FileEntry,
}

impl TuneManifest {
    /// Reads `boussole-tune.json` from an artefact directory.
    pub fn read(dir: &Path) -> Result<Self, EmbedError> {
        let path = dir.join(TUNE_MANIFEST_FILE);
        let text = std::fs::read_to_string(&path).map_err(EmbedError::io("reading", &path))?;
        serde_json::from_str(&text).map_err(|source| EmbedError::Json { path, source })
    }

    /// `<tuned_name>@<first 16 hex digits of the weights' sha256>`.
    pub fn fingerprint(&self) -> String {
        format!("{}@{}", self.tuned_name, &self.weights.sha256[..16.min(self.weights.sha256.len())])
    }
}

/// A stable hash of a pair list (order included): the manifest's record of the training data.
pub fn pairs_sha256(pairs: &[TrainPair]) -> String {
    let mut h = Sha256::new();
    for p in pairs {
        for part in [p.anchor.as_bytes(), p.positive.as_bytes()] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part);
        }
        // Pairs without a hard negative hash as they did before negatives existed.
        if let Some(negative) = &p.negative {
            h.update(b"negative");
            h.update((negative.len() as u64).to_le_bytes());
            h.update(negative.as_bytes());
        }
        h.update(p.group.to_le_bytes());
    }
    hex::encode(h.finalize())
}

/// Where training stands, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum TuneProgress {
    /// `done` of `total` distinct texts run through the frozen layers.
    Caching {
        /// Texts done.
        done: usize,
        /// Texts in all.
        total: usize,
    },
    /// Optimiser step `step` of `total` finished with this batch loss.
    Step {
        /// Steps done.
        step: usize,
        /// Steps in all.
        total: usize,
        /// The step's loss.
        loss: f32,
    },
}

/// What [`tune`] returns: the tuned tensors (Hugging Face names) and how training went.
pub struct TuneOutcome {
    /// Manifest of the base model that was tuned (checked when it was loaded).
    pub base: ModelManifest,
    /// Tuned tensors by name, f32.
    pub tensors: Vec<(String, Tensor)>,
    /// Loss of every step.
    pub losses: Vec<f32>,
    /// Seconds spent caching the frozen layers' outputs.
    pub cache_secs: f64,
    /// Seconds spent in optimiser steps.
    pub train_secs: f64,
}

impl TuneOutcome {
    /// Mean loss over the first (`last == false`) or last tenth of the steps.
    pub fn loss_tenth(&self, last: bool) -> f32 {
        let n = (self.losses.len() / 10).max(1).min(self.losses.len());
        let part = if last { &self.losses[self.losses.len() - n..] } else { &self.losses[..n] };
        part.iter().sum::<f32>() / n.max(1) as f32
    }
}

/// One tuned layer: its weights as trainable variables, by the tensor suffix of its
/// Hugging Face name.
struct TunedLayer {
    prefix: String,
    vars: Vec<(&'static str, Var)>,
}

/// Tensor suffixes of one BERT layer, in a fixed order.
const LAYER_TENSORS: [&str; 16] = [
    "attention.self.query.weight",
    "attention.self.query.bias",
    "attention.self.key.weight",
    "attention.self.key.bias",
    "attention.self.value.weight",
    "attention.self.value.bias",
    "attention.output.dense.weight",
    "attention.output.dense.bias",
    "attention.output.LayerNorm.weight",
    "attention.output.LayerNorm.bias",
    "intermediate.dense.weight",
    "intermediate.dense.bias",
    "output.dense.weight",
    "output.dense.bias",
    "output.LayerNorm.weight",
    "output.LayerNorm.bias",
];

impl TunedLayer {
    fn get(&self, suffix: &str) -> &Tensor {
        self.vars.iter().find(|(s, _)| *s == suffix).map(|(_, v)| v.as_tensor()).expect("every layer tensor is loaded")
    }
}

/// Shapes of the tuned layers' forward pass.
struct Shape {
    hidden: usize,
    heads: usize,
    eps: f64,
    activation: String,
}

impl Shape {
    fn of(bert: &BertConfig) -> Self {
        Shape {
            hidden: bert.hidden_size,
            heads: bert.num_attention_heads,
            eps: bert.layer_norm_eps,
            activation: bert.hidden_act.clone(),
        }
    }
}

/// Runs `x` (`[n·t, hidden]`, padded sequences of `t` tokens) through one layer in candle ops
/// (differentiable). `mask_add` is `[n, 1, 1, t]`: 0 for tokens, a large negative for padding.
fn layer_forward(
    layer: &TunedLayer,
    x: &Tensor,
    n: usize,
    t: usize,
    mask_add: &Tensor,
    s: &Shape,
) -> candle_core::Result<Tensor> {
    let linear = |x: &Tensor, name: &str| -> candle_core::Result<Tensor> {
        x.matmul(&layer.get(&format!("{name}.weight")).t()?)?.broadcast_add(layer.get(&format!("{name}.bias")))
    };
    let d = s.hidden / s.heads;
    let split =
        |x: Tensor| -> candle_core::Result<Tensor> { x.reshape((n, t, s.heads, d))?.transpose(1, 2)?.contiguous() };
    let q = split(linear(x, "attention.self.query")?)?;
    let k = split(linear(x, "attention.self.key")?)?;
    let v = split(linear(x, "attention.self.value")?)?;
    let scores = (q.matmul(&k.t()?)? / (d as f64).sqrt())?.broadcast_add(mask_add)?;
    let probs = candle_nn::ops::softmax(&scores, D::Minus1)?;
    let ctx = probs.matmul(&v)?.transpose(1, 2)?.contiguous()?.reshape((n * t, s.hidden))?;
    let attn = linear(&ctx, "attention.output.dense")?;
    let x = layer_norm(&(x + attn)?, layer, "attention.output.LayerNorm", s.eps)?;
    let up = linear(&x, "intermediate.dense")?;
    let up = match s.activation.as_str() {
        "gelu" => up.gelu_erf()?,
        "relu" => up.relu()?,
        _ => up.gelu()?,
    };
    let down = linear(&up, "output.dense")?;
    layer_norm(&(x + down)?, layer, "output.LayerNorm", s.eps)
}

fn layer_norm(x: &Tensor, layer: &TunedLayer, name: &str, eps: f64) -> candle_core::Result<Tensor> {
    let mean = x.mean_keepdim(D::Minus1)?;
    let centred = x.broadcast_sub(&mean)?;
    let var = centred.sqr()?.mean_keepdim(D::Minus1)?;
    let normed = centred.broadcast_div(&(var + eps)?.sqrt()?)?;
    normed.broadcast_mul(layer.get(&format!("{name}.weight")))?.broadcast_add(layer.get(&format!("{name}.bias")))
}

/// Token ids truncated to `max` tokens, keeping the closing special token.
fn truncate_ids(mut ids: Vec<u32>, max: usize) -> Vec<u32> {
    if ids.len() > max && max >= 2 {
        let last = ids[ids.len() - 1];
        ids.truncate(max - 1);
        ids.push(last);
    }
    ids
}

/// Orders pairs into batches of `batch` for `steps` steps: a seeded shuffle per epoch, and a
/// pair whose group or texts are already in the batch waits for the next one.
fn schedule(pairs: &[TrainPair], batch: usize, steps: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let mut out = Vec::with_capacity(steps);
    let mut waiting: Vec<usize> = Vec::new();
    let mut order: Vec<usize> = Vec::new();
    let mut epoch_pos = 0;
    while out.len() < steps && !pairs.is_empty() {
        let mut current = Vec::with_capacity(batch);
        let mut groups = HashSet::new();
        let mut texts: HashSet<&str> = HashSet::new();
        let mut deferred = Vec::new();
        let mut fits = |i: usize, current: &mut Vec<usize>| {
            let p = &pairs[i];
            let negative = p.negative.as_deref();
            if groups.contains(&p.group)
                || texts.contains(p.anchor.as_str())
                || texts.contains(p.positive.as_str())
                || negative.is_some_and(|n| texts.contains(n))
            {
                return false;
            }
            groups.insert(p.group);
            texts.insert(&p.anchor);
            texts.insert(&p.positive);
            texts.extend(negative);
            current.push(i);
            true
        };
        for i in std::mem::take(&mut waiting) {
            if current.len() == batch || !fits(i, &mut current) {
                deferred.push(i);
            }
        }
        let mut scanned = 0;
        while current.len() < batch && scanned < pairs.len() {
            if epoch_pos == order.len() {
                order = (0..pairs.len()).collect();
                order.shuffle(&mut rng);
                epoch_pos = 0;
            }
            let i = order[epoch_pos];
            epoch_pos += 1;
            scanned += 1;
            if !fits(i, &mut current) {
                deferred.push(i);
            }
        }
        waiting = deferred;
        if current.len() < 2 {
            break;
        }
        out.push(current);
    }
    out
}

/// Trains the top `config.layers` layers of the model in `model_dir` on `pairs`.
pub fn tune(
    model_dir: &Path,
    pairs: &[TrainPair],
    config: &TuneConfig,
    on_progress: &(dyn Fn(TuneProgress) + Sync),
) -> Result<TuneOutcome, EmbedError> {
    let bad = |m: String| Err(EmbedError::Config(m));
    if pairs.len() < 2 {
        return bad(format!("{} training pairs: at least 2 are needed", pairs.len()));
    }
    if config.batch < 2 || config.steps == 0 || config.layers == 0 || config.temperature <= 0.0 {
        return bad("tune: batch ≥ 2, steps ≥ 1, layers ≥ 1 and temperature > 0 are required".into());
    }
    let embedder = BertEmbedder::load(model_dir)?;
    let bert: BertConfig = read_json(&model_dir.join("config.json"))?;
    let total_layers = embedder.layer_count();
    if config.layers > total_layers {
        return bad(format!("tune: {} layers asked, the model has {total_layers}", config.layers));
    }
    let frozen = total_layers - config.layers;
    let batches = schedule(pairs, config.batch, config.steps, config.seed);
    if batches.is_empty() {
        return bad("tune: no batch of two pairs from different groups could be formed".into());
    }

    // Distinct token sequences of the texts the schedule uses, each run once through the
    // frozen layers.
    let started = Instant::now();
    let mut seq_ids: HashMap<Vec<u32>, usize> = HashMap::new();
    let mut seqs: Vec<Vec<u32>> = Vec::new();
    let mut pair_seqs: HashMap<usize, (usize, usize, Option<usize>)> = HashMap::new();
    for &i in batches.iter().flatten() {
        if pair_seqs.contains_key(&i) {
            continue;
        }
        let mut id_of = |text: &str, role| -> Result<usize, EmbedError> {
            let ids = truncate_ids(embedder.token_ids(text, role)?, config.max_tokens);
            let next = seqs.len();
            let id = *seq_ids.entry(ids.clone()).or_insert(next);
            if id == next {
                seqs.push(ids);
            }
            Ok(id)
        };
        let a = id_of(&pairs[i].anchor, TextRole::Query)?;
        let p = id_of(&pairs[i].positive, TextRole::Passage)?;
        let n = pairs[i].negative.as_deref().map(|n| id_of(n, TextRole::Passage)).transpose()?;
        pair_seqs.insert(i, (a, p, n));
    }
    let done = std::sync::atomic::AtomicUsize::new(0);
    let total = seqs.len();
    let states = embedder.hidden_states(&seqs, frozen, &|n| {
        let d = done.fetch_add(n, std::sync::atomic::Ordering::Relaxed) + n;
        on_progress(TuneProgress::Caching { done: d, total });
    })?;
    let base = embedder.manifest().clone();
    drop(embedder);
    let cache_secs = started.elapsed().as_secs_f64();

    // The tuned layers as variables, from the f32 weights.
    let layers = load_layers(&model_dir.join("model.safetensors"), &bert, frozen..total_layers)?;
    let shape = Shape::of(&bert);
    let all_vars: Vec<Var> = layers.iter().flat_map(|l| l.vars.iter().map(|(_, v)| v.clone())).collect();
    let mut opt = AdamW::new(
        all_vars,
        ParamsAdamW { lr: config.lr, weight_decay: config.weight_decay, ..ParamsAdamW::default() },
    )?;

    let started = Instant::now();
    let steps = batches.len();
    let warmup = (steps / 10).max(1);
    let mut losses = Vec::with_capacity(steps);
    for (step, batch) in batches.iter().enumerate() {
        let lr = if step < warmup {
            config.lr * (step + 1) as f64 / warmup as f64
        } else {
            config.lr * (steps - step) as f64 / (steps - warmup).max(1) as f64
        };
        opt.set_learning_rate(lr);
        // Anchors and positives padded apart: titles are short, sentences long.
        let anchor_seqs: Vec<usize> = batch.iter().map(|i| pair_seqs[i].0).collect();
        let positive_seqs: Vec<usize> = batch.iter().map(|i| pair_seqs[i].1).collect();
        let negative_seqs: Vec<usize> = batch.iter().filter_map(|i| pair_seqs[i].2).collect();
        let anchors = embed_cached(&layers, &states, &anchor_seqs, &shape)?;
        let positives = embed_cached(&layers, &states, &positive_seqs, &shape)?;
        let b = batch.len();
        let logits = (anchors.matmul(&positives.t()?)? / config.temperature)?;
        let labels = Tensor::arange(0u32, b as u32, &Device::Cpu)?;
        // Every anchor also meets the batch's hard negatives; passages → anchors stays square.
        let anchor_logits = if negative_seqs.is_empty() {
            logits.clone()
        } else {
            let negatives = embed_cached(&layers, &states, &negative_seqs, &shape)?;
            Tensor::cat(&[&logits, &(anchors.matmul(&negatives.t()?)? / config.temperature)?], 1)?
        };
        let loss = ((candle_nn::loss::cross_entropy(&anchor_logits, &labels)?
            + candle_nn::loss::cross_entropy(&logits.t()?, &labels)?)?
            / 2.0)?;
        opt.backward_step(&loss)?;
        let value = loss.to_scalar::<f32>()?;
        losses.push(value);
        on_progress(TuneProgress::Step { step: step + 1, total: steps, loss: value });
    }
    let train_secs = started.elapsed().as_secs_f64();
    let tensors = layers
        .iter()
        .flat_map(|l| l.vars.iter().map(move |(s, v)| (format!("{}.{s}", l.prefix), v.as_tensor().detach())))
        .collect();
    Ok(TuneOutcome { base, tensors, losses, cache_secs, train_secs })
}

/// Layers `range` of the checkpoint `weights` as trainable variables.
fn load_layers(
    weights: &Path,
    bert: &BertConfig,
    range: std::ops::Range<usize>,
) -> Result<Vec<TunedLayer>, EmbedError> {
    let (vb, name_prefix) = open_weights(weights, bert)?;
    let (h, ff) = (bert.hidden_size, bert.intermediate_size);
    let mut layers = Vec::new();
    for l in range {
        let prefix = format!("encoder.layer.{l}");
        let lvb = vb.pp(&prefix);
        let mut vars = Vec::new();
        for suffix in LAYER_TENSORS {
            let shape: Vec<usize> = match suffix {
                "intermediate.dense.weight" => vec![ff, h],
                "intermediate.dense.bias" => vec![ff],
                "output.dense.weight" => vec![h, ff],
                s if s.ends_with("LayerNorm.weight") || s.ends_with("bias") => vec![h],
                _ => vec![h, h],
            };
            // A fresh copy: a variable must not share storage with the mapped file's tensor.
            let t = lvb.get(shape, suffix)?.copy()?;
            vars.push((suffix, Var::from_tensor(&t)?));
        }
        layers.push(TunedLayer { prefix: format!("{name_prefix}{prefix}"), vars });
    }
    Ok(layers)
}

/// Pooled, L2-normalised vectors of the cached sequences `order` after the tuned layers.
fn embed_cached(layers: &[TunedLayer], states: &[Vec<f32>], order: &[usize], s: &Shape) -> candle_core::Result<Tensor> {
    let h = s.hidden;
    let n = order.len();
    let t = order.iter().map(|&i| states[i].len() / h).max().unwrap_or(1).max(1);
    let mut x = vec![0f32; n * t * h];
    let mut mask = vec![0f32; n * t];
    for (row, &i) in order.iter().enumerate() {
        let len = states[i].len() / h;
        x[row * t * h..][..len * h].copy_from_slice(&states[i]);
        mask[row * t..][..len].iter_mut().for_each(|m| *m = 1.0);
    }
    let device = Device::Cpu;
    let mut x = Tensor::from_vec(x, (n * t, h), &device)?;
    let mask = Tensor::from_vec(mask, (n, t), &device)?;
    // Padding gets −1e4 before the softmax: exp underflows to exactly 0 in f32.
    let mask_add = ((mask.clone() - 1.0)? * 1e4)?.reshape((n, 1, 1, t))?;
    for layer in layers {
        x = layer_forward(layer, &x, n, t, &mask_add, s)?;
    }
    let x = x.reshape((n, t, h))?;
    let summed = x.broadcast_mul(&mask.unsqueeze(2)?)?.sum(1)?;
    let pooled = summed.broadcast_div(&mask.sum_keepdim(1)?)?;
    let norm = pooled.sqr()?.sum_keepdim(1)?.sqrt()?;
    pooled.broadcast_div(&norm)
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, EmbedError> {
    let text = std::fs::read_to_string(path).map_err(EmbedError::io("reading", path))?;
    serde_json::from_str(&text).map_err(|source| EmbedError::Json { path: path.to_owned(), source })
}

/// What to record in an artefact besides the tensors.
pub struct ArtefactInfo<'a> {
    /// Name of the merged model.
    pub tuned_name: &'a str,
    /// The training settings.
    pub config: &'a TuneConfig,
    /// The training pairs.
    pub pairs: &'a [TrainPair],
    /// How the pairs were obtained.
    pub data: &'a str,
    /// The command line.
    pub command: &'a str,
}

/// Writes the tuned tensors and their manifest into `out_dir` (staged, then renamed into place).
pub fn write_artefact(
    out_dir: &Path,
    outcome: &TuneOutcome,
    info: &ArtefactInfo<'_>,
) -> Result<TuneManifest, EmbedError> {
    let staging = super::import::StagingDir::create(out_dir)?;
    let path = staging.path().join(TUNED_WEIGHTS_FILE);
    // safetensors orders tensors by name itself: the file is the same whatever the map order.
    let map: HashMap<String, Tensor> = outcome.tensors.iter().cloned().collect();
    candle_core::safetensors::save(&map, &path)?;
    let manifest = TuneManifest {
        format: 1,
        base_name: outcome.base.name.clone(),
        base_fingerprint: outcome.base.fingerprint(),
        tuned_name: info.tuned_name.to_owned(),
        config: info.config.clone(),
        pairs: info.pairs.len(),
        pairs_sha256: pairs_sha256(info.pairs),
        data: info.data.to_owned(),
        command: info.command.to_owned(),
        cache_secs: round2(outcome.cache_secs),
        train_secs: round2(outcome.train_secs),
        loss_first: outcome.loss_tenth(false),
        loss_last: outcome.loss_tenth(true),
        weights: manifest_file(staging.path(), TUNED_WEIGHTS_FILE)?,
    };
    let mpath = staging.path().join(TUNE_MANIFEST_FILE);
    let json =
        serde_json::to_string_pretty(&manifest).map_err(|source| EmbedError::Json { path: mpath.clone(), source })?;
    std::fs::write(&mpath, json + "\n").map_err(EmbedError::io("writing", &mpath))?;
    staging.commit()?;
    Ok(manifest)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Merges the artefact in `tuned_dir` into the base model in `base_dir`, writing a complete
/// model directory at `out_dir` (staged, renamed into place). Refuses an artefact trained
/// from another model, a corrupt artefact, or tensors whose names or shapes do not fit.
pub fn apply_tuned(base_dir: &Path, tuned_dir: &Path, out_dir: &Path) -> Result<ModelManifest, EmbedError> {
    let base = ModelManifest::read(base_dir)?.ok_or_else(|| EmbedError::MissingFile {
        path: base_dir.join(super::MANIFEST_FILE),
        hint: " (import the base model first: scripts/setup.sh)".into(),
    })?;
    base.verify_files(base_dir)?;
    let tune = TuneManifest::read(tuned_dir)?;
    if tune.base_fingerprint != base.fingerprint() {
        return Err(EmbedError::Config(format!(
            "{} was tuned from {}, but {} holds {}",
            tuned_dir.display(),
            tune.base_fingerprint,
            base_dir.display(),
            base.fingerprint()
        )));
    }
    verify_file(tuned_dir, &tune.weights, TUNE_MANIFEST_FILE)?;
    let tuned = candle_core::safetensors::load(tuned_dir.join(TUNED_WEIGHTS_FILE), &Device::Cpu)?;
    let mut merged = candle_core::safetensors::load(base_dir.join("model.safetensors"), &Device::Cpu)?;
    for (name, tensor) in &tuned {
        let Some(old) = merged.get(name) else {
            return Err(EmbedError::Config(format!("tuned tensor {name} is not in the base model")));
        };
        if old.dims() != tensor.dims() {
            return Err(EmbedError::Config(format!(
                "tuned tensor {name}: shape {:?}, base {:?}",
                tensor.dims(),
                old.dims()
            )));
        }
        merged.insert(name.clone(), tensor.to_dtype(old.dtype())?);
    }
    let staging = super::import::StagingDir::create(out_dir)?;
    candle_core::safetensors::save(&merged, staging.path().join("model.safetensors"))?;
    for name in ["config.json", "tokenizer.json"] {
        let to = staging.path().join(name);
        std::fs::copy(base_dir.join(name), &to).map_err(EmbedError::io("copying", &to))?;
    }
    let tuned_link = staging.path().join(TUNE_MANIFEST_FILE);
    std::fs::copy(tuned_dir.join(TUNE_MANIFEST_FILE), &tuned_link).map_err(EmbedError::io("copying", &tuned_link))?;
    let files = ["config.json", "model.safetensors", "tokenizer.json", TUNE_MANIFEST_FILE]
        .iter()
        .map(|name| manifest_file(staging.path(), name))
        .collect::<Result<Vec<_>, _>>()?;
    let manifest = ModelManifest {
        name: tune.tuned_name.clone(),
        source: format!("{} with layers tuned by boussole ({})", base.source, tune.fingerprint()),
        files,
        ..base
    };
    manifest.write(staging.path())?;
    staging.commit()?;
    Ok(manifest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::testutil::write_tiny_bert_dir;

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        let dot: f32 = a.iter().zip(b).map(|(x, y)| x * y).sum();
        dot / (a.iter().map(|x| x * x).sum::<f32>().sqrt() * b.iter().map(|y| y * y).sum::<f32>().sqrt())
    }

    /// A tiny base model with a manifest (as `apply_tuned` requires).
    fn tiny_base(dir: &Path, seed: u64) -> BertEmbedder {
        write_tiny_bert_dir(dir, seed);
        let e = BertEmbedder::load(dir).expect("load");
        e.manifest().write(dir).expect("manifest");
        BertEmbedder::load(dir).expect("reload with manifest")
    }

    fn pairs() -> Vec<TrainPair> {
        let words = ["cat", "dog", "fish", "bread", "baker", "house", "web", "developer", "animals", "red"];
        (0..words.len())
            .map(|i| TrainPair {
                anchor: format!("the {} works", words[i]),
                positive: words[(i + 3) % words.len()].to_string(),
                negative: (i % 3 == 0).then(|| format!("{} {}", words[(i + 5) % words.len()], words[i])),
                group: i as u32,
            })
            .collect()
    }

    /// The candle forward that training differentiates must compute what the service's int8
    /// encoder computes: run from the embeddings' output through every layer, it gives the
    /// same vectors.
    #[test]
    fn training_forward_matches_the_encoder() {
        let dir = tempfile::tempdir().unwrap();
        let e = tiny_base(dir.path(), 7);
        let bert: BertConfig = read_json(&dir.path().join("config.json")).unwrap();
        let texts = ["the big red dog eats the small fish", "cat", "web developer"];
        let seqs: Vec<Vec<u32>> = texts.iter().map(|t| e.token_ids(t, TextRole::Passage).unwrap()).collect();
        let states = e.hidden_states(&seqs, 0, &|_| {}).unwrap();
        let layers = load_layers(&dir.path().join("model.safetensors"), &bert, 0..e.layer_count()).unwrap();
        let ours = embed_cached(&layers, &states, &[0, 1, 2], &Shape::of(&bert)).unwrap().to_vec2::<f32>().unwrap();
        let reference = e.embed(&texts, TextRole::Passage).unwrap();
        for (text, (a, b)) in texts.iter().zip(ours.iter().zip(&reference)) {
            let cos = cosine(a, b);
            assert!(cos > 0.999, "{text:?}: cosine {cos}");
        }
    }

    #[test]
    fn batches_never_hold_a_group_or_a_text_twice() {
        let mut p = pairs();
        p.push(TrainPair { anchor: "a cat".into(), positive: "dog".into(), negative: None, group: 0 });
        p.push(TrainPair { anchor: "the cat works".into(), positive: "a".into(), negative: None, group: 99 });
        let batches = schedule(&p, 4, 20, 1);
        assert_eq!(batches.len(), 20);
        for b in &batches {
            let groups: HashSet<u32> = b.iter().map(|&i| p[i].group).collect();
            assert_eq!(groups.len(), b.len(), "{b:?}");
            let texts: HashSet<&str> = b.iter().flat_map(|&i| [p[i].anchor.as_str(), p[i].positive.as_str()]).collect();
            assert_eq!(texts.len(), 2 * b.len(), "{b:?}");
        }
        assert_eq!(schedule(&p, 4, 20, 1), batches, "seeded");
        assert_ne!(schedule(&p, 4, 20, 2), batches);
    }

    /// End to end on a tiny model: the loss falls, the artefact holds only the tuned layers,
    /// the merged model gives new vectors under a new fingerprint, and an artefact is refused
    /// by a base model it was not trained from.
    #[test]
    fn tuning_lowers_the_loss_and_the_merged_model_differs() {
        let dir = tempfile::tempdir().unwrap();
        let base_dir = dir.path().join("base");
        let base = tiny_base(&base_dir, 11);
        let config = TuneConfig { layers: 1, steps: 40, batch: 5, lr: 3e-3, temperature: 0.1, ..TuneConfig::default() };
        let p = pairs();
        let outcome = tune(&base_dir, &p, &config, &|_| {}).unwrap();
        assert_eq!(outcome.losses.len(), 40);
        assert!(outcome.loss_tenth(true) < 0.7 * outcome.loss_tenth(false), "{:?}", outcome.losses);
        assert_eq!(outcome.tensors.len(), LAYER_TENSORS.len());
        assert!(outcome
            .tensors
            .iter()
            .all(|(n, _)| n.starts_with("bert.encoder.layer.1.") || n.starts_with("encoder.layer.1.")));

        let again = tune(&base_dir, &p, &config, &|_| {}).unwrap();
        for ((n1, t1), (n2, t2)) in outcome.tensors.iter().zip(&again.tensors) {
            assert_eq!(n1, n2);
            let same = t1.eq(t2).unwrap().flatten_all().unwrap().min(0).unwrap().to_scalar::<u8>().unwrap();
            assert_eq!(same, 1, "{n1} differs between two runs with one seed");
        }

        let art = dir.path().join("artefact");
        let info = ArtefactInfo { tuned_name: "tiny-tuned", config: &config, pairs: &p, data: "test", command: "test" };
        let written = write_artefact(&art, &outcome, &info).unwrap();
        assert_eq!(TuneManifest::read(&art).unwrap(), written);
        assert_eq!(written.pairs_sha256, pairs_sha256(&p));

        let merged_dir = dir.path().join("merged");
        let merged = apply_tuned(&base_dir, &art, &merged_dir).unwrap();
        assert_eq!(merged.name, "tiny-tuned");
        assert_ne!(merged.fingerprint(), base.manifest().fingerprint());
        let tuned = BertEmbedder::load(&merged_dir).unwrap();
        let texts = ["the cat works", "dog"];
        let before = base.embed(&texts, TextRole::Query).unwrap();
        let after = tuned.embed(&texts, TextRole::Query).unwrap();
        assert!(cosine(&before[0], &after[0]) < 0.999, "tuning changed the vectors");

        let other_dir = dir.path().join("other");
        tiny_base(&other_dir, 12);
        let err = apply_tuned(&other_dir, &art, &dir.path().join("x")).unwrap_err().to_string();
        assert!(err.contains("was tuned from"), "{err}");
        assert!(!dir.path().join("x").exists());
    }
}
