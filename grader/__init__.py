"""lstm-kit's grader, in packages by role.

- ``course``: what is taught: the steps, hints, catalogued mistakes, inputs, the pronoun task.
- ``judge``: verdicts, made in the grader's own process: checks, gradient checks, the
  reference, and naming a mistake from its behaviour.
- ``sandbox``: where untrusted code runs. ``sandbox.worker`` is the only module that runs in
  the learner's process; it imports only ``sandbox.protocol``, ``sandbox.limits`` and
  ``sandbox.perturb``, never the judge. The rest of ``sandbox`` is the grader's side of it.
- ``plugin``: the pytest plugin: markers, fixtures, verdicts, test-folder validation, re-runs.
- ``outputs``: what a run leaves: results.json, report.json, the terminal report.
- ``commands``: ``python -m grader``, ``hint`` and ``watch``.
- ``testing``: the one module a test author imports.
- ``kit``: where the kit lives, and set-up every front end shares.
"""
