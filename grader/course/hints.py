"""Hints, kept as data in ``hints.toml`` so an instructor can edit them without touching code."""
import os

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

HINTS_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "hints.toml")


def load_hints(path=HINTS_FILE):
    """{step name: [hint, ...]} in the order they are revealed."""
    with open(path, "rb") as f:
        return {step: list(table.get("hints", [])) for step, table in tomllib.load(f).items()}
