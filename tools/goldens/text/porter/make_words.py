#!/usr/bin/env python3
"""Build porter/words.txt: the Porter golden's input word list (committed; run once).

Debian's wamerican /usr/share/dict/words lowercased, kept when [a-z]+, plus synthetic
words that reach every rule of NLTK's stemmer: each suffix the rules know glued to
stems of varied measure, y-runs, double consonants and NLTK's irregular forms.
Deterministic (fixed seed, sorted output).
"""
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
words = set()
with open("/usr/share/dict/words", encoding="utf-8") as f:
    for line in f:
        w = line.strip().lower()
        if re.fullmatch(r"[a-z]+", w):
            words.add(w)

suffixes = """sses ies ss s eed ed ing ied at bl iz y ational tional enci anci izer bli abli
alli entli eli ousli ization ation ator alism iveness fulness ousness aliti iviti biliti
fulli logi icate ative alize iciti ical ful ness al ance ence er ic able ible ant ement
ment ent ion sion tion ou ism ate iti ous ive ize e ll ly ying ings""".split()
stems = ["", "b", "tr", "oa", "tree", "y", "by", "troubl", "privat", "orrer", "hop", "fil",
         "fail", "conflat", "siz", "tann", "fall", "hiss", "fizz", "controll", "rat", "ceas",
         "sky", "di", "li", "ti", "spi", "happ", "enjo", "relat", "condit", "valen", "hesit",
         "digit", "conform", "radic", "differ", "vil", "analog", "vietnam", "predic", "oper",
         "feud", "decis", "hope", "callous", "form", "sensit", "sensib", "electr", "good",
         "reviv", "allow", "infer", "airlin", "gyroscop", "adjust", "defens", "irrit",
         "replac", "depend", "adopt", "homolog", "commun", "activ", "angular", "effect",
         "bowdler", "probat", "yy", "yyy", "ayy", "syzyg", "aa", "ab", "xyz", "a1", "9"]
for st in stems:
    for su in suffixes:
        words.add(st + su)
        words.add(st + su + "s")
rng = random.Random(5)
letters = "abcdefghijklmnopqrstuvwxyz"
vowels = "aeiouy"
for _ in range(20000):
    n = rng.randint(1, 12)
    w = "".join(rng.choice(vowels if rng.random() < 0.4 else letters) for _ in range(n))
    if rng.random() < 0.6:
        w += rng.choice(suffixes)
    if rng.random() < 0.1:
        w += str(rng.randint(0, 99))
    words.add(w)
for w in ["sky", "skies", "dying", "lying", "tying", "news", "innings", "inning", "outings",
          "outing", "cannings", "canning", "howe", "proceed", "exceed", "succeed", "yyyy",
          "yyyyy", "ies", "ied", "ing", "eed", "a", "ab", "abc", "2019", "1st", "mp3s"]:
    words.add(w)
with open(os.path.join(HERE, "words.txt"), "w") as f:
    for w in sorted(words):
        f.write(w + "\n")
print(len(words), "words")
