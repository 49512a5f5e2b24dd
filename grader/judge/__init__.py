"""Verdicts, made in the grader's own process from plain data the worker sent back: structure,
values and gradients (``checks``, ``gradients``), the reference they are compared with
(``reference``), and naming a failure's mistake by behaviour (``diagnosis``, ``variants``)."""
