#!/usr/bin/env python3
"""bench/text: rigor eval text vs sacrebleu and rouge-score, whole processes.

1. Generates (seed 0) `--segments` aligned hypothesis/reference lines: news-like
   sentences of 5-60 words over a 5,000-word Zipf vocabulary with punctuation and
   numbers; the hypothesis is the reference with substitutions, deletions,
   insertions and a moved phrase. Cached in bench/data/text/.
2. `cargo build --release`, then times with `/usr/bin/time -v`:
   - `rigor eval text -m BLEU chrF --no-ci --format json` vs the sacrebleu CLI
     (`sacrebleu REF -i HYP -m bleu chrf`);
   - `rigor eval text -m ROUGE-L --no-ci --format json` vs rouge-score
     (`RougeScorer(['rougeL'], use_stemmer=True)` over every pair, mean F);
   - for information: rigor with every measure and default bootstrap CIs.
3. Prints seconds, peak RSS and ratios (peer seconds / rigor seconds) and checks that
   the scores agree to 1e-6 (exit 1 if not).
"""
import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def generate(path_hyp, path_ref, n, seed):
    rng = random.Random(seed)
    syll = ["ka", "lo", "mi", "ren", "to", "sa", "vi", "nor", "el", "tu", "pra", "de", "ing", "ed", "tion", "s"]
    vocab = sorted({"".join(rng.choice(syll) for _ in range(rng.randint(1, 4))) for _ in range(8000)})[:5000]
    weights = [1.0 / (i + 1) for i in range(len(vocab))]
    punct = [",", ".", ";", ":", "!", "?", "(", ")", "\"", "-"]

    def sentence():
        k = rng.randint(5, 60)
        words = rng.choices(vocab, weights, k=k)
        for i in range(len(words)):
            r = rng.random()
            if r < 0.05:
                words[i] = words[i].capitalize()
            elif r < 0.08:
                words[i] = f"{rng.randint(1, 9999):,}"
        text = " ".join(words)
        text = re.sub(r" (\w+) ", lambda m: f" {m.group(1)}{rng.choice(punct)} " if rng.random() < 0.06 else m.group(0), text)
        return text[0].upper() + text[1:] + "."

    with open(path_hyp, "w") as fh, open(path_ref, "w") as fr:
        for _ in range(n):
            ref = sentence()
            w = ref.split()
            for _ in range(rng.randint(0, 6)):
                r = rng.random()
                if r < 0.4:
                    w[rng.randrange(len(w))] = rng.choices(vocab, weights)[0]
                elif r < 0.6 and len(w) > 2:
                    del w[rng.randrange(len(w))]
                elif r < 0.8:
                    w.insert(rng.randint(0, len(w)), rng.choices(vocab, weights)[0])
                elif len(w) > 6:
                    i = rng.randrange(len(w) - 4)
                    chunk = w[i:i + 3]
                    del w[i:i + 3]
                    j = rng.randint(0, len(w))
                    w[j:j] = chunk
            fh.write(" ".join(w) + "\n")
            fr.write(ref + "\n")


