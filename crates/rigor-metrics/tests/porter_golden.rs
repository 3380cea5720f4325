//! The Porter stemmer against nltk's PorterStemmer (NLTK_EXTENSIONS) on ~100k words
//! (tools/goldens/text/porter: Debian's word list plus synthetic words reaching every
//! rule; stems written by tools/goldens/text/generate.py).

use rigor_metrics::text::porter::stem;

#[test]
fn every_word_stems_as_nltk() {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/goldens/text/porter");
    let words = std::fs::read_to_string(dir.join("words.txt")).unwrap();
    let stems = std::fs::read_to_string(dir.join("stems.txt")).unwrap();
    let pairs: Vec<(&str, &str)> = words.lines().zip(stems.lines()).collect();
    assert_eq!(words.lines().count(), stems.lines().count());
    let wrong: Vec<String> = pairs
        .iter()
        .filter(|(w, s)| stem(w) != *s)
        .map(|(w, s)| format!("{w}: rigor {}, nltk {s}", stem(w)))
        .collect();
    eprintln!(
        "Porter golden: {} of {} words matched",
        pairs.len() - wrong.len(),
        pairs.len()
    );
    assert!(pairs.len() > 90_000);
    assert!(
        wrong.is_empty(),
        "{} differ:\n{}",
        wrong.len(),
        wrong[..wrong.len().min(30)].join("\n")
    );
}
