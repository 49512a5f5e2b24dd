"""The learner's commands, run through ``python -m grader``: ``grade``, ``hint``, ``watch``, and
``progress`` (the state file that remembers the current step and the hints seen)."""
