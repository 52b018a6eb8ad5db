//! Int8 matrices times f32 rows (f32 accumulation): the encoder's weights and the
//! exhaustive passage scan.
//!
//! Why: a one-query forward multiplies ~10 token rows by every weight matrix once, so it
//! is bound by how many weight bytes stream from memory, not by arithmetic. Measured on a
//! 2-core Xeon (`examples/`-style probe, 10 × 384 × 1536): f32 weights reach 4.5 GB/s from
//! memory, i.e. ~19 ms for BERT-small's 85 MB per query, however good the kernel. Int8
//! weights are 4× fewer bytes (21 MB).
//!
//! Quantisation is per output column (symmetric, scale = max |w| / 127), done at load, so
//! any BERT checkpoint works. Activations stay f32: the only error is the weights' rounding
//! (measured: cosine ≥ 0.9999 to the f32 forward, see `tests/embed.rs`).
//!
//! Layout: columns are grouped in panels of [`PANEL`]; a panel stores its `k × PANEL`
//! weights contiguously, so a product streams each panel once, in order. Kernels: AVX-512
//! and AVX2+FMA chosen at run time (the binary stays portable, no `target-cpu` flag), and a
//! plain loop elsewhere; all three are tested against each other.

/// Output columns per weight panel (one AVX-512 register of f32).
pub(crate) const PANEL: usize = 16;

/// A `k × n` weight matrix (inputs × outputs) quantised to int8 per output column.
pub(crate) struct QuantMatrix {
    /// Panel-major: panel `p` holds rows `0..k` of columns `p·PANEL..(p+1)·PANEL`.
    data: Vec<i8>,
    /// Per-column scale, padded to whole panels (0 for padding columns).
    scales: Vec<f32>,
    k: usize,
    n: usize,
}

/// Which kernel the CPU runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kernel {
    /// 16-lane AVX-512F.
    #[cfg(target_arch = "x86_64")]
    Avx512,
    /// 8-lane AVX2 with FMA.
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// Portable loop.
    Scalar,
}

impl Kernel {
    /// The best kernel this CPU supports.
    pub(crate) fn detect() -> Self {
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                return Kernel::Avx512;
            }
            if super::has_avx2_fma() {
                return Kernel::Avx2;
            }
        }
        Kernel::Scalar
    }

    /// Every kernel this CPU can run (for tests).
    #[cfg(test)]
    pub(crate) fn available() -> Vec<Self> {
        let mut all = vec![Kernel::Scalar];
        #[cfg(target_arch = "x86_64")]
        {
            if super::has_avx2_fma() {
                all.push(Kernel::Avx2);
            }
            if std::arch::is_x86_feature_detected!("avx512f") {
                all.push(Kernel::Avx512);
            }
        }
        all
    }
}

impl QuantMatrix {
    /// Quantises `w`, given row-major as `[n outputs, k inputs]` (the PyTorch `Linear` layout).
    pub(crate) fn from_out_in(w: &[f32], n: usize, k: usize) -> Self {
        assert_eq!(w.len(), n * k, "weight size");
        let panels = n.div_ceil(PANEL);
        let mut data = vec![0i8; panels * PANEL * k];
        let mut scales = vec![0f32; panels * PANEL];
        for (o, row) in w.chunks_exact(k).enumerate() {
            let max = row.iter().fold(0f32, |m, v| m.max(v.abs()));
            if max == 0.0 || !max.is_finite() {
                continue;
            }
            let scale = max / 127.0;
            scales[o] = scale;
            let (p, lane) = (o / PANEL, o % PANEL);
            let panel = &mut data[p * PANEL * k..][..PANEL * k];
            for (kk, v) in row.iter().enumerate() {
                panel[kk * PANEL + lane] = (v / scale).round().clamp(-127.0, 127.0) as i8;
            }
        }
        QuantMatrix { data, scales, k, n }
    }

    /// Outputs per row.
    pub(crate) fn n(&self) -> usize {
        self.n
    }

    /// `Σ_kk x[kk] · w[kk][o]` for one output column (the scan's single-row lookup).
    pub(crate) fn column_dot(&self, x: &[f32], o: usize) -> f32 {
        let (p, lane) = (o / PANEL, o % PANEL);
        let panel = &self.data[p * PANEL * self.k..][..PANEL * self.k];
        let sum: f32 = x.iter().enumerate().map(|(kk, v)| v * panel[kk * PANEL + lane] as f32).sum();
        sum * self.scales[o]
    }

