"""What a run leaves behind: per-step ``results``, the terminal ``report``, results.json and
report.json (``export``, written by ``guard`` whatever happens), and the points listing of
``--check-tests`` (``points``)."""
