"""The worker: the only process that runs submission code.

It imports the learner's modules by bare name from the submission folder, calls what the grader
asks for on the arrays it is sent, and answers with plain data (see ``protocol``). It never
judges anything: every verdict is made in the grader's own process.
"""
import importlib
import json
import linecache
import os
import sys
import time
import traceback
import warnings

import numpy as np

from grader.sandbox.limits import BoundedOutput, StartFailed, bounded_text, confine
from grader.sandbox.perturb import copied, perturbed_outputs
from grader.sandbox.protocol import FROM_NOTEBOOK, Ref, read_message, write_message

_kept = {}  # Ref id -> object the grader may hand back (a learner's cache)


class _Broken:
    """Stands in for submission files the grader already knows do not import (an endless loop
    at import time, say), so a file that imports one fails at once instead of running it again."""

    names = set()

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name in cls.names:
            raise ImportError(f"{name}.py could not be imported", name=name)
        return None


def _in_folder(filename, folder):
    return os.path.dirname(os.path.abspath(filename)) == folder


def _submission_frame(tb, folder):
    """The innermost traceback entry in a submission file: (file, line, function, source)."""
    inside = [f for f in traceback.extract_tb(tb) if _in_folder(f.filename, folder)]
    return inside[-1] if inside else None


FRAMES_SENT, LINES_SENT, SHAPES_SENT = 6, 300, 200


def _frame_text(frame, lineno):
    """The lines of the function a frame runs, from its first line (its def, or first decorator)
    to its last line of code, as the grader reads them to tell where a value's shape came from."""
    code = frame.f_code
    last = max([line for _, _, line in code.co_lines() if line] + [lineno])
    return code.co_firstlineno, linecache.getlines(code.co_filename)[code.co_firstlineno - 1:last][:LINES_SENT]


def _shapes(frame):
    """{name: shape} of the frame's local NumPy arrays, at the moment of the error."""
    shapes = {}
    for name, value in list(frame.f_locals.items())[:10 * SHAPES_SENT]:
        if isinstance(name, str) and type(value) is np.ndarray and len(shapes) < SHAPES_SENT:
            shapes[name] = list(value.shape)
    return shapes


def _learner_frames(tb, folder):
    """The traceback's frames in submission files, outermost first (the last few): for each, its
    file, line, function, its function's source lines and the shapes of its local arrays. The
    worker only reads them; the grader makes sense of them (``grader.sandbox.origin``)."""
    frames = []
    while tb is not None:  # a module's own frame (an import) holds no function to read
        if _in_folder(tb.tb_frame.f_code.co_filename, folder) and tb.tb_frame.f_code.co_name != "<module>":
            frames.append((tb.tb_frame, tb.tb_lineno))
        tb = tb.tb_next
    sent = []
    for frame, lineno in frames[-FRAMES_SENT:]:
        first, lines = _frame_text(frame, lineno)
        sent.append({"file": os.path.basename(frame.f_code.co_filename), "line": lineno,
                     "function": frame.f_code.co_name, "first": first,
                     "lines": [line.rstrip("\n") for line in lines], "shapes": _shapes(frame)})
    return sent


def _error(exc, folder, module, function=None):
    frame = _submission_frame(exc.__traceback__, folder)
    where = None
    if isinstance(exc, SyntaxError) and exc.filename and os.path.dirname(os.path.abspath(exc.filename)) == folder:
        where = {"file": os.path.basename(exc.filename), "line": exc.lineno, "function": None,
                 "source": (exc.text or "").strip()}
    elif frame is not None:
        where = {"file": os.path.basename(frame.filename), "line": frame.lineno,
                 "function": frame.name, "source": (frame.line or "").strip()}
    kind = "exception"
    if isinstance(exc, NotImplementedError) and where and where["function"]:
        # A stub raised it: the called function's own, or one it calls on the learner's side.
        kind = "not_implemented" if where["function"] == function else "blocked"
    try:
        message = str(exc)[:1000]
    except BaseException:
        message = "<message could not be shown>"
    try:
        frames = _learner_frames(exc.__traceback__, folder) if where and where["function"] else []
    except Exception:  # a frame that cannot be read: the error is told without them
        frames = []
    return {"ok": False, "kind": kind, "type": type(exc).__name__, "message": message,
            "where": where, "module": module, "frames": frames}


