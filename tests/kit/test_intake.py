"""Intake: every upload of a class gets a row, the files the learner meant are graded (the same by
make grade, grade-all and Gradescope), and no limit hides them.

Which folder is picked, what a zip refuses and how short the notes are: unit tests of staging,
which grade nothing. Then one grade-all run over a class holding every bad case beside ordinary
learners, and make grade on the upload that combines the cases that need grading."""
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from grader.course.steps import FILES, STEPS
from grader.kit import KIT_ROOT
from grader.sandbox.isolation import COPY_FILES, MAX_GRADED_BYTES, copy_tree
from grader.sandbox.staging import LayoutError, is_untouched_stub, package_notes, stage

from conftest import ALL_STEPS, build_submission, grade, learner_rows

STUBS = os.path.join(KIT_ROOT, "exercises")
POINTS = {step: points for step, points in zip(ALL_STEPS, (4, 4, 4, 4, 4, 4, 4, 8, 14, 8, 18, 8, 8, 8))}
NOT_UTF8 = os.fsdecode(b"ren\xe9e")  # a folder name in Latin-1, from an old export


def stubs_in(folder, crlf=False):
    """The kit's stubs, untouched (with Windows line endings if ``crlf``)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        text = open(os.path.join(STUBS, name), newline="").read()
        with open(folder / name, "w", newline="") as f:
            f.write(text.replace("\n", "\r\n") if crlf else text)
    return folder


def touch(folder, when):
    for path in folder.iterdir():
        os.utime(path, (when, when))


def staged(tmp_path, source):
    return stage(str(source), str(tmp_path / "staged"))


def same_text(a, b):
    return open(a, "rb").read() == open(b, "rb").read()


# Which files are graded


def test_the_kits_stubs_are_untouched_stubs_whatever_their_line_endings(tmp_path):
    crlf = stubs_in(tmp_path / "crlf", crlf=True)
    done = build_submission(tmp_path / "done", done=ALL_STEPS[:1])  # sigmoid written below its stub
    for name in FILES:
        assert is_untouched_stub(os.path.join(STUBS, name)) and is_untouched_stub(str(crlf / name)), name
        assert not is_untouched_stub(os.path.join(KIT_ROOT, "solutions", name)), name
    assert not is_untouched_stub(str(done / "gates.py")) and is_untouched_stub(str(done / "cell.py"))
    (crlf / "gates.py").write_text("def sigmoid(:\n")
    assert not is_untouched_stub(str(crlf / "gates.py"))  # a file that does not parse is the learner's work


def test_the_learners_work_wins_over_the_untouched_stubs_wherever_each_is(tmp_path):
    upload = tmp_path / "upload"
    stubs_in(upload / "lstm-kit-main" / "exercises", crlf=True)
    build_submission(upload / "mywork", done=ALL_STEPS)
    touch(upload / "lstm-kit-main" / "exercises", 2e9)  # the stubs even saved later
    got = staged(tmp_path, upload)
    assert got.found == {name: os.path.join("mywork", name) for name in FILES}
    assert got.chosen == "Graded the files in mywork; not graded: lstm-kit-main/exercises (the untouched stubs)."
    assert got.chosen in got.notes
    assert all(same_text(upload / "mywork" / name, tmp_path / "staged" / name) for name in FILES)


def test_edited_files_at_the_top_win_over_the_kits_exercises_beside_them(tmp_path):
    upload = build_submission(tmp_path / "upload", done=ALL_STEPS)
    stubs_in(upload / "exercises")
    got = staged(tmp_path, upload)
    assert set(got.found.values()) == set(FILES)
    assert got.chosen == "Graded the files in the top folder; not graded: exercises (the untouched stubs)."


def test_between_two_copies_of_work_the_latest_wins_then_the_shallowest(tmp_path):
    upload = tmp_path / "upload"
    build_submission(upload / "old", done=ALL_STEPS[:2])
    build_submission(upload / "deep" / "new", done=ALL_STEPS[:3])
    touch(upload / "old", 1.7e9)
    touch(upload / "deep" / "new", 1.8e9)
    got = staged(tmp_path, upload)
    assert got.found["gates.py"] == os.path.join("deep", "new", "gates.py")
    assert got.chosen == "Graded the files in deep/new; not graded: old (changed earlier)."
    touch(upload / "old", 1.8e9)
    got = stage(str(upload), str(tmp_path / "again"))
    assert got.found["gates.py"] == os.path.join("old", "gates.py")
    assert got.chosen == "Graded the files in old; not graded: deep/new (deeper in the upload)."


def test_a_file_the_learners_folder_lacks_comes_from_the_next_best_folder(tmp_path):
    upload = tmp_path / "upload"
    stubs_in(upload / "exercises")
    work = build_submission(upload / "work", done=ALL_STEPS)
    os.remove(work / "memory.py")
    got = staged(tmp_path, upload)
    assert got.found["memory.py"] == os.path.join("exercises", "memory.py") and not got.missing
    assert got.chosen == "Graded the files in work, and memory.py from exercises."


def test_a_zip_keeps_its_files_times_so_the_latest_copy_is_known(tmp_path):
    upload = tmp_path / "upload.zip"
    old, new = build_submission(tmp_path / "old", done=ALL_STEPS), build_submission(tmp_path / "new", done=ALL_STEPS)
    with zipfile.ZipFile(upload, "w") as archive:
        for folder, when in ((old, (2020, 1, 1, 0, 0, 0)), (new, (2024, 1, 1, 0, 0, 0))):
            for name in FILES:
                info = zipfile.ZipInfo(f"{folder.name}/{name}", when)
                archive.writestr(info, (folder / name).read_text())
    got = staged(tmp_path, upload)
    assert got.chosen == "Graded the files in new; not graded: old (changed earlier)."


def test_a_package_beside_a_graded_file_comes_along_and_is_named(tmp_path):
    upload = build_submission(tmp_path / "upload", done=ALL_STEPS)
    (upload / "gates").mkdir()
    shutil.move(upload / "gates.py", upload / "gates" / "__init__.py")
    shutil.copy(os.path.join(STUBS, "gates.py"), upload / "gates.py")
    staged(tmp_path, upload)
    assert same_text(upload / "gates" / "__init__.py", tmp_path / "staged" / "gates" / "__init__.py")
    assert package_notes(str(tmp_path / "staged")) == package_notes(str(upload)) == [
        "gates/ is a package, which `import gates` finds before gates.py: the package is graded, gates.py is not."]


# Limits


def test_the_graded_files_are_copied_before_any_data_and_the_note_is_short(tmp_path):
    upload = build_submission(tmp_path / "upload", done=ALL_STEPS)
    (upload / "helpers.py").write_text("X = 1\n")
    (upload / "data").mkdir()
    for k in range(1_200):
        (upload / "data" / f"a{k:05}.txt").write_text("1")
    got = staged(tmp_path, upload)
    assert not got.missing
    assert all(same_text(upload / name, tmp_path / "staged" / name) for name in [*FILES, "helpers.py"])
    assert len(os.listdir(tmp_path / "staged" / "data")) == COPY_FILES - len(FILES) - 1
    note = next(n for n in got.notes if n.startswith("Not copied"))
    assert note == (f"Not copied from the submission: {1_200 - COPY_FILES + 5} entries (over the 64 MiB / "
                    f"{COPY_FILES}-file copy budget): data/a00495.txt, data/a00496.txt, data/a00497.txt and "
                    f"{1_200 - COPY_FILES + 2} more.")
    # The worker's own copy (make grade gives it the folder as it is) spends its budget alike.
    (tmp_path / "worker").mkdir()
    skipped = copy_tree(str(upload), str(tmp_path / "worker"))
    assert [f"Not copied from the submission: {', '.join(skipped)}."] == [note]


def test_a_long_graded_file_is_graded_and_one_over_the_limit_is_refused_by_name(tmp_path):
    upload = build_submission(tmp_path / "upload", done=ALL_STEPS)
    with open(upload / "gates.py", "a") as f:  # 1.2 MiB of comments: fine
        f.write(("# " + "c" * 98 + "\n") * 12_000)
    with open(upload / "cell.py", "a") as f:  # 5 MiB: over the limit
        f.write(("# " + "c" * 98 + "\n") * (5 * MAX_GRADED_BYTES // 400))
    got, size = staged(tmp_path, upload), f"{os.path.getsize(upload / 'cell.py') / (1 << 20):.1f} MiB"
    assert same_text(upload / "gates.py", tmp_path / "staged" / "gates.py") and set(got.found) == set(FILES)
    assert f"Not copied from the submission: cell.py ({size}, over the 4 MiB limit for a graded file)." in got.notes
    # In cell.py's place, a module whose import says why: every step of it is told, none is "missing".
    assert f"cell.py was not graded: it is {size}, over the 4 MiB limit" in (tmp_path / "staged" / "cell.py").read_text()


# Uploads that cannot be read


def _zip(path, files):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return path


def _patched(path, edit):
    data = bytearray(path.read_bytes())
    edit(data)
    path.write_bytes(bytes(data))
    return path


def _set_all(data, signature, offset, value, size):
    """Every local (PK\\3\\4) or central (PK\\1\\2) header's field at ``offset`` set to ``value``."""
    k = data.find(signature)
    while k >= 0:
        data[k + offset:k + offset + size] = value.to_bytes(size, "little")
        k = data.find(signature, k + 4)