def timed(cmd, cwd=None):
    """Runs cmd under /usr/bin/time -v: (wall seconds, CPU seconds, peak RSS MB, stdout)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as t:
        out = subprocess.run(["/usr/bin/time", "-v", "-o", t.name] + cmd, cwd=cwd,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if out.returncode != 0:
            sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr}")
        report = t.read()
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", report).group(1)
    parts = [float(p) for p in wall.split(":")]
    seconds = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) == 3 else 0)
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", report).group(1)) / 1024
    cpu = sum(float(re.search(rf"{k} time \(seconds\): (\S+)", report).group(1)) for k in ["User", "System"])
    return seconds, cpu, rss, out.stdout


ROUGE_PEER = r"""
import sys
from rouge_score import rouge_scorer
hyp = [l.rstrip() for l in open(sys.argv[1], encoding='utf-8', newline='\n')]
ref = [l.rstrip() for l in open(sys.argv[2], encoding='utf-8', newline='\n')]
scorer = rouge_scorer.RougeScorer(['rougeL'], use_stemmer=True)
f = [scorer.score(r, h)['rougeL'].fmeasure for h, r in zip(hyp, ref)]
print(repr(sum(f) / len(f)))
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--segments", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()

    data = os.path.join(ROOT, "bench", "data", "text")
    os.makedirs(data, exist_ok=True)
    hyp = os.path.join(data, f"hyp-{args.segments}-{args.seed}.txt")
    ref = os.path.join(data, f"ref-{args.segments}-{args.seed}.txt")
    if not (os.path.exists(hyp) and os.path.exists(ref)):
        print(f"generating {args.segments} segment pairs ...", file=sys.stderr)
        generate(hyp, ref, args.segments, args.seed)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "-q"], cwd=ROOT, check=True)
    rigor = os.path.join(target, "release", "rigor")
    py = sys.executable
    sacrebleu = os.path.join(os.path.dirname(py), "sacrebleu")

    rows = []
    ok = True

    def rigor_run(measures, extra):
        s, c, m, out = timed([rigor, "eval", "text", "--hyp", hyp, "--ref", ref, "-m", *measures, "--format", "json", *extra])
        return (s, c, m), json.loads(out)

    # BLEU + chrF
    r1, rj = rigor_run(["BLEU", "chrF"], ["--no-ci"])
    *s1, sout = timed([sacrebleu, ref, "-i", hyp, "-m", "bleu", "chrf", "-b", "-w", "10"])
    sb = [float(x) for x in json.loads(sout)]  # -b prints a JSON list with several metrics
    for name, theirs in zip(["BLEU", "chrF"], sb):
        ours = rj["metrics"][name]["score"]
        good = abs(ours - theirs) <= 1e-6
        ok &= good
        print(f"{name}: rigor {ours:.10f}  sacrebleu {theirs:.10f}  {'equal' if good else 'DIFFERENT'}")
    rows.append(("rigor -m BLEU chrF --no-ci", r1, None))
    rows.append(("sacrebleu -m bleu chrf", s1, r1))

    # ROUGE-L
    r2, r2j = rigor_run(["ROUGE-L"], ["--no-ci"])
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(ROUGE_PEER)
    *p2, pout = timed([py, f.name, hyp, ref])
    os.unlink(f.name)
    theirs = float(pout.strip())
    ours = r2j["metrics"]["ROUGE-L"]["score"]
    good = abs(ours - theirs) <= 1e-6
    ok &= good
    print(f"ROUGE-L: rigor {ours:.12f}  rouge-score {theirs:.12f}  {'equal' if good else 'DIFFERENT'}")
    rows.append(("rigor -m ROUGE-L --no-ci", r2, None))
    rows.append(("rouge-score rougeL (stemmer)", p2, r2))

    # Everything, with CIs (information)
    r3, _ = rigor_run(["BLEU", "chrF", "chrF++", "TER", "ROUGE-1", "ROUGE-2", "ROUGE-L", "ROUGE-Lsum", "ExactMatch", "TokenF1"], [])
    rows.append(("rigor, all 10 measures, 1000-resample CIs", r3, None))

    size = os.path.getsize(hyp) + os.path.getsize(ref)
    print(f"\n{args.segments:,} segment pairs, {size / 1e6:.1f} MB, {os.cpu_count()} cores\n")
    print(f"{'command':<44} {'seconds':>9} {'CPU s':>8} {'peak RSS MB':>12} {'ratio':>8} {'CPU ratio':>10}")
    for name, (s, c, m), base in rows:
        r = f"{s / base[0]:.1f}x" if base else ""
        rc = f"{c / base[1]:.1f}x" if base else ""
        print(f"{name:<44} {s:>9.2f} {c:>8.2f} {m:>12.1f} {r:>8} {rc:>10}")
    print("\nratio = peer wall seconds / rigor wall seconds (whole processes);")
    print("CPU ratio = the same for user+system CPU seconds (robust to other load on the machine)")
    if not ok:
        sys.exit(1)


main()
