"""Synthetic interviews and interview findings (statements tied to places as people say them).

Per quarter: 12 interviews (6 residents, 3 multipliers, 2 experts, 1 administration) and 40
findings; the place is a corner, an address, a named place or a street, written the way people
write it (abbreviations, typos), or ~15 % not placeable at all ("überall", empty).
"""

from __future__ import annotations

import re

import texts as T
from common import abbr, an_street, new_id, pick, rng, spring_day


def typo(name):
    """The street name as somebody might type it: 'strasse', 'Str' without dot, a lost letter."""
    ops = [
        lambda s: s.replace("straße", "strasse").replace("Straße", "Strasse"),
        lambda s: abbr(s).replace(".", ""),
        lambda s: abbr(s).lower(),
    ]
    word = re.split(r"[ -]", name)[0]
    if len(word) > 5:
        i = rng.randrange(2, len(word) - 2)
        ops.append(lambda s: s.replace(word, word[:i] + word[i + 1 :], 1))
        ops.append(lambda s: s.replace(word, word[:i] + word[i + 1] + word[i] + word[i + 2 :], 1))
    out = rng.choice(ops)(name)
    return out if out != name else name.lower()


# --- interviews and findings --------------------------------------------------------------------
def finding_place(ctx, how):
    """(where, as said in the statement; place_text, as written down) for a place of kind `how`:
    c corner, a address, p named place, s street, v vague."""
    if how == "c":
        a, b = rng.sample(rng.choice(ctx["graph"]["corners"])[:2], 2)
        return f"an der Ecke {a} / {b}", rng.choice(
            (
                f"an der Ecke {a} / {b}",
                f"Ecke {a}/{b}",
                f"{abbr(a)}/{abbr(b)}",
                f"Kreuzung {abbr(a)} / {b}",
            )
        )
    if how == "a":
        ad = rng.choice(ctx["addresses"])
        s, hn = ad["street"], ad["hn"]
        return f"vor dem Haus {s} {hn}", rng.choice(
            (f"{abbr(s)} {hn}", f"{s} {hn}", f"{typo(s)} {hn}")
        )
    if how == "p":
        p = rng.choice(ctx["places"])
        return p["at"], rng.choice((p["short"], p["at"], abbr(p["short"])))
    if how == "s":
        s = rng.choice(ctx["streets"])["name"]
        return an_street(s), rng.choice((s, abbr(s), typo(s), an_street(s)))
    return rng.choice(T.VAGUE)


def make_interviews(ctx):
    """12 interviews and 40 findings per quarter; ~15 % of findings cannot be placed."""
    q = ctx["q"]
    groups = ["residents"] * 6 + ["multipliers"] * 3 + ["experts"] * 2 + ["administration"]
    rng.shuffle(groups)
    numbers = {g: iter(sorted(rng.sample(range(1, 25), groups.count(g)))) for g in T.GROUP_PREFIX}
    interviews = [
        {
            "id": new_id(),
            "quarter": q["slug"],
            "date": spring_day().isoformat(),
            "participant_group": g,
            "pseudonym": f"{T.GROUP_PREFIX[g]}-{next(numbers[g]):02d}",
            "synthetic": "true",
        }
        for g in groups
    ]
    interviews.sort(key=lambda i: (i["date"], i["pseudonym"]))
    per = [2] * len(interviews)
    for _ in range(40 - 2 * len(interviews)):
        per[rng.randrange(len(per))] += 1
    hows = ["v"] * 6 + ["c"] * 9 + ["a"] * 6 + ["p"] * 9 + ["s"] * 10
    statuses = ["published"] * 28 + ["review"] * 6 + ["draft"] * 4 + ["rejected"] * 2
    rng.shuffle(hows)
    rng.shuffle(statuses)
    findings = []
    for iv, n in zip(interviews, per, strict=True):
        for _ in range(n):
            how, fitting = hows[len(findings)], []
            while not fitting:  # a statement that reads well with this kind of place
                layer = pick(T.LAYER_WEIGHTS)
                kind = pick(T.KIND_BY_LAYER.get(layer, T.KIND_WEIGHTS))
                fitting = [s for fits, s in T.FINDINGS[layer][kind] if how in fits]
            layers = [layer] + ([rng.choice(T.RELATED[layer])] if rng.random() < 0.35 else [])
            spoken, text = finding_place(ctx, how)
            stmt = rng.choice(fitting).format(ort=spoken, Ort=spoken[:1].upper() + spoken[1:])
            findings.append(
                {
                    "id": new_id(),
                    "interview_id": iv["id"],
                    "quarter": q["slug"],
                    "statement": stmt,
                    "layers": ",".join(layers),
                    "kind": kind,
                    "place_text": text,
                    "status": statuses[len(findings)],
                    "synthetic": "true",
                }
            )
    return interviews, findings