def _or_flag(data, signature, offset):
    k = data.find(signature)
    while k >= 0:
        data[k + offset] |= 1
        k = data.find(signature, k + 4)


def bad_zips(folder):
    """{name: (the zip, what the learner is told)}: each refused in plain words."""
    files = {f"work/{name}": open(os.path.join(KIT_ROOT, "solutions", name)).read() for name in FILES}
    made = {}
    locked = _patched(_zip(folder / "locked.zip", files),
                      lambda d: (_or_flag(d, b"PK\x03\x04", 6), _or_flag(d, b"PK\x01\x02", 8)))
    made["locked"] = (locked, "locked.zip is encrypted (it needs a password): upload it without one")
    damaged = _patched(_zip(folder / "damaged.zip", files),
                       lambda d: d.__setitem__(slice(200, 260), b"\xff" * 60))  # inside gates.py's deflated data
    made["damaged"] = (damaged, "damaged.zip is damaged and could not be unpacked (")
    small = _patched(_zip(folder / "shrunk.zip", files),  # headers say 10 bytes for every file
                     lambda d: (_set_all(d, b"PK\x03\x04", 22, 10, 4), _set_all(d, b"PK\x01\x02", 24, 10, 4)))
    made["shrunk"] = (small, "shrunk.zip is damaged and could not be unpacked (")
    with zipfile.ZipFile(folder / "empty.zip", "w"):
        pass
    made["empty"] = (folder / "empty.zip", "empty.zip is empty")
    (folder / "notazip.zip").write_bytes(b"PK\x03\x04 this was cut short by a browser")
    made["notazip"] = (folder / "notazip.zip", "notazip.zip is damaged and could not be unpacked (")
    return made


