while True:  # never finishes importing
    pass
