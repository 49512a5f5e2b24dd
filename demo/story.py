"""The textbook story of the gates, checked against what one trained unit actually does.

The story: at the name the input gate opens, over the filler words the forget gate holds, at the
blank the output gate opens, and the cell state carries the name all the way. Each claim is
tested on the numbers and reported with them, whether it holds or not.
"""
from dataclasses import dataclass

import numpy as np

OPEN, HOLD, RISE = 0.5, 0.9, 0.2   # a gate "opens" above 0.5 and 0.2 above its usual value


@dataclass
class Finding:
    claim: str
    holds: bool
    evidence: str


def findings(unit, trace, other):
    """Check the story on ``unit``: ``trace`` is a sentence's gate trace, ``other`` the same
    sentence with a name of the other gender (see measure.trace_gates)."""
    i, f, o, c = (trace[name][:, unit] for name in "ifoc")
    fillers = slice(1, -1)
    i_rest = float(np.mean(i[1:]))
    o_rest = float(np.mean(o[fillers]))
    c_end, c_other = float(c[-1]), float(other["c"][-1, unit])
    return [
        Finding("the input gate opens at the name", i[0] >= OPEN and i[0] - i_rest >= RISE,
                f"{i[0]:.2f} at the name, {i_rest:.2f} on average after it"),
        Finding("the forget gate holds over the fillers", float(np.mean(f[fillers])) >= HOLD,
                f"mean {np.mean(f[fillers]):.2f}, lowest {np.min(f[fillers]):.2f}"),
        Finding("the output gate opens at the blank", o[-1] >= OPEN and o[-1] - o_rest >= RISE,
                f"{o[-1]:.2f} at the blank, {o_rest:.2f} on average over the fillers"),
        Finding("the cell state still tells the two names apart at the blank",
                np.sign(c_end) != np.sign(c_other) and abs(c_end - c_other) >= 0.5,
                f"c = {c_end:+.2f} for this name, {c_other:+.2f} for the other"),
    ]


def summary(checked):
    """One honest sentence about how many claims held, over every unit shown."""
    held = sum(f.holds for fs in checked for f in fs)
    total = sum(len(fs) for fs in checked)
    if held == total:
        return f"All {total} checks hold: on this run the trained model does what the story says."
    missed = sorted({f.claim for fs in checked for f in fs if not f.holds})
    return (f"{held} of {total} checks hold. Not on every unit shown: {'; '.join(missed)}. The story is "
            f"a way to read the gates, not a rule training must follow: the model only has to get the "
            f"pronoun right, and it may spread the memory over units or keep its output gate open throughout.")
