"""The wire format between the grader and the worker.

Messages carry only None, booleans, numbers, strings, lists, tuples, string-keyed dicts and
numeric NumPy arrays. A subclass of list, tuple or dict (a namedtuple, an OrderedDict, a
defaultdict) travels as its plain form, read through the base class, so none of its own methods
decide what the grader sees. Decoding never runs code: the header is JSON, arrays are raw bytes
whose dtype must be a plain numeric one. Anything else the worker meets is sent as a description
(``Foreign``: the learner's type name and repr), so the grader can say what came back without
ever holding it. A message's
structure is bounded before it is decoded (``check_structure``), and every string it brings is
capped and escaped (``printable``): the worker is the learner's process, so nothing it sends is
trusted to be small or clean.
"""
import json
import re
import struct

import numpy as np

_NUMERIC_DTYPE = re.compile(r"[<>|=]?[biufc][1-9][0-9]?")
_LENGTH = struct.Struct(">Q")
HEADER_BYTES = _LENGTH.size
# How a file written from a notebook (grader.sandbox.notebook) begins its docstring, after its
# name: the worker then says the notebook lacks a function, not the file the learner never saw.
FROM_NOTEBOOK = ", written by the grader from the notebook"
# Shown escaped, never written raw: C0 and C1 controls (escape sequences, carriage returns, line
# breaks), the separators str.splitlines also breaks at, bidirectional overrides, and the lone
# surrogates JSON can carry (a terminal cannot even encode those).
_UNSHOWN = "\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"  # and C0's, below
_CONTROL = re.compile("[\x00-\x1f" + _UNSHOWN + "]")
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b-\x1f" + _UNSHOWN + "]")  # keeps tabs and line breaks
TEXT_LIMIT = 2000  # characters of one string the grader keeps from a reply (a message, a warning)
KEY_LIMIT = 100    # characters of one dict key from a reply


def _escaped(match):
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text, limit=None, lines=False):
    """``text`` as it may be shown: cut to ``limit`` characters (saying how many more there were),
    its control characters escaped (``\\x1b``), so a terminal never interprets a colour code, a
    cursor move or a carriage return over an earlier line. A line break is escaped too, so that no
    text can start a line of its own in a report, unless ``lines`` (printed output) keeps it, and
    tabs. The one function every piece of learner-controlled text passes through in the grader."""
    text = str(text)
    more = len(text) - limit if limit is not None and len(text) > limit else 0
    if more:
        text = text[:limit]
    text = (_CONTROL_BUT_LINES if lines else _CONTROL).sub(_escaped, text)
    return text + f" ... ({more} more characters not shown)" if more else text


# A reply's structure, bounded before json builds it: a header of tens of MiB of tiny nested lists
# would take over a GiB of the grader's memory. A real reply holds a few arrays and numbers.
MAX_ELEMENTS = 1_000_000  # JSON values (lists, dicts, numbers, strings) in one message
MAX_DEPTH = 100           # lists, tuples and dicts inside one another
_NODE_DEPTH = 2           # JSON levels one packed container takes: its node, then its "v"
_WRAPPING = 4             # and those around a value: the reply's own dict, an array's shape
# A JSON string, escapes included: its commas and brackets are text, not structure (also
# grader.sandbox.notebook's scan of a notebook's outputs).
JSON_STRING = rb'"[^"\\]*(?:\\.[^"\\]*)*"'
_STRUCTURE = re.compile(JSON_STRING + rb"|[\[\]{},]")


class ProtocolError(Exception):
    """A message that is malformed, too large, or not allowed."""


class TooComplex(ProtocolError):
    """A message whose structure is refused before it is decoded; the message says what it held."""


def check_structure(text):
    """Refuse the JSON ``text`` (bytes) if it holds over MAX_ELEMENTS values or nests containers
    over MAX_DEPTH deep, never building it: one scan of its strings, brackets and commas, which
    stops at the bound (a second or two for the largest structure refused; a real reply's header
    takes microseconds)."""
    elements = depth = deepest = 0
    for count, token in enumerate(_STRUCTURE.finditer(text)):
        first = text[token.start()]
        if first in b"[{":
            elements, depth = elements + 1, depth + 1
            deepest = max(deepest, depth)
        elif first in b"]}":
            depth -= 1
        elif first == 44:  # a comma: one more value in its list or dict
            elements += 1
        # Valid JSON has at most four tokens per value (a key, its value, brackets): more is as refused.
        if elements > MAX_ELEMENTS or count > 4 * MAX_ELEMENTS:
            raise TooComplex(f"returned a structure of over {MAX_ELEMENTS:,} elements (lists, tuples, dicts "
                             f"and numbers); return NumPy arrays")
        if deepest > MAX_DEPTH * _NODE_DEPTH + _WRAPPING:
            raise TooComplex(f"returned lists, tuples or dicts nested over {MAX_DEPTH} deep; return NumPy arrays")


class Ref:
    """A handle on an object that stays in the worker (a learner's cache)."""

    __slots__ = ("id",)

    def __init__(self, id):
        self.id = id

    def __repr__(self):
        return f"Ref({self.id})"


class Foreign:
    """What the grader learns about a returned object it must not hold: its type and repr."""

    __slots__ = ("type", "repr")

    def __init__(self, type, repr):
        self.type, self.repr = type, repr

    def __repr__(self):
        return f"<{self.type}: {self.repr}>"


