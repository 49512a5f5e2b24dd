"""Finding a learner's files (gates.py, cell.py, ...) in whatever an upload or an export holds.

Course platforms hand over a learner's work in many shapes: the files at the top, a copy of the
whole kit (``lstm-kit-main/exercises/gates.py``), a zip, a folder per attempt. ``stage`` finds the
files and copies them (with the other Python files beside them, which the learner's code may
import) into one clean folder for the grader. A Jupyter notebook (a bare ``.ipynb``, or one in a
folder or zip that holds none of the files) is written out as the files instead, by parsing
only (grader.sandbox.notebook).

Usable from a shell: ``python -m grader.sandbox.staging SOURCE DEST`` stages and prints what it found.
"""
import ast
import os
import shutil
import stat
import sys
import time
import zipfile
import zlib
from dataclasses import dataclass, field

from grader.course.steps import FILES, STEPS
from grader.sandbox.isolation import MAX_GRADED_BYTES, copy_tree, too_large, write_refusal
from grader.sandbox.notebook import NotebookError, stage_notebook

SKIP_DIRS = {"__MACOSX", "__pycache__", "node_modules", "site-packages"}
MAX_DEPTH = 8
MAX_ZIP_BYTES = 64 << 20
MAX_ZIP_FILES = 2000
FOLDERS_SHOWN = 5  # other folders named in the note on which one was graded


class LayoutError(Exception):
    """An upload that cannot be used (a zip that is damaged, locked, unsafe or too large); its
    message says why in plain words, naming no path outside the upload."""


@dataclass
class Staged:
    folder: str                                  # where the grader should look
    found: dict = field(default_factory=dict)    # file name -> where it was, inside the upload
    missing: list = field(default_factory=list)  # of FILES
    notebook: str = None                         # the notebook the files were written from
    error: str = None                            # why that notebook could not be read
    notes: list = field(default_factory=list)    # for the report: which folder was graded, what was left out
    chosen: str = ""                             # which folder was graded, when there was a choice

    def describe(self):
        if self.notebook:
            return self._describe_notebook()
        if not self.found:
            return f"none of {', '.join(FILES)} was found"
        places = sorted({_label(os.path.dirname(p)) for p in self.found.values()})
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


def readable(text):
    """A name from an upload as text that can be written anywhere: bytes that are not UTF-8 (which
    Python keeps as lone surrogates) shown as \\xNN escapes."""
    try:
        raw = text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no byte stands for
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")


def _label(folder):
    """A folder inside the upload (relative to it), as a note names it."""
    return "the top folder" if folder in ("", ".") else readable(folder.replace(os.sep, "/"))