def _import(module, folder):
    """The learner's module, or an error reply saying why it does not import."""
    if not os.path.isfile(os.path.join(folder, module + ".py")):
        return None, {"ok": False, "kind": "missing", "type": "FileNotFoundError", "module": module,
                      "message": f"{module}.py is missing from the submission folder", "where": None}
    try:
        return importlib.import_module(module), None
    except BaseException as exc:  # SystemExit and KeyboardInterrupt at import time count too
        reply = _error(exc, folder, module)
        reply["kind"] = "import"
        return None, reply


def _handle_import(request, folder):
    _Broken.names = set(request.get("broken") or ())
    return _import(request["module"], folder)[1] or {"ok": True}


def _resolve(module, function, folder):
    """The learner's function, or an error reply saying why it cannot be had."""
    mod, reply = _import(module, folder)
    if mod is None:
        return None, reply
    fn = getattr(mod, function, None)
    if not callable(fn):
        doc = getattr(mod, "__doc__", None)
        written = isinstance(doc, str) and doc.startswith(f"{module}.py{FROM_NOTEBOOK}")
        place = "the notebook" if written else f"{module}.py"
        return None, {"ok": False, "kind": "missing", "type": "AttributeError", "module": module,
                      "message": f"{place} defines no function named {function}", "where": None}
    return fn, None


def _unref(value):
    return _kept.get(value.id) if isinstance(value, Ref) else value


def _call(fn, args):
    """Call fn(*args), recording warnings; returns (result, warning texts, where each was raised)."""
    with warnings.catch_warnings(record=True) as caught, np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
        warnings.simplefilter("always")
        result = fn(*args)
    first = {}  # each text once, where it was first raised
    for w in caught:
        first.setdefault(f"{w.category.__name__}: {w.message}", w)
    texts = list(first)[:5]
    return result, texts, [_warned_at(first[text]) for text in texts]


def _warned_at(w):
    """Where a warning was raised, when that is a line of the submission: file, line, source."""
    if not isinstance(w.filename, str) or not _in_folder(w.filename, os.getcwd()):
        return None
    return {"file": os.path.basename(w.filename), "line": w.lineno,
            "source": linecache.getline(w.filename, w.lineno).strip()}


def _unchanged(now, before):
    """Whether an argument is as it was before the call: an array, or a dict of them (params)."""
    if isinstance(before, dict):
        return isinstance(now, dict) and now.keys() == before.keys() and all(_unchanged(now[k], before[k]) for k in before)
    if not isinstance(before, np.ndarray):
        return True  # not an array: nothing the grader compares
    return isinstance(now, np.ndarray) and now.shape == before.shape and np.array_equal(now, before, equal_nan=True)


def _as_left(arg):
    """An argument as the call left it, to send back: an array, or a dict's arrays by key (params;
    an entry that is no array any more is None); anything else, which the grader does not
    compare, as None, so the reply stays small."""
    if isinstance(arg, dict):
        return {k: v if isinstance(v, np.ndarray) else None for k, v in arg.items() if isinstance(k, str)}
    return arg if isinstance(arg, np.ndarray) else None


def _handle_call(fn, request):
    args = [_unref(a) for a in request["args"]]
    # What the grader sent, as it was; a cache kept here is the learner's own to change.
    before = [None if isinstance(r, Ref) else copied(a) for r, a in zip(request["args"], args)]
    result, caught, places = _call(fn, args)
    mutated = [k for k, (a, b) in enumerate(zip(args, before)) if not _unchanged(a, b)]
    keep = request.get("keep") or ()
    if keep and isinstance(result, (tuple, list)) and max(keep) < len(result):
        result = list(result)
        for k in keep:
            _kept[len(_kept)] = result[k]
            result[k] = Ref(len(_kept) - 1)
        result = tuple(result)
    reply = {"ok": True, "value": result, "warnings": caught, "warned_at": places, "mutated": mutated}
    if request.get("inputs_back"):  # the grader compares them with what it sent
        reply["after"] = [None if isinstance(r, Ref) else _as_left(a) for r, a in zip(request["args"], args)]
    return reply


