def sigmoid(z):
    while True:
        pass
