#!/usr/bin/env python3
"""Generate the text golden files for `rigor eval text`.

Writes the input segment files under cases/<case>/ and the expected corpus and
per-segment scores in expected.json, all computed by the reference implementations:

  * BLEU, chrF, chrF++, TER: sacrebleu (corpus_score, signatures; per segment
    sentence_bleu with effective order, CHRF/TER sentence_score)
  * ROUGE-1/2/L/Lsum: rouge-score RougeScorer(use_stemmer=True), score_multi over the
    references (max F per type); corpus value = mean of the items' F. rigor's
    convention for sentences: a literal backslash-n in a segment is a newline, so the
    text given to rouge-score is `segment.replace('\\\\n', '\\n')`.
  * ExactMatch, TokenF1: the official SQuAD v1.1 evaluate-v1.1.py functions (copied
    verbatim below), max over references, corpus = 100 * sum / total.
  * porter/stems.txt: nltk PorterStemmer() (NLTK_EXTENSIONS) on porter/words.txt.

Files are read back exactly as the sacrebleu CLI reads them (UTF-8, newline='\\n',
each line rstrip()ped), so rigor and the references see the same segments.
Deterministic: fixed seeds, sorted keys. Usage (from the repository root):

    $(tools/venv.sh goldens-text tools/goldens/text/requirements.txt) tools/goldens/text/generate.py
"""
import collections
import importlib.metadata
import json
import os
import random
import re
import string
import sys
from collections import Counter

import sacrebleu
from sacrebleu.metrics import BLEU, CHRF, TER
from nltk.stem.porter import PorterStemmer
from rouge_score import rouge_scorer

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")

# ---------------------------------------------------------------------------
# Official SQuAD v1.1 evaluation functions (evaluate-v1.1.py), verbatim.
# ---------------------------------------------------------------------------


def normalize_answer(s):
    """Lower text and remove punctuation, articles and extra whitespace."""
    def remove_articles(text):
        return re.sub(r'\b(a|an|the)\b', ' ', text)

    def white_space_fix(text):
        return ' '.join(text.split())

    def remove_punc(text):
        exclude = set(string.punctuation)
        return ''.join(ch for ch in text if ch not in exclude)

    def lower(text):
        return text.lower()

    return white_space_fix(remove_articles(remove_punc(lower(s))))


def f1_score(prediction, ground_truth):
    prediction_tokens = normalize_answer(prediction).split()
    ground_truth_tokens = normalize_answer(ground_truth).split()
    common = Counter(prediction_tokens) & Counter(ground_truth_tokens)
    num_same = sum(common.values())
    if num_same == 0:
        return 0
    precision = 1.0 * num_same / len(prediction_tokens)
    recall = 1.0 * num_same / len(ground_truth_tokens)
    f1 = (2 * precision * recall) / (precision + recall)
    return f1


def exact_match_score(prediction, ground_truth):
    return (normalize_answer(prediction) == normalize_answer(ground_truth))


def metric_max_over_ground_truths(metric_fn, prediction, ground_truths):
    scores_for_ground_truths = []
    for ground_truth in ground_truths:
        score = metric_fn(prediction, ground_truth)
        scores_for_ground_truths.append(score)
    return max(scores_for_ground_truths)


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------

