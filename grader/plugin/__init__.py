"""The pytest plugin: ``hooks`` (markers, the ``submission`` and ``reference`` fixtures, verdicts),
``outcome`` (a verdict and the status rule), ``validate`` (test folders), ``rerun`` (``make
watch``'s partial runs) and ``session`` (running pytest with all of it)."""
