"""Finding a learner's files (gates.py, cell.py, ...) in whatever an upload or an export holds.

Course platforms hand over a learner's work in many shapes: the files at the top, a copy of the
whole kit (``lstm-kit-main/exercises/gates.py``), a zip, a folder per attempt. ``stage`` finds the
files and copies them (with the other Python files beside them, which the learner's code may
import) into one clean folder for the grader. A Jupyter notebook (a bare ``.ipynb``, or one in a
folder or zip that holds none of the files) is written out as the files instead, by parsing
only (grader.sandbox.notebook).

Usable from a shell: ``python -m grader.sandbox.staging SOURCE DEST`` stages and prints what it found.
"""
import os
import shutil
import stat
import sys
import zipfile
from dataclasses import dataclass, field

from grader.course.steps import FILES, STEPS
from grader.sandbox.notebook import NotebookError, stage_notebook

SKIP_DIRS = {"__MACOSX", "__pycache__", "node_modules", "site-packages"}
MAX_DEPTH = 8
MAX_FILE_BYTES = 1 << 20   # a learner's Python file is a few kB; anything this large is not one
MAX_ZIP_BYTES = 64 << 20
MAX_ZIP_FILES = 2000


class LayoutError(Exception):
    """An upload that cannot be used (a zip that is unsafe or too large)."""


@dataclass
class Staged:
    folder: str                                  # where the grader should look
    found: dict = field(default_factory=dict)    # file name -> where it was, inside the upload
    missing: list = field(default_factory=list)  # of FILES
    notebook: str = None                         # the notebook the files were written from
    error: str = None                            # why that notebook could not be read
    notes: list = field(default_factory=list)    # for the report: what the notebook did not give

    def describe(self):
        if self.notebook:
            return self._describe_notebook()
        if not self.found:
            return f"none of {', '.join(FILES)} was found"
        places = sorted({os.path.dirname(p) or "the top folder" for p in self.found.values()})
        text = f"found {', '.join(self.found)} in {', '.join(places)}"
        return text + (f"; missing {', '.join(self.missing)}" if self.missing else "")


    def _describe_notebook(self):
        if self.error:
            return self.error
        if not self.found:
            functions = [f for step in STEPS for f in step.functions]
            return f"the notebook {self.notebook} defines none of the steps' functions ({', '.join(functions)})"
        text = f"the notebook {self.notebook} gives " + ", ".join(f"{name} ({where.split(', ', 1)[1]})"
                                                               for name, where in self.found.items())
        return text + (f"; none of the functions of {', '.join(self.missing)}" if self.missing else "")


def _regular(path):
    """A plain file (never a link: it could point at anything on the grading machine)."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(info.st_mode) and info.st_size <= MAX_FILE_BYTES


def candidates(root):
    """{file name: [paths]} for each of FILES below root, shallowest first."""
    found = {name: [] for name in FILES}
    root = os.path.abspath(root)
    for dirpath, dirnames, filenames in os.walk(root):
        depth = dirpath[len(root):].count(os.sep)
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".")
                             and depth < MAX_DEPTH and not os.path.islink(os.path.join(dirpath, d)))
        for name in FILES:
            if name in filenames and _regular(os.path.join(dirpath, name)):
                found[name].append(os.path.join(dirpath, name))
    for paths in found.values():
        paths.sort(key=lambda p: (p.count(os.sep), p))
    return found


def _main_folder(found):
    """The folder holding the most of the files (the shallowest on a tie)."""
    counts = {}
    for paths in found.values():
        for path in paths:
            folder = os.path.dirname(path)
            counts[folder] = counts.get(folder, 0) + 1
    if not counts:
        return None
    return min(counts, key=lambda f: (-counts[f], f.count(os.sep), f))


def stage(source, dest):
    """Copy the learner's files from ``source`` (a folder, a .zip or a .ipynb) into ``dest``; returns Staged.

    ``dest`` is its owner's alone (the grader's) from the start: no worker ever reads it (each
    gets a copy the grader makes), so no learner's code, graded meanwhile as another user, can
    read this upload, even while it is being unpacked.
    """
    os.makedirs(dest, mode=0o700, exist_ok=True)
    os.chmod(dest, 0o700)
    if os.path.isfile(source) and source.lower().endswith(".ipynb"):
        staged = _from_notebook(source, dest, os.path.basename(source))
    elif os.path.isfile(source) and zipfile.is_zipfile(source):
        unpacked = os.path.join(dest, ".unpacked")
        extract_zip(source, unpacked)
        staged = stage(unpacked, dest)
        shutil.rmtree(unpacked)
        return staged
    else:
        staged = _copy_found(source, dest)
    for path in [os.path.join(dest, name) for name in os.listdir(dest)]:
        os.chmod(path, 0o700 if os.path.isdir(path) else 0o600)
    return staged


def _copy_found(source, dest):
    found = candidates(source)
    main = _main_folder(found)
    staged = Staged(dest)
    if main is None:
        notebooks = notebooks_in(source)
        if notebooks:  # none of the files, but a notebook: the files are in it
            _copy_helpers(os.path.dirname(notebooks[0]), dest)
            staged = _from_notebook(notebooks[0], dest, os.path.relpath(notebooks[0], source))
            others = [os.path.relpath(p, source) for p in notebooks[1:]]
            if others:
                staged.notes.append(f"Graded {staged.notebook}, the shallowest notebook; "
                                    f"not graded: {', '.join(others[:5])}{', ...' if len(others) > 5 else ''}.")
            return staged
        staged.missing = list(FILES)
        return staged
    _copy_helpers(main, dest)
    for name in FILES:
        here = os.path.join(main, name)
        origin = here if here in found[name] else (found[name][0] if found[name] else None)
        if origin is None:
            staged.missing.append(name)
            continue
        if origin != here:
            shutil.copyfile(origin, os.path.join(dest, name))
        staged.found[name] = os.path.relpath(origin, source)
    return staged


def _copy_helpers(folder, dest):
    """The learner's own helper modules come along: their code may import them."""
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if name.endswith(".py") and _regular(path):
            shutil.copyfile(path, os.path.join(dest, name))