    /// `x · W` for one row `x` of length `k`: all `n` outputs.
    pub(crate) fn row_times(&self, x: &[f32]) -> Vec<f32> {
        let mut out = vec![0f32; self.scales.len()];
        // SAFETY: `out` holds n (padded) floats for one row; the kernel comes from `detect`.
        unsafe { self.accumulate(Kernel::detect(), x, 1, out.as_mut_ptr(), 0..self.panels()) };
        out.truncate(self.n);
        out
    }

    /// Bytes held.
    pub(crate) fn bytes(&self) -> usize {
        self.data.len() + self.scales.len() * 4
    }

    /// The de-quantised weight of input `kk`, output `o` (for tests).
    #[cfg(test)]
    pub(crate) fn get(&self, kk: usize, o: usize) -> f32 {
        let (p, lane) = (o / PANEL, o % PANEL);
        self.data[p * PANEL * self.k + kk * PANEL + lane] as f32 * self.scales[o]
    }

    /// Number of panels.
    pub(crate) fn panels(&self) -> usize {
        self.scales.len() / PANEL
    }

    /// `out[r][c] += Σ_kk x[r][kk] · w[kk][c]` for `rows` rows and the columns of panels
    /// `panels` (`x` is `[rows, k]`, `out` is `[rows, n]`, both row-major).
    ///
    /// # Safety
    /// `out` must be valid for writes of `rows × n` floats, and no other thread may write
    /// the columns of `panels` meanwhile; `kernel` must be supported by the CPU.
    pub(crate) unsafe fn accumulate(
        &self,
        kernel: Kernel,
        x: &[f32],
        rows: usize,
        out: *mut f32,
        panels: std::ops::Range<usize>,
    ) {
        assert!(x.len() >= rows * self.k && panels.end <= self.panels());
        #[cfg(target_arch = "x86_64")]
        let max_tile = if kernel == Kernel::Avx512 { 2 * TILE } else { TILE };
        #[cfg(not(target_arch = "x86_64"))]
        let max_tile = TILE;
        // Each tile of rows is transposed to [k][tile] once and shared by every panel: the
        // kernels then broadcast consecutive floats, one pointer step per input.
        let mut xt = vec![0f32; self.k * max_tile.min(rows)];
        let mut r0 = 0;
        while r0 < rows {
            let tile = (rows - r0).min(max_tile);
            let rows_x = &x[r0 * self.k..(r0 + tile) * self.k];
            for (kk, column) in xt.chunks_exact_mut(tile).take(self.k).enumerate() {
                for (r, v) in column.iter_mut().enumerate() {
                    *v = rows_x[r * self.k + kk];
                }
            }
            let t = Tile { xt: xt.as_ptr(), stride: tile, rows: tile };
            let out = out.add(r0 * self.n);
            for p in panels.clone() {
                match kernel {
                    #[cfg(target_arch = "x86_64")]
                    Kernel::Avx512 => x86::panel_avx512(self, t, out, p),
                    #[cfg(target_arch = "x86_64")]
                    Kernel::Avx2 => x86::panel_avx2(self, t, out, p),
                    Kernel::Scalar => panel_scalar(self, t, out, p),
                }
            }
            r0 += tile;
        }
    }
}

/// Rows of activations, transposed: input `kk` of row `r` is at `xt[kk·stride + r]`.
#[derive(Clone, Copy)]
struct Tile {
    xt: *const f32,
    stride: usize,
    rows: usize,
}

impl Tile {
    /// The same tile without its first `skip` rows.
    fn skip(self, skip: usize) -> Tile {
        // SAFETY (for users): `skip < rows`, so the pointer stays inside the tile.
        Tile { xt: self.xt.wrapping_add(skip), stride: self.stride, rows: self.rows - skip }
    }
}

/// Rows per pass over a panel: enough accumulators to hide FMA latency, few enough to
/// stay in registers (AVX-512: 12 of 32; AVX2 runs it as two 6-row halves).
const TILE: usize = 12;

/// Columns of panel `p` that exist (the last panel may be padding on the right).
fn panel_width(m: &QuantMatrix, p: usize) -> usize {
    (m.n - p * PANEL).min(PANEL)
}

