raise ValueError("sequence.py fails at import")