def _regular(path):
    """A plain file (never a link: it could point at anything on the grading machine)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


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


def is_untouched_stub(path):
    """Whether the file at ``path`` is a stub as handed out: each of its steps' functions (the last
    definition of each name) does nothing but raise NotImplementedError. Read as code, so line
    endings, comments and docstrings do not matter; a file that does not parse is the learner's work."""
    try:
        if os.path.getsize(path) > MAX_GRADED_BYTES:
            return False
        with open(path, "rb") as f:
            tree = ast.parse(f.read())
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    defined = {node.name: node for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    name = os.path.basename(path)
    functions = [defined[f] for step in STEPS if step.file == name for f in step.functions if f in defined]
    return bool(functions) and all(_only_raises_not_implemented(f) for f in functions)


def _only_raises_not_implemented(function):
    body = [s for s in function.body if not isinstance(s, ast.Pass)
            and not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]  # docstring, `...`
    if len(body) != 1 or not isinstance(body[0], ast.Raise) or body[0].exc is None:
        return False
    raised = body[0].exc.func if isinstance(body[0].exc, ast.Call) else body[0].exc
    return isinstance(raised, ast.Name) and raised.id == "NotImplementedError"


@dataclass
class Candidate:
    """A folder of the upload holding some of FILES, and how it ranks against the others."""
    folder: str
    files: dict  # name -> path

    def __post_init__(self):
        self.stubs = all(is_untouched_stub(p) for p in self.files.values())
        self.changed = max(_mtime(p) for p in self.files.values())
        self.depth = self.folder.count(os.sep)

    def rank(self):
        """Lowest first: the learner's work before the untouched stubs, then the folder with the
        most of the files, the most recently changed, the shallowest."""
        return self.stubs, -len(self.files), -self.changed, self.depth, self.folder

    def why_not(self, chosen):
        """Why this folder was not graded, beside ``chosen``."""
        if self.stubs and not chosen.stubs:
            return "the untouched stubs"
        if len(self.files) < len(chosen.files):
            return "fewer of the files"
        if self.changed < chosen.changed:
            return "changed earlier"
        return "deeper in the upload" if self.depth > chosen.depth else "after it by name"


def _mtime(path):
    try:
        return os.lstat(path).st_mtime
    except OSError:
        return 0.0


@dataclass
class Choice:
    """Which files of a folder upload are graded: the chosen folder's, and any it lacks from the
    next best folder that has them."""
    source: str
    ranked: list  # of Candidate, the chosen one first
    origins: dict = field(default_factory=dict)  # name -> path, for each of FILES found

    @property
    def folder(self):
        return self.ranked[0].folder if self.ranked else None

    def direct(self):
        """Whether the upload is its own top folder's files alone, as the worker would copy it."""
        return not self.ranked or (len(self.ranked) == 1 and self.folder == self.source)

    def note(self):
        """Which folder was graded and which were not, when there was more than one."""
        if len(self.ranked) < 2:
            return ""
        chosen, used = self.ranked[0], {os.path.dirname(p) for p in self.origins.values()}
        borrowed = [f"{name} from {self._where(os.path.dirname(path))}" for name, path in self.origins.items()
                    if os.path.dirname(path) != chosen.folder]
        text = f"Graded the files in {self._where(chosen.folder)}" + (f", and {', '.join(borrowed)}" if borrowed else "")
        others = [c for c in self.ranked[1:] if c.folder not in used]
        if others:
            shown = ", ".join(f"{self._where(c.folder)} ({c.why_not(chosen)})" for c in others[:FOLDERS_SHOWN])
            text += f"; not graded: {shown}" + (f" and {len(others) - FOLDERS_SHOWN} more" if len(others) > FOLDERS_SHOWN else "")
        return text + "."

    def _where(self, folder):
        return _label(os.path.relpath(folder, self.source))


def choose(source):
    """The Choice for the folder ``source``: which of its folders' files are graded."""
    source = os.path.abspath(source)
    found = candidates(source)
    folders = {}
    for name, paths in found.items():
        for path in paths:
            folders.setdefault(os.path.dirname(path), {})[name] = path
    ranked = sorted((Candidate(folder, files) for folder, files in folders.items()), key=Candidate.rank)
    choice = Choice(source, ranked)
    for name in FILES:
        having = next((c for c in ranked if name in c.files), None)
        if having:
            choice.origins[name] = having.files[name]
    return choice


def package_notes(folder):
    """A note for each graded file in ``folder`` beside a package of its name, which ``import``
    finds first (as the worker's import does): the package is what is graded."""
    notes = []
    for name in FILES:
        stem = name[:-len(".py")]
        if os.path.isfile(os.path.join(folder, name)) and os.path.isfile(os.path.join(folder, stem, "__init__.py")):
            notes.append(f"{stem}/ is a package, which `import {stem}` finds before {name}: the package is graded, "
                         f"{name} is not.")
    return notes


def stage(source, dest):
    """Copy the learner's files from ``source`` (a folder, a .zip or a .ipynb) into ``dest``; returns Staged.

    ``dest`` is its owner's alone (the grader's) from the start: no worker ever reads it (each
    gets a copy the grader makes), so no learner's code, graded meanwhile as another user, can
    read this upload, even while it is being unpacked. Raises LayoutError, in plain words, for an
    upload that cannot be read.
    """
    os.makedirs(dest, mode=0o700, exist_ok=True)
    os.chmod(dest, 0o700)
    name = readable(os.path.basename(source))
    if os.path.isfile(source) and source.lower().endswith(".ipynb"):
        staged = _from_notebook(source, dest, name)
    elif os.path.isfile(source) and (source.lower().endswith(".zip") or zipfile.is_zipfile(source)):
        unpacked = os.path.join(dest, ".unpacked")
        extract_zip(source, unpacked)
        if not os.listdir(unpacked):
            raise LayoutError(f"{name} is empty")
        staged = stage(unpacked, dest)
        shutil.rmtree(unpacked)
        return staged
    elif os.path.isdir(source):
        staged = _copy_found(source, dest)
    else:
        raise LayoutError(f"{name} is neither a folder, a .zip nor a .ipynb")
    for path in [os.path.join(dest, name) for name in os.listdir(dest)]:
        os.chmod(path, 0o700 if os.path.isdir(path) else 0o600)
    return staged


def _copy_found(source, dest):
    choice = choose(source)
    staged = Staged(dest)
    if choice.folder is None:
        notebooks = notebooks_in(source)
        if notebooks:  # none of the files, but a notebook: the files are in it
            _copy_helpers(os.path.dirname(notebooks[0]), dest)
            staged = _from_notebook(notebooks[0], dest, readable(os.path.relpath(notebooks[0], source)))
            others = [readable(os.path.relpath(p, source)) for p in notebooks[1:]]
            if others:
                staged.notes.append(f"Graded {staged.notebook}, the shallowest notebook; "
                                    f"not graded: {', '.join(others[:5])}{', ...' if len(others) > 5 else ''}.")
            return staged
        staged.missing = list(FILES)
        return staged
    # The chosen folder as the worker would copy it (its packages and data too, within the same
    # limits), then any file it lacks from the next folder that has it.
    skipped = copy_tree(choice.folder, dest)
    for name in FILES:
        origin = choice.origins.get(name)
        if origin is None:
            staged.missing.append(name)
            continue
        if os.path.dirname(origin) != choice.folder:
            _copy_graded(origin, os.path.join(dest, name), skipped)
        staged.found[name] = os.path.relpath(origin, source)
    staged.chosen = choice.note()
    staged.notes = [staged.chosen] if staged.chosen else []
    if skipped:
        staged.notes.append(f"Not copied from the submission: {readable(', '.join(skipped))}.")
    return staged


def _copy_graded(origin, target, skipped):
    size = os.path.getsize(origin)
    if size > MAX_GRADED_BYTES:
        name = os.path.basename(target)
        skipped.append(f"{name} ({too_large(size)})")
        write_refusal(target, f"{name} was not graded: it is {too_large(size)}")
    else:
        shutil.copyfile(origin, target)


def _copy_helpers(folder, dest):
    """The learner's own helper modules come along: their code may import them."""
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        if name.endswith(".py") and _regular(path) and os.path.getsize(path) <= MAX_GRADED_BYTES:
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
    """Unpack a learner's zip into ``dest``, refusing absolute paths, '..', links and zip bombs (a
    member is never written past the size its header gives, whatever its data holds); a zip that
    is damaged, locked or of a kind Python cannot unpack raises LayoutError saying so."""
    name = readable(os.path.basename(path))
    os.makedirs(dest, mode=0o700, exist_ok=True)
    try:
        with zipfile.ZipFile(path) as archive:
            _extract_members(archive, name, dest)
    except LayoutError:
        raise
    except zipfile.LargeZipFile:
        raise LayoutError(f"{name} is too large to be a submission") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as exc:
        raise LayoutError(f"{name} is damaged and could not be unpacked ({readable(str(exc))[:200]})") from None
    except NotImplementedError:  # a compression method zipfile lacks (deflate64, ...)
        raise LayoutError(f"{name} uses a compression method the grader cannot unpack: zip it again with "
                          "your system's own zip tool") from None
    except RuntimeError as exc:  # zipfile's word for a member it needs a password for
        raise LayoutError(f"{name} is encrypted (it needs a password): upload it without one") from exc


def _extract_members(archive, name, dest):
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > MAX_ZIP_FILES or sum(m.file_size for m in members) > MAX_ZIP_BYTES:
        raise LayoutError(f"{name} is too large to be a submission")
    if any(m.flag_bits & 0x1 for m in members):
        raise LayoutError(f"{name} is encrypted (it needs a password): upload it without one")
    for member in members:
        parts = member.filename.replace("\\", "/").split("/")
        if member.filename.startswith(("/", "\\")) or ".." in parts or ":" in parts[0]:
            raise LayoutError(f"{name} holds an unsafe path: {readable(member.filename)[:200]}")
        if stat.S_ISLNK(member.external_attr >> 16):
            continue
        target = os.path.join(dest, *[p for p in parts if p])
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with archive.open(member) as src, open(target, "wb") as out:
                _copy_at_most(src, out, member.file_size, name)
        except OSError as exc:  # a name the file system refuses, a file where a folder should be
            raise LayoutError(f"{name} could not be unpacked: {readable(member.filename)[:200]}: "
                              f"{exc.strerror or type(exc).__name__}") from None
        when = _zip_time(member)
        if when:
            os.utime(target, (when, when))  # which copy is the latest is judged from these


def _copy_at_most(src, out, size, name):
    """Copy a member's data, refusing more of it than its header declared."""
    left = size
    while chunk := src.read(min(1 << 20, left + 1)):
        left -= len(chunk)
        if left < 0:
            raise LayoutError(f"{name} is damaged: a file in it holds more than its header says")
        out.write(chunk)


def _zip_time(member):
    try:
        return time.mktime((*member.date_time, 0, 0, -1))
    except (OverflowError, ValueError):
        return None


def unreadable(exc):
    """Why an upload could not be staged, in plain words and without any path of the grading
    machine: a LayoutError's own words, else what kind of trouble it was."""
    if isinstance(exc, LayoutError):
        return str(exc)
    if isinstance(exc, OSError):
        return exc.strerror or type(exc).__name__
    return f"{type(exc).__name__} while reading it"


def main(argv):
    if len(argv) != 3:
        print("usage: python -m grader.sandbox.staging SOURCE DEST", file=sys.stderr)
        return 2
    try:
        staged = stage(argv[1], argv[2])
    except Exception as exc:
        print(f"could not read the submission: {unreadable(exc)}", file=sys.stderr)
        return 1
    print("\n".join([staged.describe(), *staged.notes]))
    return 0 if not staged.missing else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
