"""Machine-readable results: Gradescope's ``results.json``, written atomically."""
import json
import os
import shutil
import tempfile

from grader.outputs.markdown import fence_roles

VISIBLE = "visible"
OUTPUT_FORMAT = "md"  # each test's output is Markdown (grader.outputs.markdown): named mistakes, hints, fenced output


def write_atomically(path, text):
    """Write then rename, so a reader never sees half a file and no earlier file survives."""
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)  # a folder planted where the file goes would make the rename fail
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def remove(path):
    """Remove whatever is at ``path`` (file, link or folder), if anything."""
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        os.unlink(path)


def _test_outputs(outcomes):
    """Each test's output in Markdown (Gradescope's output_format "md"): empty when it passed; the
    first test a step does not pass also carries that step's first hint."""
    from grader.course.hints import load_hints
    from grader.outputs.markdown import check_markdown

    hints, hinted, outputs = load_hints(), set(), []
    for o in outcomes:
        if o.status == "passed":
            outputs.append("")
            continue
        hint = "" if o.step in hinted else (hints.get(o.step) or [""])[0]
        hinted.add(o.step)
        outputs.append(check_markdown(o.message, o.printed, o.mistake, hint))
    return outputs


def gradescope_results(outcomes, results, elapsed, output="", extra=None):
    """The results.json document: one entry per graded test, tagged with its step."""
    tests = [{
        "name": f"{o.step}: {o.name}",
        "score": o.points if o.status == "passed" else 0.0,
        "max_score": o.points,
        "status": "passed" if o.status == "passed" else "failed",
        "output": text,
        "output_format": OUTPUT_FORMAT,
        "visibility": o.visibility,
        "extra_data": {"step": o.step, "outcome": o.status, "nodeid": o.nodeid, "mistake": o.mistake},
    } for o, text in zip(outcomes, _test_outputs(outcomes))]
    steps = {r.step.name: {"status": r.status, "points": r.points, "max_points": r.max_points,
                           "message": r.message, "mistake": r.mistake} for r in results}
    return {"score": sum(r.points for r in results), "execution_time": round(elapsed, 3),
            "output": output, "visibility": VISIBLE, "stdout_visibility": "hidden", "tests": tests,
            "extra_data": {"steps": steps, **(extra or {})}}


def write_results(path, document):
    write_atomically(path, json.dumps(fitted(document), indent=2))


RESULTS_LIMIT = 1_000_000  # bytes of results.json: PrairieLearn's cap (Gradescope's limit is similar)
CUT = " ... (cut: results.json must stay under 1 MB)"


def fitted(document, limit=RESULTS_LIMIT):
    """``document`` as results.json may hold it: under ``limit`` bytes whatever the submission did.
    Each text is already capped (grader.plugin.outcome), but a run of many failing checks can still
    add up; then the longest texts (test outputs, step messages, the run's output) are cut to one
    share, the largest that fits, so every check keeps the start of what it says."""
    for _ in range(3):  # a cut text ends in CUT: the size is checked again
        excess = len(json.dumps(document, indent=2)) - limit  # ASCII: json escapes the rest
        if excess <= 0:
            return document
        fields = _texts(document)
        costs = [_cost(holder[key]) for holder, key in fields]
        share = _share(costs, sum(costs) - excess)
        for (holder, key), cost in zip(fields, costs):
            if cost > share:
                holder[key] = _cut(holder[key], share)
    return document


def _texts(document):
    """(holder, key) of every text results.json carries that can be long."""
    return [(document, "output"), *((test, "output") for test in document["tests"]),
            *((step, "message") for step in document["extra_data"]["steps"].values())]


def _cost(text):
    """Bytes ``text`` takes in results.json, its quotes aside."""
    return len(json.dumps(text)) - 2


def _share(costs, budget):
    """The largest share such that every text cut to it (the shorter ones kept whole) fits in ``budget``."""
    left, count = budget, len(costs)
    for k, cost in enumerate(sorted(costs)):
        if cost * (count - k) > left:
            return max(0, left // (count - k))
        left -= cost
    return max(costs, default=0)


FENCE_ROOM = 16  # bytes kept, in every cut text alike, to close a Markdown fence the cut left open


def _cut(text, share):
    """The longest start of ``text`` that, with CUT after it (and a fence it leaves open closed),
    takes at most ``share`` bytes."""
    room = share - _cost(CUT) - FENCE_ROOM
    if room <= 0:
        return ""
    low, high = 0, min(len(text), room)
    while low < high:  # characters cost 1 to 12 bytes once escaped: search for the longest start that fits
        middle = (low + high + 1) // 2
        low, high = (middle, high) if _cost(text[:middle]) <= room else (low, middle - 1)
    return _fence_closed(text[:low]) + CUT


def _fence_closed(text):
    """``text`` with its last code fence closed, if the cut fell inside one: what follows (CUT)
    is then text again, not part of what the learner's code printed."""
    fence = fence_roles(text)[1]
    return f"{text}\n{fence}\n" if fence and len(fence) + 2 <= FENCE_ROOM else text
