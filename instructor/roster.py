"""Who each submission is: a roster's id, name and email for the gradebook's learner column, and
Canvas's flat exports grouped into one learner each.

- Gradescope's "Export Submissions" holds ``submission_metadata.yml`` beside one folder per
  submission: ``submission_123: {":submitters": [{":name": .., ":sid": .., ":email": ..}], ...}``.
  Found at the top of the submissions folder, it is read without being asked for.
- A CSV roster (``--roster FILE``) maps a submission's folder, zip or notebook name to id, name
  and email: a header row with ``folder`` (or ``learner``, ``submission``) and any of ``id``,
  ``name``, ``email``.
- Canvas's "Download Submissions" is flat: every file of every learner in one folder, named
  ``lastfirst_123_456_gates.py`` (``lastfirst_late_123_456_gates.py`` when late), with Canvas's
  ``-1``, ``-2`` on a file uploaded again under the same name (``gates-1.py``). Such files are
  grouped by learner (the user id, 123), each group graded as one folder of the files under their
  own names, the latest copy of each.
"""
import csv
import os
import re
import shutil
from dataclasses import dataclass, field

from grader.sandbox.staging import readable
from instructor.common import ToolError

GRADESCOPE_METADATA = "submission_metadata.yml"
FOLDER_COLUMNS = ("folder", "learner", "submission")
CANVAS = re.compile(r"^(?P<name>[A-Za-z0-9]+)_(?:(?P<late>late)_)?(?P<user>\d+)_(?:(?P<attachment>\d+)_)?(?P<file>.+)$",
                    re.IGNORECASE)
RENAMED = re.compile(r"^(?P<stem>.+?)-(?P<copy>\d+)(?P<ext>\.[^.]+)?$")  # Canvas's gates-1.py for gates.py
WHOLE = (".zip", ".ipynb")  # an upload that is a submission by itself


class RosterError(ToolError):
    """A roster that cannot be read; the message says which file and why."""


