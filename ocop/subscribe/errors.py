"""What the subscriber tells its operator instead of a traceback."""


class SubscribeError(Exception):
    """An expected failure (refused key, unreachable source, bad option): its message is the whole story."""
