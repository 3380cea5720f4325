//! The Porter stemmer exactly as NLTK's `PorterStemmer` in its default
//! `NLTK_EXTENSIONS` mode — the stemmer rouge-score uses with `use_stemmer=True`.
//! Not Snowball (Porter2), and not Martin Porter's frozen version: NLTK adds an
//! irregular-forms table (`skies`→`sky`, `dying`→`die`, `news`→`news`, …),
//! `ies`/`ied` on four-letter words → `ie`, other `ied` → `i`, `y`→`i` only after a
//! consonant that is not the whole stem, the two-letter `*o` condition, a recursive
//! `alli`→`al` in step 2, `bli`→`ble`, `fulli`→`ful` and `logi`→`log`.
//!
//! Words are ASCII (rouge-score only stems `[a-z0-9]+` tokens). A word holding
//! other characters is returned lowercased but otherwise unchanged.

/// Stems one word (lowercasing it first, as NLTK does).
pub fn stem(word: &str) -> String {
    if !word.is_ascii() {
        return word.to_lowercase();
    }
    let w = word.to_ascii_lowercase();
    if let Some(base) = irregular(&w) {
        return base.to_string();
    }
    if w.len() <= 2 {
        return w;
    }
    let mut s = w.into_bytes();
    s = step1a(s);
    s = step1b(s);
    s = step1c(s);
    s = step2(s);
    s = step3(s);
    s = step4(s);
    s = step5a(s);
    s = step5b(s);
    String::from_utf8(s).unwrap_or_default()
}

/// NLTK's `pool` of irregular forms.
fn irregular(w: &str) -> Option<&'static str> {
    Some(match w {
        "sky" | "skies" => "sky",
        "dying" => "die",
        "lying" => "lie",
        "tying" => "tie",
        "news" => "news",
        "innings" | "inning" => "inning",
        "outings" | "outing" => "outing",
        "cannings" | "canning" => "canning",
        "howe" => "howe",
        "proceed" => "proceed",
        "exceed" => "exceed",
        "succeed" => "succeed",
        _ => return None,
    })
}

