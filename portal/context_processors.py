"""Template context for every portal page."""

from .navigation import Navigation


def navigation(request) -> dict:
    """``navigation``: the links, start page and capabilities of the signed-in user (computed on first use)."""
    return {"navigation": Navigation(request)}
