//! Seeded keyboard typos: the noise of the typo evaluation splits and of the encoder's
//! typo-robustness training pairs (one generator, so both see the same kind of mistakes).

use rand::Rng;

use super::lower_unaccented;

/// Lower-cases, removes accents and makes 1 (under 10 letters) or 2 character edits, each in
/// a different word of 4+ letters when there are enough: deletion, insertion (a doubled
/// letter), substitution (a neighbouring key) or transposition.
pub fn add_typos(text: &str, rng: &mut impl Rng) -> String {
    let mut chars: Vec<char> = lower_unaccented(text).chars().collect();
    let letters = chars.iter().filter(|c| c.is_alphabetic()).count();
    let edits = if letters >= 10 { 2 } else { 1 };
    let mut used_words: Vec<usize> = Vec::new();
    for _ in 0..edits {
        // Word spans (start, end) of 4+ letters, recomputed after each edit.
        let mut words = Vec::new();
        let mut start = None;
        for (i, c) in chars.iter().chain(std::iter::once(&' ')).enumerate() {
            match (c.is_alphabetic(), start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    if i - s >= 4 {
                        words.push((s, i));
                    }
                    start = None;
                }
                _ => {}
            }
        }
        if words.is_empty() {
            let n = chars.len();
            if n >= 2 {
                words.push((0, n));
            } else {
                break;
            }
        }
        let fresh: Vec<usize> = (0..words.len()).filter(|w| !used_words.contains(w)).collect();
        let w =
            if fresh.is_empty() { rng.random_range(0..words.len()) } else { fresh[rng.random_range(0..fresh.len())] };
        used_words.push(w);
        let (s, e) = words[w];
        // Keep the first letter: people rarely get it wrong.
        let i = rng.random_range((s + 1).min(e - 1)..e);
        match rng.random_range(0..4) {
            0 => {
                chars.remove(i);
            }
            1 => {
                let c = chars[i];
                chars.insert(i, c);
            }
            2 => chars[i] = neighbour(chars[i], rng),
            _ => {
                if i + 1 < e {
                    chars.swap(i, i + 1);
                } else {
                    chars.swap(i - 1, i);
                }
            }
        }
    }
    chars.into_iter().collect()
}

/// A key next to `c` on an AZERTY/QWERTY-ish keyboard row.
fn neighbour(c: char, rng: &mut impl Rng) -> char {
    const ROWS: [&str; 3] = ["qwertyuiop", "asdfghjkl", "zxcvbnm"];
    for row in ROWS {
        if let Some(p) = row.find(c) {
            let bytes = row.as_bytes();
            let left = p.checked_sub(1).map(|q| bytes[q] as char);
            let right = bytes.get(p + 1).map(|&b| b as char);
            return match (left, right) {
                (Some(l), Some(r)) => {
                    if rng.random_bool(0.5) {
                        l
                    } else {
                        r
                    }
                }
                (Some(l), None) => l,
                (None, Some(r)) => r,
                (None, None) => c,
            };
        }
    }
    'e'
}

#[cfg(test)]
mod tests {
    use rand::rngs::StdRng;
    use rand::SeedableRng;

    use super::*;

    #[test]
    fn typos_are_deterministic_small_and_accent_free() {
        let mut a = StdRng::seed_from_u64(7);
        let mut b = StdRng::seed_from_u64(7);
        let t = add_typos("Boulangère pâtissière", &mut a);
        assert_eq!(t, add_typos("Boulangère pâtissière", &mut b));
        assert!(t.is_ascii(), "{t}");
        assert_ne!(t, "boulangere patissiere");
        let diff = t.len().abs_diff("boulangere patissiere".len());
        assert!(diff <= 2, "{t}");
    }
}
