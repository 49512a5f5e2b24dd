"""What `make grade-all` makes of a class beyond the gradebook: the class report (opened in a real
browser), the summary that tells failing on its own from blocked, feedback that can be sent as
it is, rosters and Canvas's flat exports, and regrading one learner.

One grade-all run over a small class (with the hidden tests) serves every test here."""
import csv
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest

from grader.kit import KIT_ROOT
from instructor import roster

from conftest import ALL_STEPS, build_submission
from mistakes import MISTAKES

TESTS = "tests/steps:tests/hidden"
GRADESCOPE_METADATA = """\
---
submission_1001:
  :submitters:
  - :name: Grace Hopper
    :sid: '1001'
    :email: grace@example.edu
  :created_at: 2026-03-01 12:00:00.123456789 -08:00
  :score: 0.0
  :status: processed
"""


def make_class(root):
    """A few learners: the reference, the stubs, a named mistake (in Gradescope's layout), a call
    that hangs, a Canvas learner's flat files (a mistake that blocks later steps), and no files."""
    build_submission(root / "ada", done=ALL_STEPS)
    build_submission(root / "stubs")
    step, _, source = MISTAKES["cell_update_swaps_gates"]
    build_submission(root / "submission_1001", done=ALL_STEPS, replace={step: source})
    (root / "submission_metadata.yml").write_text(GRADESCOPE_METADATA)
    ivan = build_submission(root / "ivan", done=ALL_STEPS)
    with open(ivan / "gates.py", "a") as f:
        f.write("\n\ndef hidden_state(c, o):\n    while True:\n        pass\n")
    step, _, source = MISTAKES["sigmoid_branches_swapped"]
    sam = build_submission(root.parent / "sam-src", done=ALL_STEPS, replace={step: source})
    for k, name in enumerate(("gates.py", "sequence.py", "memory.py")):
        shutil.copy(sam / name, root / f"smithsam_late_2001_{9001 + k}_{name}")
    (root / "smithsam_late_2001_9004_cell.py").write_text("def lstm_step_forward(:\n")  # the older upload
    shutil.copy(sam / "cell.py", root / "smithsam_late_2001_9005_cell-1.py")          # Canvas's name for the newer
    (root / "frank").mkdir()
    (root / "frank" / "answers.txt").write_text("I ran out of time")


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    root = tmp_path_factory.mktemp("class")
    submissions, out = root / "export", root / "out"
    submissions.mkdir()
    make_class(submissions)
    roster_csv = root / "roster.csv"
    roster_csv.write_text("folder,id,name,email\nada,7,Ada Lovelace,ada@example.edu\nzoe,8,Zoe Absent,zoe@example.edu\n")
    started = time.monotonic()
    done = subprocess.run(["make", "-s", "grade-all", f"SUBMISSIONS={submissions}", f"OUT={out}", f"TESTS={TESTS}",
                           "JOBS=2", "CALL_TIMEOUT=2", "TIME_LIMIT=60", f"ROSTER={roster_csv}"],
                          cwd=KIT_ROOT, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    print(f"grade-all over {len(os.listdir(out))} entries took {time.monotonic() - started:.1f} s")
    return {"submissions": submissions, "out": out, "stdout": done.stdout, "root": root}


def results_of(out, folder):
    return json.loads((out / folder / "results.json").read_text())


def gradebook(out):
    return list(csv.DictReader(open(out / "gradebook.csv")))


def test_the_gradebook_has_a_max_points_row_visible_and_hidden_subtotals_and_the_roster(graded_class):
    out = graded_class["out"]
    rows = gradebook(out)
    assert list(rows[0]) == ["learner", "id", "name", "email", "total", "visible", "hidden", *ALL_STEPS, "note"]
    maxima, learners = rows[0], {r["learner"]: r for r in rows[1:]}
    tests = results_of(out, "ada")["tests"]
    visible = sum(t["max_score"] for t in tests if t["visibility"] == "visible")
    assert maxima["learner"] == "(max points)"
    assert (float(maxima["total"]), float(maxima["visible"]), float(maxima["hidden"])) == \
        (sum(t["max_score"] for t in tests), visible, sum(t["max_score"] for t in tests) - visible)
    assert sum(float(maxima[s]) for s in ALL_STEPS) == float(maxima["total"])
    assert set(learners) == {"ada", "stubs", "submission_1001", "ivan", "smithsam", "frank", "zoe"}
    for name, row in learners.items():
        assert float(row["visible"]) + float(row["hidden"]) == float(row["total"]), name
    assert learners["ada"]["total"] == maxima["total"] and learners["ada"]["hidden"] == maxima["hidden"]
    # A roster CSV, Gradescope's metadata (read from the export), Canvas's names.
    assert (learners["ada"]["id"], learners["ada"]["name"], learners["ada"]["email"]) == ("7", "Ada Lovelace", "ada@example.edu")
    assert (learners["submission_1001"]["name"], learners["submission_1001"]["id"]) == ("Grace Hopper", "1001")
    assert (learners["smithsam"]["id"], learners["smithsam"]["name"]) == ("2001", "smithsam")
    assert (learners["zoe"]["total"], learners["zoe"]["name"], learners["zoe"]["note"]) == ("0", "Zoe Absent", "no submission")
    assert "submitted late" in learners["smithsam"]["note"] and "cell-1.py as cell.py" in learners["smithsam"]["note"]


def test_a_canvas_learners_flat_files_are_graded_together_from_the_latest_copies(graded_class):
    steps = results_of(graded_class["out"], "smithsam")["extra_data"]["steps"]
    assert steps["sigmoid"]["status"] == "failed" and steps["sigmoid"]["mistake"] == MISTAKES["sigmoid_branches_swapped"][1]
    assert steps["candidate"]["status"] == "passed"  # gates.py, graded with the others
    # cell-1.py is the newer cell.py: its steps fail only for the sigmoid they build on, not for a syntax error.
    assert steps["lstm_step_forward"]["message"].startswith("fix sigmoid first"), steps["lstm_step_forward"]["message"]


def test_the_summary_tells_failing_on_its_own_from_blocked_by_an_earlier_step(graded_class):
    out = graded_class["out"]
    summary = json.loads((out / "summary.json").read_text())
    steps = {row["step"]: row for row in summary["steps"]}
    assert list(steps) == list(ALL_STEPS) and summary["graded"] == 5 and summary["learners"] == 7
    sam_mistake, grace_mistake = MISTAKES["sigmoid_branches_swapped"][1], MISTAKES["cell_update_swaps_gates"][1]
    assert steps["sigmoid"]["failing"] == 1 and steps["sigmoid"]["mistakes"] == {sam_mistake: 1}
    # forget_gate fails for sam only because sigmoid does: blocked, not a failure of forget_gate.
    assert (steps["forget_gate"]["failing"], steps["forget_gate"]["blocked"]) == (0, 1)
    assert steps["forget_gate"]["blocked_by"] == {"sigmoid": 1}
    assert steps["cell_update"]["failing"] == 1 and steps["cell_update"]["mistakes"] == {grace_mistake: 1}
    for row in steps.values():  # every graded learner is counted once per step
        assert row["passed"] + row["failing"] + row["blocked"] + row["not_started"] + row["not_judged"] == 5
    assert steps["sigmoid"]["not_started"] == 1  # the stubs
    assert [hit["learner"] for hit in summary["time_limits"]] == ["ivan"] and "hidden_state" in summary["time_limits"][0]["what"]
    # one learner's failure is shown in its own words, figures kept
    assert list(steps["hidden_state"]["other_failures"]) == ["hidden_state did not answer within 2 s: is there an endless loop?"]
    not_graded = [(r["learner"], r["note"][:13]) for r in summary["not_graded"]]
    assert not_graded == [("frank", "none of gates"), ("zoe", "no submission")]
    table = list(csv.DictReader(open(out / "summary.csv")))
    assert [r["step"] for r in table] == list(ALL_STEPS)
    assert table[1]["blocked by an earlier step"] == "1" and table[1]["blocked by"] == "sigmoid: 1"
    printed = next(line for line in graded_class["stdout"].splitlines() if line.strip().startswith("forget_gate "))
    assert "1 blocked, most by sigmoid" in printed
    assert "report.html" in graded_class["stdout"] and "summary.json" in graded_class["stdout"]


def test_each_learners_report_md_can_be_sent_as_it_is(graded_class):
    out = graded_class["out"]
    said = [t["output"] for f in ("stubs", "submission_1001", "smithsam") for t in results_of(out, f)["tests"]
            if t["visibility"] != "visible" and t["output"]]
    assert said  # hidden checks that failed, with words that must not reach the learner
    for folder in ("ada", "stubs", "submission_1001", "ivan", "smithsam"):
        text = (out / folder / "report.md").read_text()
        tests = results_of(out, folder)["tests"]
        public = "\n".join(t["name"] + "\n" + t["output"] for t in tests if t["visibility"] == "visible")
        for t in tests:
            if t["visibility"] != "visible":
                said = t["name"].split(": ", 1)[1]
                assert said not in text, (folder, said)
                for line in t["output"].splitlines():  # what a hidden check said, where no visible one says it
                    if len(line) > 30 and line not in public:
                        assert line not in text, (folder, line)
        assert tempfile.gettempdir() not in text and "lstm-kit-class-" not in text, folder
        assert not re.search(r"\bmake\b|python -m", text), folder
        assert "Further checks" in text  # the hidden ones, as one line
    assert "Every step shown here passes." in (out / "ada" / "report.md").read_text()
    grace = (out / "submission_1001" / "report.md").read_text()
    assert "Next: fix cell_update() in gates.py." in grace
    assert "not graded" in (out / "frank" / "report.md").read_text()
    from instructor.feedback import feedback_markdown  # a learner who handed in a notebook edits the notebook
    assert "Next: fix cell_update() in your notebook." in feedback_markdown(results_of(out, "submission_1001"), notebook=True)


def test_rendering_escapes_what_an_upload_names(tmp_path):
    from instructor.class_report import render
    from instructor.gradebook import LearnerResult, Maxima
    from instructor.summary import class_summary

    hostile = LearnerResult('<img src="http://x/y.png">', graded=False, note="<script>alert(1)</script>", folder="x")
    document = class_summary([hostile], list(ALL_STEPS), Maxima({}, 100, 0))
    page = render(document, [hostile], list(ALL_STEPS), str(tmp_path))
    assert "<script>alert" not in page and "<img" not in page and "&lt;script&gt;" in page


def test_gradescope_metadata_maps_folders_to_people(tmp_path):
    path = tmp_path / "submission_metadata.yml"
    path.write_text(GRADESCOPE_METADATA + """\
submission_1002:
  :submitters:
  - :name: Pair One
    :sid: '200'
    :email: one@example.edu
  - :name: Pair Two
    :sid: '201'
    :email: two@example.edu
  :created_at: 2026-03-02 09:30:00.000000000 -08:00
""")
    people = roster.from_gradescope(str(path))
    assert people["submission_1001"] == {"id": "1001", "name": "Grace Hopper", "email": "grace@example.edu"}
    assert people["submission_1002"] == {"id": "200 & 201", "name": "Pair One & Pair Two",
                                         "email": "one@example.edu & two@example.edu"}
    bad = tmp_path / "roster.csv"
    bad.write_text("student,email\nx,y\n")
    with pytest.raises(roster.RosterError, match="column named folder"):
        roster.from_csv(str(bad))


def test_regrading_one_learner_replaces_that_row_and_keeps_the_others(graded_class, tmp_path):
    submissions, out = tmp_path / "export", tmp_path / "out"
    shutil.copytree(graded_class["submissions"], submissions)
    shutil.copytree(graded_class["out"], out)
    before = {r["learner"]: r for r in gradebook(out)}
    shutil.rmtree(submissions / "ivan")
    build_submission(submissions / "ivan", done=ALL_STEPS)  # ivan fixed the loop
    done = subprocess.run(["make", "-s", "grade-all", f"SUBMISSIONS={submissions}", f"OUT={out}", f"TESTS={TESTS}",
                           "LEARNER=ivan"], cwd=KIT_ROOT, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    after = {r["learner"]: r for r in gradebook(out)}
    assert after["ivan"]["total"] == after["(max points)"]["total"] != before["ivan"]["total"]
    assert {k: v for k, v in after.items() if k != "ivan"} == {k: v for k, v in before.items() if k != "ivan"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["time_limits"] == [] and summary["learners"] == 7
    page = (out / "report.html").read_text()
    assert 'data-learner="ivan"' in page and "No submission hit a time limit." in page
    assert "Graded ivan again" in done.stdout
    unknown = subprocess.run(["make", "-s", "grade-all", f"SUBMISSIONS={submissions}", f"OUT={out}", f"TESTS={TESTS}",
                              "LEARNER=nobody"], cwd=KIT_ROOT, capture_output=True, text=True)
    assert unknown.returncode != 0 and "no learner named nobody" in unknown.stderr


# The class report in a real browser: Debian's chromium, headless, with nothing to reach.
BROWSERS = ("chromium", "chromium-browser", "google-chrome")
HEADLESS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]


class Page(HTMLParser):
    """The elements of a rendered DOM: (tag, attributes) in document order."""

    def __init__(self, text):
        super().__init__()
        self.elements = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def having(self, tag, css):
        return [a for t, a in self.elements if t == tag and css in (a.get("class") or "").split()]


def browser():
    found = next((shutil.which(name) for name in BROWSERS if shutil.which(name)), None)
    if found is None:
        pytest.skip("no Chromium to open the class report in (Debian: apt-get install -y chromium; .ci/run installs it)")
    return found


def in_browser(page, profile, *how):
    done = subprocess.run([browser(), *HEADLESS, f"--user-data-dir={profile}", *how, page.as_uri()],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def expected_heat(out):
    """{(mistake, step): learners} from each learner's results.json: the mistakes its checks named,
    in the steps that fail on their own (not those failing for an earlier step)."""
    counts = {}
    for folder in os.listdir(out):
        path = out / folder / "results.json"
        if not path.exists():
            continue
        document = json.loads(path.read_text())
        steps = document["extra_data"]["steps"]
        named = {(t["extra_data"]["mistake"], t["extra_data"]["step"]) for t in document["tests"]
                 if t["extra_data"]["mistake"] and steps[t["extra_data"]["step"]]["status"] == "failed"
                 and not steps[t["extra_data"]["step"]]["message"].startswith("fix ")}
        for key in named:
            counts[key] = counts.get(key, 0) + 1
    return counts


def test_the_class_report_renders_in_a_real_browser(graded_class, tmp_path, report_figure):
    out = graded_class["out"]
    report, summary = out / "report.html", json.loads((out / "summary.json").read_text())
    started = time.monotonic()
    dom = Page(in_browser(report, tmp_path / "profile", "--dump-dom"))
    shot = out / "report.png"
    in_browser(report, tmp_path / "profile", f"--screenshot={shot}", "--window-size=1200,1600")
    report_figure(f"the browser rendered the report and its screenshot in {time.monotonic() - started:.1f} s: {shot}")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    bins = dom.having("g", "bin")
    assert [(b["data-bin"], int(b["data-count"])) for b in bins] == [(h["bin"], h["count"]) for h in summary["histogram"]]
    assert len(dom.having("rect", "bar")) == len(summary["histogram"]) == 11
    rows = dom.having("tr", "step-row")
    assert [r["data-step"] for r in rows] == list(ALL_STEPS)
    for row, figures in zip(rows, summary["steps"]):
        assert [int(row[f"data-{k}"]) for k in ("passed", "failing", "blocked", "not-started", "not-judged")] == \
            [figures[k] for k in ("passed", "failing", "blocked", "not_started", "not_judged")]
    heat, mistake = {}, None
    for tag, attrs in dom.elements:
        mistake = attrs.get("data-mistake", mistake) if tag == "tr" else mistake
        if tag == "td" and "hit" in (attrs.get("class") or "").split():
            heat[(mistake, attrs["data-step"])] = int(attrs["data-count"])
    assert heat == expected_heat(out) and heat  # the class's named mistakes, each where it was made
    assert heat[(MISTAKES["cell_update_swaps_gates"][1], "cell_update")] == 1
    assert [r["data-learner"] for r in dom.having("tr", "timed-out")] == ["ivan"]
    learners = dom.having("tr", "learner")
    assert sorted(r["data-learner"] for r in learners) == \
        sorted(["ada", "stubs", "submission_1001", "ivan", "smithsam", "frank", "zoe"])
    # Nothing leaves the page: no source but the page itself, links only to the class's own files.
    assert not [a for _, a in dom.elements if "src" in a]
    links = [a["href"] for t, a in dom.elements if t == "a" and "href" in a]
    assert links and all(not re.match(r"^[a-z][a-z0-9+.-]*:|^//", href, re.IGNORECASE) for href in links), links
    assert all((out / unquote(href)).is_file() for href in links)
    assert "ada/report.md" in links


def test_no_learners_folder_takes_the_name_of_a_class_file():
    from instructor.grade_all import folder_names
    assert folder_names(["summary.json", "Report.html", "gradebook.csv", "ada"]) == \
        ["summary.json-2", "Report.html-2", "gradebook.csv-2", "ada"]