unsafe fn panel_scalar(m: &QuantMatrix, t: Tile, out: *mut f32, p: usize) {
    let k = m.k;
    let panel = &m.data[p * PANEL * k..][..PANEL * k];
    let width = panel_width(m, p);
    for r in 0..t.rows {
        let mut acc = [0f32; PANEL];
        for kk in 0..k {
            let xv = *t.xt.add(kk * t.stride + r);
            for (a, &w) in acc.iter_mut().zip(&panel[kk * PANEL..][..PANEL]) {
                *a += xv * w as f32;
            }
        }
        for (c, a) in acc.iter().enumerate().take(width) {
            *out.add(r * m.n + p * PANEL + c) += a * m.scales[p * PANEL + c];
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    use super::{panel_scalar, panel_width, QuantMatrix, Tile, PANEL, TILE};

    #[target_feature(enable = "avx512f")]
    pub(super) unsafe fn panel_avx512(m: &QuantMatrix, t: Tile, out: *mut f32, p: usize) {
        if panel_width(m, p) < PANEL {
            return panel_scalar(m, t, out, p);
        }
        match t.rows {
            // 24 rows: 24 accumulators + weights of 32 registers; the int8 → f32 widening
            // of each weight vector is then shared by twice as many FMAs (batches).
            24 => tile512::<24>(m, t, out, p),
            13..=23 => {
                tile512::<12>(m, t, out, p);
                panel_avx512(m, t.skip(12), out.add(12 * m.n), p);
            }
            12 => tile512::<12>(m, t, out, p),
            11 => tile512::<11>(m, t, out, p),
            10 => tile512::<10>(m, t, out, p),
            9 => tile512::<9>(m, t, out, p),
            8 => tile512::<8>(m, t, out, p),
            7 => tile512::<7>(m, t, out, p),
            6 => tile512::<6>(m, t, out, p),
            5 => tile512::<5>(m, t, out, p),
            4 => tile512::<4>(m, t, out, p),
            3 => tile512::<3>(m, t, out, p),
            2 => tile512::<2>(m, t, out, p),
            1 => tile512::<1>(m, t, out, p),
            _ => unreachable!("tiles hold 1..={} rows", 2 * TILE),
        }
    }

    #[target_feature(enable = "avx512f")]
    unsafe fn tile512<const R: usize>(m: &QuantMatrix, t: Tile, out: *mut f32, p: usize) {
        let k = m.k;
        let w = m.data.as_ptr().add(p * PANEL * k);
        let mut acc = [_mm512_setzero_ps(); R];
        for kk in 0..k {
            let wi = _mm512_cvtepi8_epi32(_mm_loadu_si128(w.add(kk * PANEL) as *const __m128i));
            let wf = _mm512_cvtepi32_ps(wi);
            let xs = t.xt.add(kk * t.stride);
            for (r, a) in acc.iter_mut().enumerate() {
                *a = _mm512_fmadd_ps(_mm512_set1_ps(*xs.add(r)), wf, *a);
            }
        }
        let scale = _mm512_loadu_ps(m.scales.as_ptr().add(p * PANEL));
        for (r, a) in acc.iter().enumerate() {
            let o = out.add(r * m.n + p * PANEL);
            _mm512_storeu_ps(o, _mm512_fmadd_ps(*a, scale, _mm512_loadu_ps(o)));
        }
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn panel_avx2(m: &QuantMatrix, t: Tile, out: *mut f32, p: usize) {
        if panel_width(m, p) < PANEL {
            return panel_scalar(m, t, out, p);
        }
        // 16 ymm registers: 6 rows × 2 halves of accumulators + weights + broadcast.
        let mut r0 = 0;
        while r0 < t.rows {
            let n = (t.rows - r0).min(6);
            let (sub, o) = (t.skip(r0), out.add(r0 * m.n));
            match n {
                6 => tile256::<6>(m, sub, o, p),
                5 => tile256::<5>(m, sub, o, p),
                4 => tile256::<4>(m, sub, o, p),
                3 => tile256::<3>(m, sub, o, p),
                2 => tile256::<2>(m, sub, o, p),
                _ => tile256::<1>(m, sub, o, p),
            }
            r0 += n;
        }
    }

    #[target_feature(enable = "avx2,fma")]
    unsafe fn tile256<const R: usize>(m: &QuantMatrix, t: Tile, out: *mut f32, p: usize) {
        let k = m.k;
        let w = m.data.as_ptr().add(p * PANEL * k);
        let mut lo = [_mm256_setzero_ps(); R];
        let mut hi = [_mm256_setzero_ps(); R];
        for kk in 0..k {
            let bytes = _mm_loadu_si128(w.add(kk * PANEL) as *const __m128i);
            let wl = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(bytes));
            let wh = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_unpackhi_epi64(bytes, bytes)));
            let xs = t.xt.add(kk * t.stride);
            for r in 0..R {
                let xv = _mm256_set1_ps(*xs.add(r));
                lo[r] = _mm256_fmadd_ps(xv, wl, lo[r]);
                hi[r] = _mm256_fmadd_ps(xv, wh, hi[r]);
            }
        }
        let sl = _mm256_loadu_ps(m.scales.as_ptr().add(p * PANEL));
        let sh = _mm256_loadu_ps(m.scales.as_ptr().add(p * PANEL + 8));
        for r in 0..R {
            let o = out.add(r * m.n + p * PANEL);
            _mm256_storeu_ps(o, _mm256_fmadd_ps(lo[r], sl, _mm256_loadu_ps(o)));
            _mm256_storeu_ps(o.add(8), _mm256_fmadd_ps(hi[r], sh, _mm256_loadu_ps(o.add(8))));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lcg(seed: &mut u64) -> f32 {
        *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((*seed >> 40) as f32 / (1u64 << 24) as f32) - 0.5
    }

    #[test]
    fn quantisation_error_is_within_half_a_step() {
        let (n, k) = (37, 50);
        let mut s = 7;
        let w: Vec<f32> = (0..n * k).map(|_| lcg(&mut s)).collect();
        let q = QuantMatrix::from_out_in(&w, n, k);
        for o in 0..n {
            let max = w[o * k..][..k].iter().fold(0f32, |m, v| m.max(v.abs()));
            for kk in 0..k {
                assert!((q.get(kk, o) - w[o * k + kk]).abs() <= max / 254.0 + 1e-7);
            }
        }
        assert_eq!(q.panels(), 3);
    }

    /// Every kernel this CPU has gives the exact product of the quantised weights, for
    /// row counts across tile boundaries and a partial last panel.
    #[test]
    fn kernels_agree_with_the_dequantised_product() {
        let mut s = 11;
        for &(rows, k, n) in
            &[(1, 8, 16), (5, 33, 40), (12, 64, 48), (13, 40, 16), (24, 16, 32), (30, 24, 35), (53, 20, 17)]
        {
            let w: Vec<f32> = (0..n * k).map(|_| lcg(&mut s)).collect();
            let x: Vec<f32> = (0..rows * k).map(|_| lcg(&mut s)).collect();
            let bias: Vec<f32> = (0..rows * n).map(|_| lcg(&mut s)).collect();
            let q = QuantMatrix::from_out_in(&w, n, k);
            let mut want = bias.clone();
            for r in 0..rows {
                for c in 0..n {
                    want[r * n + c] += (0..k).map(|kk| x[r * k + kk] * q.get(kk, c)).sum::<f32>();
                }
            }
            for kernel in Kernel::available() {
                let mut out = bias.clone();
                // Two calls over disjoint panel ranges, as the parallel split does.
                let mid = q.panels() / 2;
                unsafe {
                    q.accumulate(kernel, &x, rows, out.as_mut_ptr(), 0..mid);
                    q.accumulate(kernel, &x, rows, out.as_mut_ptr(), mid..q.panels());
                }
                for (a, b) in out.iter().zip(&want) {
                    assert!((a - b).abs() < 1e-4, "{kernel:?} rows={rows} k={k} n={n}: {a} vs {b}");
                }
            }
        }
    }

    #[test]
    fn single_row_helpers_match_the_kernels() {
        let mut s = 3;
        let (n, k) = (40, 24);
        let w: Vec<f32> = (0..n * k).map(|_| lcg(&mut s)).collect();
        let x: Vec<f32> = (0..k).map(|_| lcg(&mut s)).collect();
        let q = QuantMatrix::from_out_in(&w, n, k);
        let all = q.row_times(&x);
        assert_eq!(all.len(), n);
        for (o, v) in all.iter().enumerate() {
            assert!((v - q.column_dot(&x, o)).abs() < 1e-5);
            let exact: f32 = (0..k).map(|kk| x[kk] * w[o * k + kk]).sum();
            assert!((v - exact).abs() < 0.01, "{v} vs {exact}");
        }
    }

    #[test]
    fn zero_columns_stay_zero() {
        let w = vec![0f32; 16 * 4];
        let q = QuantMatrix::from_out_in(&w, 16, 4);
        let mut out = vec![1f32; 16];
        unsafe { q.accumulate(Kernel::detect(), &[1.0, 2.0, 3.0, 4.0], 1, out.as_mut_ptr(), 0..1) };
        assert!(out.iter().all(|&v| v == 1.0));
    }
}
