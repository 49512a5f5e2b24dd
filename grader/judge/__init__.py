"""Verdicts, made in the grader's own process from plain data the worker sent back: structure,
values and gradients (``checks``, ``gradients``), the reference they are compared with
(``reference``), and naming a failure's mistake by behaviour (``diagnosis``; ``variants``, the
mistakes' forms, in the kit only, and ``forms_index``, which forms there are; ``mistake_outputs``,
their outputs recorded for a handout)."""