fn is_vowel(b: u8) -> bool {
    matches!(b, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// Whether `w[i]` is a consonant: not a vowel, and `y` only after a vowel (or first).
fn is_consonant(w: &[u8], i: usize) -> bool {
    if is_vowel(w[i]) {
        return false;
    }
    if w[i] == b'y' {
        // NLTK walks back over a run of y's, flipping each time.
        let mut negate = false;
        let mut j = i;
        while j > 0 && w[j] == b'y' {
            negate = !negate;
            j -= 1;
        }
        return is_vowel(w[j]) == negate;
    }
    true
}

/// Consonant flags of every position in one pass (equal to `is_consonant` at each).
fn consonant_flags(w: &[u8]) -> Vec<bool> {
    let mut flags: Vec<bool> = Vec::with_capacity(w.len());
    for (i, &b) in w.iter().enumerate() {
        let f = if is_vowel(b) {
            false
        } else if b == b'y' {
            i == 0 || !flags[i - 1]
        } else {
            true
        };
        flags.push(f);
    }
    flags
}

/// m in [C](VC)^m[V]: the number of vowel→consonant transitions.
fn measure(stem: &[u8]) -> usize {
    let f = consonant_flags(stem);
    f.windows(2).filter(|p| !p[0] && p[1]).count()
}

fn contains_vowel(stem: &[u8]) -> bool {
    consonant_flags(stem).iter().any(|c| !c)
}

/// *d: ends with a double consonant.
fn ends_double_consonant(w: &[u8]) -> bool {
    let n = w.len();
    n >= 2 && w[n - 1] == w[n - 2] && is_consonant(w, n - 1)
}

/// *o: ends consonant-vowel-consonant, the last not w, x or y; or (NLTK) is a
/// two-letter vowel-consonant word.
fn ends_cvc(w: &[u8]) -> bool {
    let n = w.len();
    (n >= 3
        && is_consonant(w, n - 3)
        && !is_consonant(w, n - 2)
        && is_consonant(w, n - 1)
        && !matches!(w[n - 1], b'w' | b'x' | b'y'))
        || (n == 2 && !is_consonant(w, 0) && is_consonant(w, 1))
}

fn replace(w: &[u8], suffix_len: usize, replacement: &str) -> Vec<u8> {
    let mut out = w[..w.len() - suffix_len].to_vec();
    out.extend_from_slice(replacement.as_bytes());
    out
}

/// A suffix rule: suffix, replacement, condition on the stem (the word without the
/// suffix).
type Rule<'a> = (&'a str, &'a str, &'a dyn Fn(&[u8]) -> bool);

/// NLTK's `_apply_rule_list` for plain suffixes: the first rule whose suffix matches
/// decides — applied if its condition holds, else the word is returned unchanged.
fn apply(w: Vec<u8>, rules: &[Rule<'_>]) -> Vec<u8> {
    for (suffix, replacement, condition) in rules {
        if w.ends_with(suffix.as_bytes()) {
            let stem = &w[..w.len() - suffix.len()];
            return if condition(stem) {
                replace(&w, suffix.len(), replacement)
            } else {
                w
            };
        }
    }
    w
}

fn always(_: &[u8]) -> bool {
    true
}

fn positive_measure(stem: &[u8]) -> bool {
    measure(stem) > 0
}

fn measure_gt_1(stem: &[u8]) -> bool {
    measure(stem) > 1
}

fn step1a(w: Vec<u8>) -> Vec<u8> {
    if w.ends_with(b"ies") && w.len() == 4 {
        return replace(&w, 3, "ie");
    }
    apply(
        w,
        &[
            ("sses", "ss", &always),
            ("ies", "i", &always),
            ("ss", "ss", &always),
            ("s", "", &always),
        ],
    )
}

fn step1b(w: Vec<u8>) -> Vec<u8> {
    if w.ends_with(b"ied") {
        return replace(&w, 3, if w.len() == 4 { "ie" } else { "i" });
    }
    if w.ends_with(b"eed") {
        let stem = &w[..w.len() - 3];
        return if measure(stem) > 0 {
            replace(&w, 3, "ee")
        } else {
            w
        };
    }
    let mut inter: Option<Vec<u8>> = None;
    for suffix in [&b"ed"[..], &b"ing"[..]] {
        if w.ends_with(suffix) {
            let stem = &w[..w.len() - suffix.len()];
            if contains_vowel(stem) {
                inter = Some(stem.to_vec());
                break;
            }
        }
    }
    let Some(inter) = inter else {
        return w;
    };
    for (suffix, replacement) in [("at", "ate"), ("bl", "ble"), ("iz", "ize")] {
        if inter.ends_with(suffix.as_bytes()) {
            return replace(&inter, 2, replacement);
        }
    }
    if ends_double_consonant(&inter) {
        let last = inter[inter.len() - 1];
        return if matches!(last, b'l' | b's' | b'z') {
            inter
        } else {
            inter[..inter.len() - 1].to_vec()
        };
    }
    if measure(&inter) == 1 && ends_cvc(&inter) {
        let mut out = inter;
        out.push(b'e');
        return out;
    }
    inter
}

fn step1c(w: Vec<u8>) -> Vec<u8> {
    let consonant_before = |stem: &[u8]| stem.len() > 1 && is_consonant(stem, stem.len() - 1);
    apply(w, &[("y", "i", &consonant_before)])
}

fn step2(w: Vec<u8>) -> Vec<u8> {
    if w.ends_with(b"alli") && positive_measure(&w[..w.len() - 4]) {
        return step2(replace(&w, 4, "al"));
    }
    let word = w.clone();
    let logi = move |_: &[u8]| positive_measure(&word[..word.len() - 3]);
    apply(
        w,
        &[
            ("ational", "ate", &positive_measure),
            ("tional", "tion", &positive_measure),
            ("enci", "ence", &positive_measure),
            ("anci", "ance", &positive_measure),
            ("izer", "ize", &positive_measure),
            ("bli", "ble", &positive_measure),
            ("alli", "al", &positive_measure),
            ("entli", "ent", &positive_measure),
            ("eli", "e", &positive_measure),
            ("ousli", "ous", &positive_measure),
            ("ization", "ize", &positive_measure),
            ("ation", "ate", &positive_measure),
            ("ator", "ate", &positive_measure),
            ("alism", "al", &positive_measure),
            ("iveness", "ive", &positive_measure),
            ("fulness", "ful", &positive_measure),
            ("ousness", "ous", &positive_measure),
            ("aliti", "al", &positive_measure),
            ("iviti", "ive", &positive_measure),
            ("biliti", "ble", &positive_measure),
            ("fulli", "ful", &positive_measure),
            ("logi", "log", &logi),
        ],
    )
}

fn step3(w: Vec<u8>) -> Vec<u8> {
    apply(
        w,
        &[
            ("icate", "ic", &positive_measure),
            ("ative", "", &positive_measure),
            ("alize", "al", &positive_measure),
            ("iciti", "ic", &positive_measure),
            ("ical", "ic", &positive_measure),
            ("ful", "", &positive_measure),
            ("ness", "", &positive_measure),
        ],
    )
}

fn step4(w: Vec<u8>) -> Vec<u8> {
    let ion = |stem: &[u8]| measure(stem) > 1 && matches!(stem.last(), Some(b's' | b't'));
    apply(
        w,
        &[
            ("al", "", &measure_gt_1),
            ("ance", "", &measure_gt_1),
            ("ence", "", &measure_gt_1),
            ("er", "", &measure_gt_1),
            ("ic", "", &measure_gt_1),
            ("able", "", &measure_gt_1),
            ("ible", "", &measure_gt_1),
            ("ant", "", &measure_gt_1),
            ("ement", "", &measure_gt_1),
            ("ment", "", &measure_gt_1),
            ("ent", "", &measure_gt_1),
            ("ion", "", &ion),
            ("ou", "", &measure_gt_1),
            ("ism", "", &measure_gt_1),
            ("ate", "", &measure_gt_1),
            ("iti", "", &measure_gt_1),
            ("ous", "", &measure_gt_1),
            ("ive", "", &measure_gt_1),
            ("ize", "", &measure_gt_1),
        ],
    )
}

fn step5a(w: Vec<u8>) -> Vec<u8> {
    if w.ends_with(b"e") {
        let stem = &w[..w.len() - 1];
        let m = measure(stem);
        if m > 1 || (m == 1 && !ends_cvc(stem)) {
            return stem.to_vec();
        }
    }
    w
}

fn step5b(w: Vec<u8>) -> Vec<u8> {
    if w.ends_with(b"ll") && measure(&w[..w.len() - 1]) > 1 {
        return w[..w.len() - 1].to_vec();
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paper_and_nltk_examples() {
        for (w, s) in [
            ("caresses", "caress"),
            ("ponies", "poni"),
            ("ties", "tie"),
            ("cats", "cat"),
            ("agreed", "agre"),
            ("plastered", "plaster"),
            ("motoring", "motor"),
            ("hopping", "hop"),
            ("filing", "file"),
            ("happy", "happi"),
            ("enjoy", "enjoy"),
            ("relational", "relat"),
            ("generalization", "gener"),
            ("skies", "sky"),
            ("dying", "die"),
            ("died", "die"),
            ("spied", "spi"),
            ("controlling", "control"),
            ("yyyy", "yyyi"),
            ("ab", "ab"),
        ] {
            assert_eq!(stem(w), s, "{w}");
        }
    }

    #[test]
    fn flags_equal_the_recursive_definition() {
        for w in ["syzygy", "yyyy", "toy", "ayyay", "by", "y"] {
            let f = consonant_flags(w.as_bytes());
            for (i, flag) in f.iter().enumerate() {
                assert_eq!(*flag, is_consonant(w.as_bytes(), i), "{w} {i}");
            }
        }
    }
}
