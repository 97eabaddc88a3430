#!/usr/bin/env python3
"""Fits the extractive composer's confidence weights (src/answer/composer.cc).

    candor kb eval --questions data/kb/bank/questions.jsonl --data D --details > details.jsonl
    scripts/fit_composer.py details.jsonl

Class-balanced logistic regression with an L2 penalty (0.01), by gradient
descent, on the odd lines; prints the weights, the bar that answers 5 in 6
of the odd lines' answerable questions, both halves' abstention figures and
AUC, and what the held-out half would give at other bars. Standard library
only."""
import json, math, sys

FEATURES = ["intent_agrees", "in_scope", "intent_declared", "intent_confidence", "strength",
            "margin", "weighted_coverage", "heading_coverage", "unseen", "coverage"]

def load(path):
    rows = []
    for line in open(path):
        if not line.startswith("{"): continue
        r = json.loads(line)
        if "evidence" not in r: continue
        rows.append(r)
    return rows

def vec(r, feats):
    e = r["evidence"]
    return [float(e.get(f, 0.0)) for f in feats]

def fit(X, y, l2=0.01, steps=20000, lr=0.5):
    n, d = len(X), len(X[0])
    pos = sum(y); neg = n - pos
    wpos, wneg = n / (2 * pos), n / (2 * neg)
    w = [0.0] * d; b = 0.0
    for _ in range(steps):
        gw = [0.0] * d; gb = 0.0
        for xi, yi in zip(X, y):
            z = b + sum(a * c for a, c in zip(w, xi))
            p = 1 / (1 + math.exp(-z))
            s = (p - yi) * (wpos if yi else wneg) / n
            gb += s
            for j in range(d): gw[j] += s * xi[j]
        for j in range(d): w[j] -= lr * (gw[j] + l2 * w[j])
        b -= lr * gb
    return w, b

def main():
    if len(sys.argv) != 2:
        sys.exit("usage: fit_composer.py DETAILS.jsonl (from candor kb eval --details)")
    rows = load(sys.argv[1])
    if not rows:
        sys.exit("no question lines in " + sys.argv[1] + "; was it written with --details?")
    feats = [f for f in FEATURES if f in rows[0]["evidence"]] + \
            [f for f in rows[0]["evidence"] if f not in FEATURES]
    odd = [r for r in rows if r["line"] % 2 == 1]
    even = [r for r in rows if r["line"] % 2 == 0]
    X = [vec(r, feats) for r in odd]; y = [1 if r["article"] else 0 for r in odd]
    w, b = fit(X, y)
    score = lambda r: 1 / (1 + math.exp(-(b + sum(a * c for a, c in zip(w, vec(r, feats))))))
    ans = sorted(score(r) for r in odd if r["article"])
    bar = ans[len(ans) // 6]  # answers 5 in 6
    print("bias %.3f" % b)
    for f, v in zip(feats, w): print("%-20s %.3f" % (f, v))
    print("bar %.3f" % bar)
    def auc(part):
        p = [score(r) for r in part if r["article"]]; q = [score(r) for r in part if not r["article"]]
        return sum((a > c) + 0.5 * (a == c) for a in p for c in q) / (len(p) * len(q))
    for name, part in (("odd", odd), ("even", even)):
        un = [r for r in part if not r["article"]]; an = [r for r in part if r["article"]]
        refused = sum(score(r) < bar for r in un) / len(un)
        wrong = sum(score(r) < bar for r in an) / len(an)
        print("%-5s refused %.3f wrongly refused %.3f auc %.3f" % (name, refused, wrong, auc(part)))
        # The best operating points on this half, for reference.
        for target in (0.05, 0.10, 0.20):
            s = sorted(score(r) for r in an); k = int(target * len(s)); t = s[k] if k < len(s) else 1
            print("   at wrongly refused %.2f: refused %.3f" % (target, sum(score(r) < t for r in un) / len(un)))

main()