def edge_segments():
    """(hyp, [ref1, ref2, ref3, ref4]) covering the issue's list of traps."""
    rng = random.Random(11)
    words = ("the of and to in is was for on that with as by at from it an be this "
             "which or are have had not but were his they one all their there been "
             "has when who will more no if out so said what up its about into than "
             "them can only other new some could time these two may then do first").split()
    long_ref = " ".join(rng.choice(words) for _ in range(600)) + "."
    lw = long_ref.split()
    for _ in range(20):
        lw[rng.randrange(len(lw))] = rng.choice(words)
    i = rng.randrange(500)
    lw = lw[:i] + lw[i + 20:i + 30] + lw[i:i + 20] + lw[i + 30:]
    long_hyp = " ".join(lw)
    s = [
        # identical pairs
        ("The quick brown fox jumps over the lazy dog.", ["The quick brown fox jumps over the lazy dog."] * 4),
        ("Identical", ["Identical", "identical", "IDENTICAL", "Identical"]),
        # empty hypotheses and references
        ("", ["A reference with words.", "Another one", "", "x"]),
        ("A hypothesis with words.", ["", "", "", ""]),
        ("", ["", "", "", ""]),
        ("   \t  ", ["only whitespace hyp", "", "a", "b"]),
        ("Some words here", ["", "Some words", "", "here words Some"]),
        # punctuation
        ("Hello, world! (Really?) -- \"quoted\" 'single' ...;: [x]{y}", ["Hello world (really) - quoted single . x y", "Hello, world!", "hello world really quoted", "(Really?) Hello, world!"]),
        ("x..y e.g., i.e. U.S.A. etc.", ["x . . y e.g. , i.e. U.S.A. etc .", "x..y", "e.g. i.e.", "USA etc"]),
        ("Wait... what?! No way!!!", ["Wait . . . what ? ! No way ! ! !", "wait what no way", "No way!", "What?!"]),
        # numbers with separators
        ("It cost $1,234,567.89 in 2019.", ["It cost 1.234.567,89 dollars in 2019 .", "It cost $1,234,567.89 in 2019.", "The cost was 1234567.89 USD", "in 2019 it cost $1,234,567.89"]),
        ("pages 10-20, call 555-1234 or +1 (800) 555.0199", ["pages 10 - 20 , call 555 - 1234", "pages 10-20", "call 555-1234", "+1 800 555 0199"]),
        ("1,000 3.14 .5 5. 1.5e-3 -7 50% 3/4", ["1,000 3.14 0.5 5 0.0015 -7 50 % 3 / 4", "1000 3,14", "3.14 .5 5.", "50% 3/4"]),
        ("in 2019. In 2020, yes.", ["in 2019 . In 2020 , yes .", "in 2019.", "In 2020, yes.", "2019 2020"]),
        # URLs, e-mail, HTML entities, tags
        ("See https://example.com/a-b_c?x=1&y=2#frag for details.", ["See https : / / example.com / a-b _ c ? x = 1 & y = 2 # frag for details .", "Details at https://example.com/a-b_c?x=1&y=2#frag.", "see example.com", "for details see the link"]),
        ("Mail me at john.doe@example.org or www.test.co.uk/path", ["Mail me at john.doe@example.org", "www.test.co.uk/path", "mail john doe", "email me"]),
        ("Tom &amp; Jerry &lt;3 &quot;cartoons&quot; &gt; others, AT&T &amp;amp;", ["Tom & Jerry <3 \"cartoons\" > others, AT&T &amp;", "Tom and Jerry", "&quot;cartoons&quot;", "AT&T"]),
        ("state-of-the-art <skipped> 1990-2000 well-known -5", ["state-of-the-art 1990 - 2000 well-known", "state of the art", "1990-2000", "well known"]),
        # case
        ("THE Cat SAT on THE Mat", ["the cat sat on the mat", "The Cat Sat On The Mat", "THE CAT SAT ON THE MAT", "the Cat sat"]),
        ("ΟΔΟΣ ΚΑΙ ΣΟΦΙΑ ΤΟΥ ΚΟΣΜΟΣ.", ["οδος και σοφια του κοσμος.", "Οδός και σοφία", "ΟΔΟΣ", "κόσμος"]),
        ("İstanbul KELVIN \u212a ǅungla ß STRASSE", ["istanbul kelvin k džungla ss strasse", "İstanbul", "i̇stanbul", "Straße"]),
        # CJK and other scripts
        ("我喜欢吃苹果。", ["我爱吃苹果！", "我喜欢吃苹果", "苹果", "我 喜欢 吃 苹果 。"]),
        ("東京は日本の首都です。", ["東京は日本の首都である。", "日本の首都は東京です", "東京", "首都"]),
        ("안녕하세요, 세계! 반갑습니다.", ["안녕하세요 세계 반갑습니다", "안녕, 세계!", "세계", "반갑습니다."]),
        ("Café naïve résumé — déjà vu, São Paulo, Zürich, Ærø", ["Cafe naive resume - deja vu, Sao Paulo, Zurich, Aero", "Café naïve résumé", "déjà vu", "São Paulo"]),
        ("the\u0301 cafe\u0301 n\u0303o", ["the café ño", "cafe\u0301", "the\u0301", "no"]),
        ("مرحبا بالعالم، كيف حالك؟", ["مرحبا يا عالم كيف الحال؟", "مرحبا بالعالم", "كيف حالك", "عالم"]),
        ("Привет, Мир! Как дела?", ["привет мир как дела", "Привет, Мир!", "Как дела?", "мир"]),
        ("नमस्ते दुनिया। สวัสดีครับ", ["नमस्ते दुनिया", "สวัสดี ครับ", "दुनिया।", "ครับ"]),
        ("Ｈｅｌｌｏ，ｗｏｒｌｄ！ １２３", ["Hello, world! 123", "Ｈｅｌｌｏ ｗｏｒｌｄ", "１２３", "world"]),
        # emoji and symbols
        ("I love it 😀👍🏽 so much!!! 🎉 👨‍👩‍👧", ["I love it 😀 so much! 🎉", "i love it so much", "👍🏽🎉", "love it"]),
        ("5 + 3 = 8 < 9 > 2 ^ ~ | ` $ € £ ¥ © ® ™ § ° ±", ["5+3=8<9>2", "€ £ ¥", "© ® ™", "5 + 3 = 8"]),
        # whitespace
        ("a\tb   c  \t d", ["a b c d", "a\tb c d", "abcd", "a  b"]),
        ("a\u001cb\u00a0c\u2028d\u3000e\u200bf", ["a b c d e f", "a\u001cb", "c\u2028d", "e\u200bf"]),
        ("carriage\rreturn mid line", ["carriage return mid line", "carriage\rreturn", "mid line", "return"]),
        ("\ufeffBOM at start", ["BOM at start", "\ufeffBOM", "at start", "bom"]),
        # apostrophes, clipping
        ("don't can't it's O'Neil's rock'n'roll", ["do n't ca n't it 's O'Neil 's", "don't can't", "it's", "rock and roll"]),
        ("the the the the the the the", ["the cat is on the mat", "there is a cat on the mat", "the", "cat"]),
        ("a", ["a", "b", "a a", ""]),
        (".", [".", ",", "", "a."]),
        # TER shifts
        ("a b c d e f g h", ["e f g h a b c d", "a b c d e f g h", "h g f e d c b a", "c d a b g h e f"]),
        ("the cat sat on the mat yesterday evening", ["yesterday evening the cat sat on the mat", "on the mat the cat sat", "the mat the cat", "evening yesterday"]),
        # ROUGE-Lsum sentences (literal backslash-n)
        ("First sentence here.\\nSecond sentence follows.\\nThird one.", ["First sentence is here.\\nAnother second sentence.", "Second sentence follows.\\nFirst sentence here.", "Third one.", "first\\n\\nsecond"]),
        ("one two three\\nfour five six", ["one two\\nthree four\\nfive six", "six five four\\nthree two one", "one", "\\n"]),
        # stemming
        ("The runners were running quickly through the generalizations", ["A runner runs quick through general generalization", "running runner", "generalizations", "quickly"]),
        ("caresses ponies ties cats feed agreed plastered motoring sing", ["caress poni tie cat fe agre plaster motor sing", "caresses", "ponies ties", "sing"]),
        # SQuAD
        ("the Eiffel Tower", ["Eiffel Tower", "The Eiffel tower.", "tower", "Paris"]),
        ("an apple a day", ["apple day", "An Apple, a Day!", "a day", "apples"]),
        ("Theatre and anthem", ["theatre anthem", "the atre and an them", "theatre", "anthem"]),
        ("1776", ["1776", "in 1776", "July 4, 1776", "1776."]),
        # very long line
        (long_hyp, [long_ref, long_hyp, " ".join(long_ref.split()[:300]), long_ref.upper()]),
    ]
    return s