def from_gradescope(path):
    """{submission folder: {"id", "name", "email"}} from Gradescope's submission_metadata.yml; a
    group submission's members are joined with " & "."""
    import yaml

    class Loader(yaml.SafeLoader):
        """Safe, and a tag of Ruby's (which wrote the file) read as plain data, never as an object."""

    Loader.add_multi_constructor("!", lambda loader, tag, node: loader.construct_yaml_str(node)
                                 if isinstance(node, yaml.ScalarNode) else None)
    try:
        with open(path, encoding="utf-8") as f:
            document = yaml.load(f, Loader=Loader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RosterError(f"{path} cannot be read: {exc}") from None
    if not isinstance(document, dict):
        raise RosterError(f"{path} is not Gradescope's submission metadata (a mapping of submission folders)")
    people = {}
    for folder, entry in document.items():
        submitters = entry.get(":submitters") if isinstance(entry, dict) else None
        if not isinstance(submitters, list):
            continue
        members = [s for s in submitters if isinstance(s, dict)]
        people[str(folder)] = {key: " & ".join(str(m.get(f":{field}") or "") for m in members)
                               for key, field in (("id", "sid"), ("name", "name"), ("email", "email"))}
    return people


def from_csv(path):
    """{folder: {"id", "name", "email"}} from a CSV roster with a header row."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise RosterError(f"{path} cannot be read: {exc}") from None
    header = {(k or "").strip().lower(): k for k in (rows[0].keys() if rows else [])}
    folder = next((header[c] for c in FOLDER_COLUMNS if c in header), None)
    if folder is None:
        raise RosterError(f"{path} needs a header row with a column named {' or '.join(FOLDER_COLUMNS)}")
    return {row[folder].strip(): {c: (row.get(header[c]) or "").strip() for c in ("id", "name", "email") if c in header}
            for row in rows if (row.get(folder) or "").strip()}


def load(submissions, roster=None):
    """Everyone the class's files name: Gradescope's metadata in ``submissions``, then ``roster``
    (a .csv, or a .yml of Gradescope's), which wins where both name a folder."""
    people = {}
    metadata = os.path.join(submissions, GRADESCOPE_METADATA)
    if os.path.isfile(metadata):
        people.update(from_gradescope(metadata))
    if roster:
        people.update(from_gradescope(roster) if roster.lower().endswith((".yml", ".yaml")) else from_csv(roster))
    return people


def matches(learner, name):
    """Whether a roster's folder ``name`` is this learner's: a folder, or a zip or notebook by its name or stem."""
    return name in (learner, os.path.splitext(learner)[0]) or os.path.splitext(name)[0] == learner


def apply(results, people):
    """Each result's ``who`` from the roster's entry for its learner (a folder, or a zip or
    notebook by its name or stem); a Canvas learner's note (late, renamed copies) joins theirs."""
    for r in results:
        entry = dict(next((e for name, e in people.items() if matches(r.learner, name)), {}))
        note = entry.pop("note", "")
        r.who = {k: v for k, v in entry.items() if v}
        r.note = "; ".join(filter(None, (r.note, note)))


@dataclass
class CanvasLearner:
    """One learner's files in a Canvas export."""
    name: str
    user: str
    late: bool = False
    files: dict = field(default_factory=dict)  # name to grade it under -> (Canvas's copy number, path)

    def add(self, filename, path):
        renamed = RENAMED.match(filename)
        target, copy = (renamed["stem"] + (renamed["ext"] or ""), int(renamed["copy"])) if renamed else (filename, 0)
        if target not in self.files or copy >= self.files[target][0]:
            self.files[target] = (copy, path)

    def note(self):
        later = [f"{os.path.basename(path)} as {name}" for name, (copy, path) in sorted(self.files.items()) if copy]
        said = ["submitted late (Canvas)"] if self.late else []
        return "; ".join(said + ([f"graded Canvas's latest copies: {', '.join(map(readable, later))}"] if later else []))


def canvas_learners(submissions):
    """{user id: CanvasLearner} for the files named as Canvas names them, at the top of ``submissions``."""
    found = {}
    for entry in sorted(os.listdir(submissions)):
        path = os.path.join(submissions, entry)
        named = CANVAS.match(entry)
        if not named or entry.startswith(".") or not os.path.isfile(path) or os.path.islink(path):
            continue
        learner = found.setdefault(named["user"], CanvasLearner(named["name"].lower(), named["user"]))
        learner.late = learner.late or bool(named["late"])
        learner.add(named["file"], path)
    return found


def regroup(learners, submissions, work):
    """``learners`` (grade_all.discover's (name, path) pairs) with Canvas's flat files taken out and
    each Canvas learner put in as one: their files copied under their own names into a folder of
    ``work`` (a lone zip or notebook as it is). Returns (learners, {name: roster entry})."""
    canvas = canvas_learners(submissions)
    if not canvas:
        return learners, {}
    taken = {path for group in canvas.values() for _, path in group.files.values()}
    kept = [entry for entry in learners if entry[1] not in taken]
    names = {entry[0] for entry in kept}
    people, added = {}, []
    for user, group in sorted(canvas.items(), key=lambda item: (item[1].name, item[0])):
        name = group.name if group.name not in names else f"{group.name}_{user}"
        names.add(name)
        folder = os.path.join(work, "canvas", user)
        os.makedirs(folder)
        for target, (_, path) in group.files.items():
            shutil.copyfile(path, os.path.join(folder, os.path.basename(target)))
        whole = [t for t in group.files if t.lower().endswith(WHOLE)]
        source = os.path.join(folder, whole[0]) if len(group.files) == 1 and whole else folder
        added.append((name, source))
        people[name] = {"id": user, "name": group.name, "note": group.note()}
    return sorted(kept + added, key=lambda entry: entry[0]), people
