"""Writes the bundled text example (run once; the files are committed).

    python3 examples/text/make.py

ref.txt holds 300 short English sentences; three systems "translate" them with
word-level noise (substitutions, deletions, swapped neighbours, dropped punctuation):
base.txt, finetuned.txt (clearly less noise) and distilled.txt (slightly more).
"""
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))

SUBJECTS = ["The committee", "Our team", "The new model", "A local farmer", "The city council",
            "Most students", "The old bridge", "This company", "The research group", "My neighbour"]
VERBS = ["approved", "rejected", "announced", "repaired", "studied", "delivered", "described",
         "expected", "reviewed", "postponed"]
OBJECTS = ["the annual budget", "a detailed report", "the final results", "several new roads",
           "the winter harvest", "an unusual proposal", "the public library", "two short films",
           "the water supply", "a large order"]
TAILS = ["on Monday", "after a long debate", "without any comment", "in early spring",
         "for the second time", "despite the rain", "at the last minute", "with great care",
         "before the deadline", "in the morning"]
SYNONYMS = {"approved": "accepted", "rejected": "refused", "announced": "declared",
            "repaired": "fixed", "studied": "examined", "delivered": "supplied",
            "described": "explained", "expected": "predicted", "reviewed": "checked",
            "postponed": "delayed", "large": "big", "new": "recent", "old": "ancient",
            "detailed": "thorough", "final": "last", "short": "brief", "long": "lengthy",
            "great": "much", "company": "firm", "results": "outcomes", "report": "document"}


def reference(rng):
    s = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} {rng.choice(TAILS)}"
    if rng.random() < 0.3:
        s += f", and {rng.choice(SUBJECTS).lower()} {rng.choice(VERBS)} {rng.choice(OBJECTS)}"
    return s + "."


def noisy(sentence, rng, rate):
    words = sentence[:-1].split()
    out = []
    for w in words:
        r = rng.random()
        if r < rate * 0.5 and w.lower() in SYNONYMS:
            out.append(SYNONYMS[w.lower()])
        elif r < rate * 0.7:
            continue
        else:
            out.append(w)
    for i in range(len(out) - 1):
        if rng.random() < rate * 0.15:
            out[i], out[i + 1] = out[i + 1], out[i]
    return " ".join(out) + ("" if rng.random() < rate else ".")


def main():
    rng = random.Random(11)
    refs = [reference(rng) for _ in range(300)]
    systems = {"base": 0.35, "finetuned": 0.25, "distilled": 0.365}
    write("ref.txt", refs)
    for k, (name, rate) in enumerate(systems.items()):
        srng = random.Random(100 + k)
        write(f"{name}.txt", [noisy(s, srng, rate) for s in refs])


def write(name, lines):
    with open(os.path.join(HERE, name), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")


main()