def random_segments(seed, n):
    rng = random.Random(seed)
    vocab = ("the a an of and to in is was for on that with as by at from it be this which or are "
             "cat dog house tree river city Paris London New York government policy market data "
             "model results show increase decrease percent year 2019 2020 1,000 3.5 12:30 "
             "running runs ran runner generalization generalize general happy happiness "
             "Café résumé naïve 東京 日本 我 喜欢 مرحبا Привет мир 😀 🎉 "
             ", . ! ? ; : ' \" ( ) - -- / % $ € & @ #").split()
    out = []
    for _ in range(n):
        length = rng.choice([0, 1, 2, 3, 5, 8, 12, 20, 30, 45, 60, 90])
        base = [rng.choice(vocab) for _ in range(length)]
        def variant(words, p):
            w = list(words)
            ops = rng.randint(0, max(1, int(len(w) * p)))
            for _ in range(ops):
                r = rng.random()
                if r < 0.3 and w:
                    w[rng.randrange(len(w))] = rng.choice(vocab)
                elif r < 0.5 and w:
                    del w[rng.randrange(len(w))]
                elif r < 0.7:
                    w.insert(rng.randint(0, len(w)), rng.choice(vocab))
                elif len(w) > 4:
                    i = rng.randrange(len(w) - 3)
                    k = rng.randint(1, min(5, len(w) - i - 1))
                    chunk = w[i:i + k]
                    del w[i:i + k]
                    j = rng.randint(0, len(w))
                    w[j:j] = chunk
            if rng.random() < 0.1:
                w = [x.upper() for x in w]
            return w
        def join(w):
            sep = rng.choice([" ", " ", " ", "  ", "\t"])
            w = list(w)
            if len(w) > 3 and rng.random() < 0.2:
                # several sentences for ROUGE-Lsum: literal backslash-n breaks
                for _ in range(rng.randint(1, 3)):
                    w.insert(rng.randint(1, len(w) - 1), "\\n")
            text = sep.join(w)
            if rng.random() < 0.2:
                text = text.replace(" ,", ",").replace(" .", ".")
            if rng.random() < 0.5:
                text = text.replace(" \\n ", "\\n")
            return text
        hyp = join(variant(base, 0.4))
        refs = [join(variant(base, 0.3)) for _ in range(4)]
        if rng.random() < 0.05:
            refs[rng.randrange(4)] = ""
        out.append((hyp, refs))
    return out


