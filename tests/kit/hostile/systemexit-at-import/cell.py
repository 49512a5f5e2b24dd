raise SystemExit("cell.py will not load")
