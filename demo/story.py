"""The textbook story of the gates, checked against what one trained unit actually does.

The story: at the name the input gate opens, over the filler words the forget gate holds, at the
blank the output gate opens, and the cell state carries the name all the way. Each claim is
tested on the numbers and reported with them and with the rule that decides it, whether it holds
or not. Where the story does not hold, ``what_happened`` says, with the numbers, how the unit
carries the name instead: stored at the name, or built up over the fillers.
"""
from dataclasses import dataclass

import numpy as np

OPEN, HOLD, RISE = 0.5, 0.9, 0.2   # a gate "opens" above 0.5 and 0.2 above its usual value
APART = 0.5                        # how far apart the two names' cell states must end
STORED = 0.5                       # the share of the final she/he gap there right after the name


@dataclass
class Finding:
    claim: str
    holds: bool
    evidence: str
    criterion: str = ""   # what "yes" takes, in words and numbers


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
                f"{i[0]:.2f} at the name, {i_rest:.2f} on average after it",
                f"yes if {OPEN:.2f} or more there and {RISE:.2f} above its mean after it"),
        Finding("the forget gate holds over the fillers", float(np.mean(f[fillers])) >= HOLD,
                f"mean {np.mean(f[fillers]):.2f}, lowest {np.min(f[fillers]):.2f}",
                f"yes if its mean over the fillers is {HOLD:.2f} or more"),
        Finding("the output gate opens at the blank", o[-1] >= OPEN and o[-1] - o_rest >= RISE,
                f"{o[-1]:.2f} at the blank, {o_rest:.2f} on average over the fillers",
                f"yes if {OPEN:.2f} or more there and {RISE:.2f} above its mean over the fillers"),
        Finding("the cell state still tells the two names apart at the blank",
                np.sign(c_end) != np.sign(c_other) and abs(c_end - c_other) >= APART,
                f"c = {c_end:+.2f} for this name, {c_other:+.2f} for the other",
                f"yes if the signs differ and the two are {APART:.2f} or more apart"),
    ]


def what_happened(unit, trace, other):
    """(kind, sentence): how ``unit`` carries the name to the blank, from the gap between the two
    names' cell states word by word. kind is "stored", "built up" or "little"."""
    gap = np.abs(trace["c"][:, unit] - other["c"][:, unit])     # this name against the other, per word
    f_kept = float(np.mean(trace["f"][1:-1, unit]))
    at_name, at_blank = float(gap[0]), float(gap[-1])
    if at_blank < APART:
        return "little", (f"This unit barely tells the names apart: their cell states end {at_blank:.2f} apart "
                          f"at the blank, so other units carry the name.")
    if at_name >= STORED * at_blank:
        return "stored", (f"Stored at the name: the two names' cell states are {at_name:.2f} apart right after "
                          f"the name and {at_blank:.2f} at the blank, and the forget gate keeps {f_kept:.0%} "
                          f"of the cell at each filler.")
    grew = int(np.sum(np.diff(gap) > 0))
    return "built up", (f"Built up over the fillers, not stored at the name: the two names' cell states are "
                        f"only {at_name:.2f} apart after the name ({at_name / at_blank:.0%} of the final gap), "
                        f"and the gap grows at {grew} of the {len(gap) - 1} words after it, to {at_blank:.2f} "
                        f"at the blank. The name leaves a trace in h; at each word the gates read h and add a "
                        f"little more in the same direction, while the forget gate keeps {f_kept:.0%} of the cell.")


def summary(checked, happened=()):
    """A few honest sentences: how many claims held, over every unit shown, and (with
    ``happened``, what_happened for each unit) what the units did where the story fails."""
    held = sum(f.holds for fs in checked for f in fs)
    total = sum(len(fs) for fs in checked)
    if held == total:
        return f"All {total} checks hold: on this run the trained model does what the story says."
    missed = sorted({f.claim for fs in checked for f in fs if not f.holds})
    text = f"{held} of {total} checks hold. Not on every unit shown: {'; '.join(missed)}."
    kinds = [kind for kind, _ in happened]
    if kinds.count("built up"):
        text += (f" What happened instead, on {kinds.count('built up')} of the {len(kinds)} units: the network does "
                 f"not write the name once and hold it; it builds the she/he difference up word by word over the "
                 f"fillers (numbers under each unit).")
    return text + (" The story is a way to read the gates, not a rule training must follow: the model only has "
                   "to get the pronoun right.")