def ter_segments(seed, n):
    """Shifted phrases for Tercom's search: small vocabularies (many candidate shifts,
    some segments exhausting the 1000-candidate budget), phrases moved across the
    sentence, and extreme length ratios (beam widening)."""
    rng = random.Random(seed)
    small = "a b c the of and x".split()
    large = ("a b c d e f g h i j k l m n o p q r s t u v w x y z the of and to in is "
             "was for on that with as by at from").split()
    out = []
    for k in range(n):
        vocab = small if k % 4 == 0 else large
        if k % 10 == 9:
            ref = [rng.choice(vocab) for _ in range(rng.randint(60, 110))]
            hyp = [rng.choice(vocab) for _ in range(rng.randint(1, 2))]
            if k % 20 == 9:
                hyp, ref = ref, hyp
        else:
            ref = [rng.choice(vocab) for _ in range(rng.randint(5, 45))]
            hyp = list(ref)
            for _ in range(rng.randint(1, 5)):
                if len(hyp) > 4:
                    i = rng.randrange(len(hyp) - 2)
                    m = rng.randint(1, min(12, len(hyp) - i))
                    chunk = hyp[i:i + m]
                    del hyp[i:i + m]
                    j = rng.randint(0, len(hyp))
                    hyp[j:j] = chunk
            for _ in range(rng.randint(0, 4)):
                if hyp:
                    hyp[rng.randrange(len(hyp))] = rng.choice(vocab)
        refs = [" ".join(ref)]
        r2 = list(ref)
        rng.shuffle(r2)
        refs.append(" ".join(r2[: max(1, len(r2) - 3)]))
        out.append((" ".join(hyp), refs))
    return out


