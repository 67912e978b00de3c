"""Demo data of the alliance."""


def load(stdout=None):
    pass