def overstated_zip(path):
    """The reference, in a zip whose headers say each file is larger than its data: whole, so graded."""
    files = {f"work/{name}": open(os.path.join(KIT_ROOT, "solutions", name)).read() for name in FILES}
    return _patched(_zip(path, files),
                    lambda d: (_set_all(d, b"PK\x03\x04", 22, 10**6, 4), _set_all(d, b"PK\x01\x02", 24, 10**6, 4)))


def test_zips_that_cannot_be_read_are_refused_in_plain_words(tmp_path):
    (tmp_path / "zips").mkdir()
    for name, (path, said) in bad_zips(tmp_path / "zips").items():
        with pytest.raises(LayoutError) as refused:
            stage(str(path), str(tmp_path / name))
        assert str(refused.value).startswith(said), (name, str(refused.value))
        assert str(tmp_path) not in str(refused.value)
    got = stage(str(overstated_zip(tmp_path / "overstated.zip")), str(tmp_path / "overstated"))
    assert not got.missing
    assert all(same_text(os.path.join(KIT_ROOT, "solutions", name), tmp_path / "overstated" / name) for name in FILES)


def test_a_crash_while_grading_one_learner_is_their_row_alone(tmp_path, monkeypatch):
    from instructor import grade_all

    def broken(*args):
        raise OSError(28, "No space left on device", str(tmp_path / "somewhere"))
    monkeypatch.setattr(grade_all, "grade_learner", broken)
    staged_copy = staged(tmp_path, build_submission(tmp_path / "upload"))
    row = grade_all.grade_safely("zoe", staged_copy, "", str(tmp_path / "out"), "tests", 10, 60)
    assert (row.learner, row.graded, row.score) == ("zoe", False, 0)
    assert row.note == "could not be graded (OSError: No space left on device)"
    assert not os.path.exists(staged_copy.folder)


# A class holding every case


def combined(folder):
    """An upload with every case that must still be graded in full: the untouched stubs beside the
    learner's copy, which has gates/ as a package beside a stub gates.py, a 1.2 MiB cell.py and a
    data/ folder of 600 files."""
    stubs_in(folder / "lstm-kit-main" / "exercises")
    work = build_submission(folder / "mywork", done=ALL_STEPS)
    (work / "gates").mkdir()
    shutil.move(work / "gates.py", work / "gates" / "__init__.py")
    shutil.copy(os.path.join(STUBS, "gates.py"), work / "gates.py")
    with open(work / "cell.py", "a") as f:
        f.write(("# " + "c" * 98 + "\n") * 12_000)
    (work / "data").mkdir()
    for k in range(600):
        (work / "data" / f"a{k:03}.txt").write_text("1")
    return folder


def in_order(lines, among):
    """Whether every one of ``lines`` is among ``among``, in that order."""
    found = [among.index(line) for line in lines if line in among]
    return len(found) == len(lines) and found == sorted(found)


