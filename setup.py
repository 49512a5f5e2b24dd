"""Puts the files the grader grades with into the wheel, beside the grader's code.

A kit installed by ``pip install`` (of a clone, a handout zip or a git URL; not ``pip install
-e``) has no checkout around it, so the public tests, the stubs, the reference where this copy
has one (a handout has its recorded outputs in tests/steps instead) and the learner's notebook go
to ``grader/kit_files/`` in the wheel; grader/kit.py looks there when there is no checkout.
Everything else is in pyproject.toml.
"""
import os
import shutil

from setuptools import setup
from setuptools.command.build_py import build_py

BUNDLED = ["tests/steps", "exercises", "solutions", "notebooks", "docs/math.md", "README.md"]
IGNORED = shutil.ignore_patterns("__pycache__", "*.pyc", ".pytest_cache")


class build_py_with_kit_files(build_py):
    def run(self):
        super().run()
        if self.editable_mode:  # an editable install grades from the checkout itself
            return
        for relative in BUNDLED:
            source = os.path.join(os.path.dirname(os.path.abspath(__file__)), *relative.split("/"))
            target = os.path.join(self.build_lib, "grader", "kit_files", *relative.split("/"))
            if os.path.isdir(source):
                shutil.copytree(source, target, ignore=IGNORED, dirs_exist_ok=True)
            elif os.path.isfile(source):
                os.makedirs(os.path.dirname(target), exist_ok=True)
                shutil.copy2(source, target)


setup(cmdclass={"build_py": build_py_with_kit_files})