def notebooks_in(root):
    """The .ipynb files below root, shallowest first (Jupyter's checkpoints, in a dot folder, never)."""
    found = []
    root = os.path.abspath(root)
    for dirpath, dirnames, filenames in os.walk(root):
        depth = dirpath[len(root):].count(os.sep)
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith(".")
                             and depth < MAX_DEPTH and not os.path.islink(os.path.join(dirpath, d)))
        found += [os.path.join(dirpath, n) for n in filenames
                  if n.lower().endswith(".ipynb") and not os.path.islink(os.path.join(dirpath, n))]
    return sorted(found, key=lambda p: (p.count(os.sep), p))


def _from_notebook(path, dest, label):
    """Staged for the files written from the notebook at ``path`` (named ``label`` to the learner)."""
    staged = Staged(dest, notebook=label)
    try:
        converted = stage_notebook(path, dest)
    except (NotebookError, OSError) as exc:
        staged.missing, staged.error = list(FILES), str(exc)
        staged.notes = [f"{exc}: nothing in it could be graded."]
        return staged
    for name in FILES:
        cells = converted.cells.get(name)
        if cells:
            staged.found[name] = f"{label}, cell{'s' if len(cells) > 1 else ''} {', '.join(map(str, cells))}"
        else:
            staged.missing.append(name)
    staged.notes = converted.notes(label)
    return staged


def extract_zip(path, dest):
    """Unpack a learner's zip, refusing absolute paths, '..', links and zip bombs."""
    with zipfile.ZipFile(path) as archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > MAX_ZIP_FILES or sum(m.file_size for m in members) > MAX_ZIP_BYTES:
            raise LayoutError(f"{os.path.basename(path)} is too large to be a submission")
        for member in members:
            parts = member.filename.replace("\\", "/").split("/")
            if member.filename.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
                raise LayoutError(f"{os.path.basename(path)} holds an unsafe path: {member.filename}")
            if stat.S_ISLNK(member.external_attr >> 16):
                continue
            target = os.path.join(dest, *[p for p in parts if p])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with archive.open(member) as src, open(target, "wb") as out:
                shutil.copyfileobj(src, out)


def main(argv):
    if len(argv) != 3:
        print("usage: python -m grader.sandbox.staging SOURCE DEST", file=sys.stderr)
        return 2
    try:
        staged = stage(argv[1], argv[2])
    except (LayoutError, zipfile.BadZipFile, OSError) as exc:
        print(f"could not read the submission: {exc}", file=sys.stderr)
        return 1
    print("\n".join([staged.describe(), *staged.notes]))
    return 0 if not staged.missing else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
