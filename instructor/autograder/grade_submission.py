"""Grade one Gradescope submission: find the learner's files (or notebook), run the grader, leave results.json.

Usage (by run_autograder): python grade_submission.py /autograder
Reads autograder.json (the test folders and the time allowed per call) from the source folder.
"""
import json
import os
import subprocess
import sys
import tempfile


def write_results(results, document):
    os.makedirs(results, exist_ok=True)
    with open(os.path.join(results, "results.json"), "w") as f:
        json.dump(document, f, indent=2)


def main(root):
    source, submission, results = (os.path.join(root, name) for name in ("source", "submission", "results"))
    sys.path.insert(0, source)
    from grader.course.steps import FILES
    from grader.sandbox.staging import stage, unreadable

    config = json.load(open(os.path.join(source, "autograder.json")))
    folder = tempfile.mkdtemp(prefix="lstm-kit-submission-")
    try:
        staged = stage(submission, folder)
    except Exception as exc:  # whatever the cause, the learner is told, in plain words
        why = unreadable(exc).replace(folder, "")
        write_results(results, {"score": 0, "output": f"Your upload could not be read: {why}", "tests": []})
        return 0
    if not staged.found:
        said = f"Your upload: {staged.describe()}." if staged.notebook else \
            f"Your upload holds none of {', '.join(FILES)}: upload those files."
        write_results(results, {"score": 0, "tests": [], "output": said})
        return 0
    done = subprocess.run(
        [sys.executable, "-m", "grader", "--submission", folder, "--tests", config["tests"],
         "--results", results, "--call-timeout", str(config["call_timeout"]),
         *[f"--note={note}" for note in staged.notes]],  # what a notebook did not give, for the learner
        cwd=source, env={**os.environ, "NO_COLOR": "1", "LSTM_KIT_STATE": folder + ".progress.json"},
        capture_output=True, text=True)
    print(done.stdout + done.stderr)  # Gradescope shows this to instructors only
    path = os.path.join(results, "results.json")
    if not os.path.exists(path):
        write_results(results, {"score": 0, "tests": [],
                                "output": f"Not graded: the grader stopped (exit status {done.returncode})."})
        return 0
    if staged.missing or staged.notebook:
        document = json.load(open(path))
        note = f"Your upload: {staged.describe()}."
        document["output"] = f"{note} {document.get('output', '')}".strip()
        write_results(results, document)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