def _describe(obj, limit=200, kind=None):
    try:
        text = repr(obj)
    except BaseException as exc:  # a hostile __repr__ must not stop the description
        text = f"<repr failed: {type(exc).__name__}>"
    return Foreign(kind or type(obj).__name__, text[:limit])


def _plain_items(o):
    """The items of a list or tuple, or the (key, value) pairs of a dict, of any subclass, as the
    base class holds them (a subclass's own __iter__ or items may say otherwise)."""
    if isinstance(o, dict):
        return list(dict.items(o))
    return list(list.__iter__(o) if isinstance(o, list) else tuple.__iter__(o))


def pack(obj):
    """Encode ``obj`` as bytes. Objects that are not plain data become ``Foreign``."""
    buffers = []

    def walk(o):
        if o is None or type(o) in (bool, str):
            return o
        if type(o) in (int, float):
            return {"t": type(o).__name__, "v": repr(o)}
        if isinstance(o, (np.ndarray, np.generic)):
            a = np.asarray(o)  # a subclass travels as its plain data, without its methods
            if a.dtype.kind not in "biufc":
                described = _describe(o)
                return walk(Foreign(f"{described.type} of dtype {a.dtype}", described.repr))
            buffers.append(a.tobytes())
            out = {"t": "array", "dtype": a.dtype.str, "shape": list(a.shape), "i": len(buffers) - 1}
            if not isinstance(o, np.ndarray):
                out["scalar"] = True
            return out
        if isinstance(o, (list, tuple)):  # a namedtuple is a tuple
            return {"t": "list" if isinstance(o, list) else "tuple", "v": [walk(x) for x in _plain_items(o)]}
        if isinstance(o, dict):  # an OrderedDict or a defaultdict is a dict
            items = _plain_items(o)
            if all(isinstance(k, str) for k, _ in items):
                return {"t": "dict", "v": {str.__str__(k): walk(v) for k, v in items}}
            return walk(_describe(o, kind=f"{type(o).__name__} with keys that are not strings"))
        if type(o) is Ref:
            return {"t": "ref", "v": o.id}
        if type(o) is Foreign:
            return {"t": "foreign", "type": o.type, "v": o.repr}
        return walk(_describe(o))

    header = json.dumps(walk(obj)).encode()
    sizes = [len(b) for b in buffers]
    meta = json.dumps(sizes).encode()
    return b"".join([_LENGTH.pack(len(header)), header, _LENGTH.pack(len(meta)), meta, *buffers])


def unpack(data):
    """Decode bytes made by ``pack``; raises ProtocolError on anything unexpected."""
    try:
        view = memoryview(data)
        (n,) = _LENGTH.unpack_from(view, 0)
        header = _decoded(bytes(view[8:8 + n]))
        (m,) = _LENGTH.unpack_from(view, 8 + n)
        sizes = _decoded(bytes(view[16 + n:16 + n + m]))
        offsets, pos = [], 16 + n + m
        for size in sizes:
            offsets.append((pos, int(size)))
            pos += int(size)
        if pos != len(view):
            raise ProtocolError("message length does not match its header")
        return _build(header, view, offsets)
    except ProtocolError:
        raise
    except Exception as exc:
        raise ProtocolError(f"malformed message ({type(exc).__name__}: {exc})") from None


def _decoded(text):
    check_structure(text)
    return json.loads(text)


def _build(node, view, offsets):
    if node is None or type(node) is bool:
        return node
    if type(node) is str:  # the worker's to choose: capped and cleaned before any check sees it
        return printable(node, TEXT_LIMIT)
    kind = node["t"]
    if kind == "int":
        return int(node["v"])
    if kind == "float":
        return float(node["v"])
    if kind in ("list", "tuple"):
        items = [_build(x, view, offsets) for x in node["v"]]
        return items if kind == "list" else tuple(items)
    if kind == "dict":
        return {printable(k, KEY_LIMIT): _build(v, view, offsets) for k, v in node["v"].items()}
    if kind == "ref":
        return Ref(int(node["v"]))
    if kind == "foreign":
        return Foreign(printable(str(node["type"])[:100]), printable(str(node["v"])[:200]))
    if kind == "array":
        if not _NUMERIC_DTYPE.fullmatch(node["dtype"]):
            raise ProtocolError(f"array dtype {node['dtype']!r} is not a plain numeric dtype")
        dtype = np.dtype(node["dtype"])
        shape = tuple(int(s) for s in node["shape"])
        start, size = offsets[node["i"]]
        if any(s < 0 for s in shape) or int(np.prod(shape, dtype=np.int64)) * dtype.itemsize != size:
            raise ProtocolError("array size does not match its shape")
        array = np.frombuffer(view[start:start + size], dtype=dtype).reshape(shape).copy()
        return array[()] if node.get("scalar") else array
    raise ProtocolError(f"unknown node type {kind!r}")


def frame(obj):
    """``obj`` packed, behind its length: one message as it travels on a pipe."""
    body = pack(obj)
    return _LENGTH.pack(len(body)) + body


def write_message(stream, obj):
    stream.write(frame(obj))
    stream.flush()


def read_exact(stream, n):
    chunks, left = [], n
    while left:
        chunk = stream.read(left)
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def message_size(header):
    """The length of the message behind ``header`` (its first HEADER_BYTES bytes)."""
    return _LENGTH.unpack(header)[0]


def read_message(stream, limit=None):
    size = message_size(read_exact(stream, HEADER_BYTES))
    if limit is not None and size > limit:
        raise ProtocolError(f"message of {size} bytes is over the {limit}-byte limit")
    return unpack(read_exact(stream, size))