COMBINED_NOTES = [
    "Graded the files in mywork; not graded: lstm-kit-main/exercises (the untouched stubs).",
    "Not copied from the submission: 105 entries (over the 64 MiB / 500-file copy budget): data/a495.txt, "
    "data/a496.txt, data/a497.txt and 102 more.",
    "gates/ is a package, which `import gates` finds before gates.py: the package is graded, gates.py is not.",
]


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    """One grade-all run: (gradebook rows by learner, the class's output folder, the summary)."""
    root = tmp_path_factory.mktemp("intake")
    submissions, out = root / "export", root / "class"
    submissions.mkdir()
    for path, _ in bad_zips(submissions).values():
        assert path.parent == submissions
    overstated_zip(submissions / "overstated.zip")
    build_submission(submissions / "reference", done=ALL_STEPS)
    build_submission(submissions / "stubs")
    build_submission(submissions / NOT_UTF8, done=ALL_STEPS)
    (submissions / "ren\\xe9e").mkdir()  # a name that reads like the other one's escape: no files
    combined(submissions / "sam")
    done = subprocess.run([sys.executable, "-m", "instructor", "grade-all", str(submissions), "--out", str(out),
                           "--jobs", "2", "--skip-reference-check"], cwd=KIT_ROOT, capture_output=True,
                          text=True, env={**os.environ, "NO_COLOR": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    rows = learner_rows(out / "gradebook.csv")
    return rows, out, done.stdout, str(root)


def test_every_upload_of_the_class_is_a_row(graded_class):
    rows, _, summary, root = graded_class
    assert set(rows) == {"locked", "damaged", "shrunk", "overstated", "empty", "notazip", "reference", "stubs",
                         "ren\\xe9e", "ren\\\\xe9e", "sam"}
    for learner, row in rows.items():
        full = learner in ("overstated", "reference", "ren\\xe9e", "sam")
        assert float(row["total"]) == (100 if full else 0), learner
        assert {step: float(row[step]) for step in ALL_STEPS} == {s: POINTS[s] if full else 0 for s in ALL_STEPS}
        assert root not in row["note"] and "/tmp" not in row["note"] and "Errno" not in row["note"], row["note"]
    assert sum(POINTS.values()) == 100 and len(POINTS) == len(STEPS)
    assert "Not graded (6;" in summary


def test_an_upload_that_cannot_be_read_says_why(graded_class, tmp_path):
    rows = graded_class[0]
    for name, (_, said) in bad_zips(tmp_path).items():
        assert rows[name]["note"].startswith(f"upload could not be read: {said}"), rows[name]["note"]
    assert rows["ren\\\\xe9e"]["note"] == "none of gates.py, cell.py, sequence.py, memory.py found"
    assert rows["stubs"]["note"] == ""  # graded, every step "not started"


def test_the_combined_upload_is_graded_in_full_and_told_what_was_graded(graded_class):
    rows, out, _, _ = graded_class
    assert rows["sam"]["note"] == COMBINED_NOTES[0]
    results = json.load(open(out / "sam" / "results.json"))
    assert in_order(COMBINED_NOTES, results["output"].split("\n"))
    assert len(json.dumps(results)) < 50_000


def test_make_grade_grades_the_same_files_as_grade_all(graded_class, tmp_path):
    """make grade on the same folder: the same score per step and the same notes."""
    graded = grade(combined(tmp_path / "sam"), tmp_path / "results")
    assert graded.exit_code == 0, graded.output
    class_steps = json.load(open(graded_class[1] / "sam" / "results.json"))["extra_data"]["steps"]
    assert {s: graded.points(s) for s in ALL_STEPS} == {s: class_steps[s]["points"] for s in ALL_STEPS} == POINTS
    assert in_order(COMBINED_NOTES, graded.results["output"].split("\n"))
    assert "lstm-kit: grading" in graded.output and os.path.join("sam", "mywork") in graded.output


def test_no_two_uploads_get_the_same_name(tmp_path):
    from instructor.grade_all import discover
    from instructor.gradebook import cell

    names = [b"a" * 250 + b"\xe9", b"a" * 250 + b"\xe8", b"ren\xe9e", b"ren\\xe9e", b"bob", b"x\x1by"]
    for name in names:
        os.mkdir(os.path.join(os.fsencode(str(tmp_path)), name))
    (tmp_path / "bob.zip").write_bytes(b"PK")
    learners = [name for name, _ in discover(str(tmp_path))]
    assert len({cell(name) for name in learners}) == len(learners) == len(names) + 1
    assert {"ren\\xe9e", "ren\\\\xe9e", "bob", "bob.zip"} <= set(learners)
    assert all(name.encode("utf-8") for name in learners)  # no lone surrogate left
