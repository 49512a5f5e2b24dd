"""Machine-readable results: Gradescope's ``results.json``, written atomically."""
import json
import os
import shutil
import tempfile

VISIBLE = "visible"


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


def _test_output(outcome):
    if outcome.status == "passed":
        return ""
    printed = f"\n\nYour code printed:\n{outcome.printed}" if outcome.printed.strip() else ""
    return outcome.message + printed


def gradescope_results(outcomes, results, elapsed, output="", extra=None):
    """The results.json document: one entry per graded test, tagged with its step."""
    tests = [{
        "name": f"{o.step}: {o.name}",
        "score": o.points if o.status == "passed" else 0.0,
        "max_score": o.points,
        "status": "passed" if o.status == "passed" else "failed",
        "output": _test_output(o),
        "visibility": o.visibility,
        "extra_data": {"step": o.step, "outcome": o.status, "nodeid": o.nodeid, "mistake": o.mistake},
    } for o in outcomes]
    steps = {r.step.name: {"status": r.status, "points": r.points, "max_points": r.max_points,
                           "message": r.message, "mistake": r.mistake} for r in results}
    return {"score": sum(r.points for r in results), "execution_time": round(elapsed, 3),
            "output": output, "visibility": VISIBLE, "stdout_visibility": "hidden", "tests": tests,
            "extra_data": {"steps": steps, **(extra or {})}}


def write_results(path, document):
    write_atomically(path, json.dumps(document, indent=2))