def write_case(name, segments, nrefs):
    d = os.path.join(CASES, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "hyp.txt"), "w", encoding="utf-8", newline="\n") as f:
        for h, _ in segments:
            f.write(h + "\n")
    for k in range(nrefs):
        with open(os.path.join(d, f"ref{k + 1}.txt"), "w", encoding="utf-8", newline="\n") as f:
            for _, refs in segments:
                f.write(refs[k] + "\n")


def read_lines(path):
    """As the sacrebleu CLI: UTF-8, split on \\n only, rstrip() every line."""
    with open(path, encoding="utf-8", newline="\n") as f:
        return [line.rstrip() for line in f]


# ---------------------------------------------------------------------------
# Reference scores
# ---------------------------------------------------------------------------

SACRE = ["BLEU", "chrF", "chrF++", "TER"]
ROUGE = {"ROUGE-1": "rouge1", "ROUGE-2": "rouge2", "ROUGE-L": "rougeL", "ROUGE-Lsum": "rougeLsum"}
SQUAD = ["ExactMatch", "TokenF1"]
ALL = SACRE + list(ROUGE) + SQUAD


def evaluate(case, nrefs, measures, tokenize="13a", lowercase=False, smooth_method="exp", smooth_value=None):
    d = os.path.join(CASES, case)
    hyps = read_lines(os.path.join(d, "hyp.txt"))
    ref_paths = [f"cases/{case}/ref{k + 1}.txt" for k in range(nrefs)]
    refs = [read_lines(os.path.join(HERE, p)) for p in ref_paths]
    assert all(len(r) == len(hyps) for r in refs)
    seg_refs = list(zip(*refs))
    corpus, per_item, signatures = {}, {}, {}
    for m in measures:
        if m == "BLEU":
            metric = BLEU(lowercase=lowercase, tokenize=tokenize, smooth_method=smooth_method, smooth_value=smooth_value)
            corpus[m] = metric.corpus_score(hyps, refs).score
            signatures[m] = str(metric.get_signature())
            per_item[m] = [
                sacrebleu.sentence_bleu(h, list(r), smooth_method=smooth_method, smooth_value=smooth_value,
                                        lowercase=lowercase, tokenize=tokenize, use_effective_order=True).score
                for h, r in zip(hyps, seg_refs)
            ]
        elif m in ("chrF", "chrF++"):
            wo = 2 if m == "chrF++" else 0
            metric = CHRF(word_order=wo, lowercase=lowercase)
            corpus[m] = metric.corpus_score(hyps, refs).score
            signatures[m] = str(metric.get_signature())
            sent = CHRF(word_order=wo, lowercase=lowercase)
            per_item[m] = [sent.sentence_score(h, list(r)).score for h, r in zip(hyps, seg_refs)]
        elif m == "TER":
            # TER is slow in Python: the per-segment statistics are computed once
            # (sacrebleu's own _extract_corpus_statistics) and give both the corpus
            # score and each segment's score exactly as sentence_score would
            # (sentence_score = _aggregate_and_compute of that one segment's statistics).
            metric = TER()
            stats = metric._extract_corpus_statistics(hyps, refs)
            corpus[m] = metric._aggregate_and_compute(stats).score
            signatures[m] = str(metric.get_signature())
            per_item[m] = [metric._compute_score_from_stats(st).score for st in stats]
            # Spot-check the shortcut against sentence_score on a few segments.
            for i in range(0, len(hyps), max(1, len(hyps) // 5)):
                assert TER().sentence_score(hyps[i], list(seg_refs[i])).score == per_item[m][i]
    rouge_ms = [m for m in measures if m in ROUGE]
    if rouge_ms:
        scorer = rouge_scorer.RougeScorer([ROUGE[m] for m in rouge_ms], use_stemmer=True)
        items = [scorer.score_multi([r.replace("\\n", "\n") for r in rs], h.replace("\\n", "\n"))
                 for h, rs in zip(hyps, seg_refs)]
        for m in rouge_ms:
            values = [float(it[ROUGE[m]].fmeasure) for it in items]
            per_item[m] = values
            corpus[m] = sum(values) / len(values)
    if "ExactMatch" in measures or "TokenF1" in measures:
        em_total = f1_total = 0
        ems, f1s = [], []
        for h, rs in zip(hyps, seg_refs):
            em = metric_max_over_ground_truths(exact_match_score, h, list(rs))
            f1 = metric_max_over_ground_truths(f1_score, h, list(rs))
            em_total += em
            f1_total += f1
            ems.append(100.0 * em / 1)
            f1s.append(100.0 * f1 / 1)
        total = len(hyps)
        if "ExactMatch" in measures:
            corpus["ExactMatch"] = 100.0 * em_total / total
            per_item["ExactMatch"] = ems
        if "TokenF1" in measures:
            corpus["TokenF1"] = 100.0 * f1_total / total
            per_item["TokenF1"] = f1s
    return {
        "case": case,
        "hyp": f"cases/{case}/hyp.txt",
        "refs": ref_paths,
        "options": {"tokenize": tokenize, "lowercase": lowercase, "smooth_method": smooth_method,
                    "smooth_value": smooth_value},
        "measures": measures,
        "corpus": corpus,
        "signatures": signatures,
        "per_item": per_item,
    }


def main():
    write_case("edge", edge_segments(), 4)
    write_case("random", random_segments(7, 400), 4)
    write_case("ter", ter_segments(3, 60), 2)

    evaluations = []
    for case in ["edge", "random"]:
        for nrefs in [1, 2, 4]:
            evaluations.append(evaluate(case, nrefs, ALL))
    for nrefs in [1, 2]:
        evaluations.append(evaluate("ter", nrefs, ALL))
    for tok in ["intl", "char", "none"]:
        evaluations.append(evaluate("edge", 1, ["BLEU"], tokenize=tok))
        evaluations.append(evaluate("random", 2, ["BLEU"], tokenize=tok))
        evaluations.append(evaluate("edge", 4, ["BLEU"], tokenize=tok))
    for method, value in [("floor", None), ("add-k", None), ("none", None), ("floor", 0.2), ("add-k", 2.0)]:
        evaluations.append(evaluate("edge", 1, ["BLEU"], smooth_method=method, smooth_value=value))
        evaluations.append(evaluate("random", 1, ["BLEU"], smooth_method=method, smooth_value=value))
    evaluations.append(evaluate("edge", 1, ["BLEU", "chrF", "chrF++"], lowercase=True))
    evaluations.append(evaluate("random", 4, ["BLEU", "chrF", "chrF++"], lowercase=True, tokenize="intl"))

    generator = {name: importlib.metadata.version(name) for name in ["sacrebleu", "rouge-score", "nltk", "regex"]}
    generator["python"] = sys.version.split()[0]
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump({"generator": generator, "evaluations": evaluations}, f, ensure_ascii=False, indent=1, sort_keys=True)
        f.write("\n")

    stemmer = PorterStemmer()
    assert stemmer.mode == PorterStemmer.NLTK_EXTENSIONS
    with open(os.path.join(HERE, "porter/words.txt"), encoding="utf-8") as f:
        words = [w.rstrip("\n") for w in f]
    with open(os.path.join(HERE, "porter/stems.txt"), "w", encoding="utf-8") as f:
        for w in words:
            f.write(stemmer.stem(w) + "\n")
    counts = collections.Counter()
    for ev in evaluations:
        for m, vals in ev["per_item"].items():
            counts[m] += len(vals) + 1
    print(f"{len(evaluations)} evaluations; values per measure: {dict(counts)}; {len(words)} Porter words",
          file=sys.stderr)


main()