def _handle_perturbed(fn, request):
    """Outputs of fn on copies of args, each with one coordinate moved (for gradient checks), and
    the seconds they took, by which the grader sizes a gradient check's next request.

    A move names an argument by its index, or by [index, key] for an array inside a dict argument.
    """
    started = time.perf_counter()
    stacks = perturbed_outputs(lambda args: _call(fn, args)[0], request["args"], request["perturb"],
                               request["outputs"])
    return {"ok": True, "value": stacks, "seconds": time.perf_counter() - started}


def _handle_is_stub(fn, request):
    """Whether fn is still the untouched stub: only a docstring, comments and the raise."""
    import ast
    import inspect
    import textwrap
    try:
        body = ast.parse(textwrap.dedent(inspect.getsource(fn))).body[0].body
    except (OSError, TypeError, SyntaxError, IndexError, AttributeError):
        return {"ok": True, "value": False}
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    stub = (len(body) == 1 and isinstance(body[0], ast.Raise) and body[0].exc is not None
            and "NotImplementedError" in ast.unparse(body[0].exc))
    return {"ok": True, "value": stub}


HANDLERS = {"call": _handle_call, "perturbed": _handle_perturbed, "is_stub": _handle_is_stub}


def serve(requests, replies, folder, output):
    me = os.getpid()
    while True:
        try:
            request = read_message(requests)
        except EOFError:
            return
        output.reset()
        if request["op"] == "ping":
            write_message(replies, {"ok": True})
            continue
        module, function = request["module"], request.get("function")
        if request["op"] == "import":
            reply = _handle_import(request, folder)
        else:
            fn, reply = _resolve(module, function, folder)
            if fn is not None:
                try:
                    reply = HANDLERS[request["op"]](fn, request)
                except BaseException as exc:  # sys.exit and friends are the learner's errors too
                    reply = _error(exc, folder, module, function)
        if os.getpid() != me:
            os._exit(0)  # a child the learner's code forked came back here: only the worker answers
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            write_message(replies, reply)
        except Exception as exc:  # a returned object whose conversion to plain data fails
            write_message(replies, {"ok": False, "kind": "exception", "type": type(exc).__name__,
                                    "message": f"what {function} returned could not be read: {exc}"[:1000],
                                    "where": None, "module": module})


def _move_off_standard_streams(request_fd, reply_fd):
    """Where the grader could not pass descriptors of their own (Windows), the pipes come as stdin
    and stdout: move them aside, so what the submission prints goes where stderr goes, as on POSIX,
    and reading stdin finds nothing. The copies are not inherited by processes it starts."""
    if (request_fd, reply_fd) != (0, 1):
        return request_fd, reply_fd
    request_fd, reply_fd = os.dup(0), os.dup(1)
    os.dup2(2, 1)
    nothing = os.open(os.devnull, os.O_RDONLY)
    os.dup2(nothing, 0)
    os.close(nothing)
    return request_fd, reply_fd


def main(argv):
    request_fd, reply_fd = _move_off_standard_streams(int(argv[1]), int(argv[2]))
    folder = os.path.abspath(argv[3])
    runtime, kit_root, spec = argv[4], argv[5], json.loads(argv[6])
    # Neither the copy of these modules nor the kit (an editable install puts it on the path):
    # the submission's imports find its own folder, the standard library and site-packages.
    hidden = {os.path.abspath(runtime), os.path.abspath(kit_root)}
    sys.path[:] = [folder] + [p for p in sys.path if os.path.abspath(p or ".") not in hidden]
    sys.dont_write_bytecode = True
    sys.meta_path.insert(0, _Broken)
    os.chdir(folder)
    with os.fdopen(request_fd, "rb") as requests, os.fdopen(reply_fd, "wb") as replies:
        try:
            unenforced = confine(spec)  # from here on, this process is the submission's: limited, unprivileged
        except (StartFailed, OSError) as exc:
            sys.exit(str(exc))
        output = BoundedOutput(1, spec["printed"])
        sys.stdout, sys.stderr = bounded_text(output), bounded_text(output)
        uid = os.getuid() if hasattr(os, "getuid") else None  # Windows has no uids
        write_message(replies, {"ok": True, "ready": True, "uid": uid, "unenforced": unenforced})
        serve(requests, replies, folder, output)
