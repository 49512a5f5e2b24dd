"""Where untrusted code runs, and the grader's handle on it.

Runs in the learner's process: ``worker`` (with ``protocol``, ``limits`` and ``perturb``, which
import nothing but the standard library and numpy). Runs in the grader: ``client`` (the worker
process and proxies for the learner's functions), ``isolation`` (the worker's private folder, its
own uid, hiding the kit from it, ending what it leaves running), ``staging`` (finding a
learner's files in an upload) and ``notebook`` (a Jupyter notebook written out as those files,
by parsing only). Nothing here imports the judge.
"""
