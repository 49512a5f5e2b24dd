"""The hostile corpus (tests/kit/hostile/) graded through `make grade`, as an instructor would:
folder cases and notebook cases alike (a notebook case is built as a .ipynb and graded as one).

Prints, per case, its wall time and score beside the score it earns; then the number of cases,
the total wall time, the slowest case, and whether any score was inflated (a step given more
points than its code earns). Exits 1 if one was, or if the grader got a case wrong otherwise.
`python -m bench.hostile_corpus notebook` runs only the cases whose name holds that word.
"""
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time

from grader.kit import KIT_ROOT

sys.path.insert(0, os.path.join(KIT_ROOT, "tests", "kit"))  # the corpus lives with the kit tests

import corpus  # noqa: E402


def grade_with_make(case, workdir):
    """(results.json as a dict, wall seconds) for one case, graded by `make grade`."""
    submission = corpus.build(case, os.path.join(workdir, "submission"))
    results = os.path.join(workdir, "results")
    options = shlex.join(["--results", results, *case.args()])
    started = time.perf_counter()
    subprocess.run(["make", "-s", "grade", f"SUBMISSION={submission}", f"GRADER_OPTIONS={options}"], cwd=KIT_ROOT,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=case.max_seconds() + 60,
                   env={**os.environ, "NO_COLOR": "1", **corpus.SECRET})
    seconds = time.perf_counter() - started
    try:
        with open(os.path.join(results, "results.json")) as f:
            return json.load(f), seconds
    except (OSError, ValueError):
        return {}, seconds


def main(argv=()):
    root = os.geteuid() == 0
    timings, inflated, wrong, skipped = {}, {}, {}, []
    cases = [case for case in corpus.cases() if all(word in case.name for word in argv)]
    width = max(len(case.name) for case in cases) + 2
    for case in cases:
        if case.root_only and not root:
            skipped.append(case.name)
            continue
        with tempfile.TemporaryDirectory() as workdir:
            results, seconds = grade_with_make(case, workdir)
        steps = results.get("extra_data", {}).get("steps", {})
        max_points = {step: s["max_points"] for step, s in steps.items()}
        timings[case.name] = seconds
        inflated[case.name] = corpus.inflated(results, case, max_points) if steps else []
        wrong[case.name] = corpus.problems(case, results, seconds, max_points) if steps else ["no results.json"]
        earned = sum(case.points(max_points).values())
        verdict = "ok" if not wrong[case.name] else "WRONG: " + "; ".join(wrong[case.name])[:200]
        score = f"{results['score']:g}" if "score" in results else "-"
        print(f"{case.name:<{width}} {seconds:6.2f} s  score {score:>3} of {earned:>3g} earned  {verdict}")
    slowest = max(timings, key=timings.get)
    bad = sorted(name for name, steps in inflated.items() if steps)
    print()
    print(f"cases:                {len(timings)}" + (f" ({len(skipped)} need root: {', '.join(skipped)})" if skipped else ""))
    print(f"total wall time:      {sum(timings.values()):6.2f} s")
    print(f"slowest case:         {timings[slowest]:6.2f} s ({slowest})")
    print(f"scores inflated:      {'none' if not bad else ', '.join(bad)}")
    print(f"cases graded wrongly: {sum(1 for w in wrong.values() if w)}")
    return 1 if bad or any(wrong.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
