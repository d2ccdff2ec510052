"""Newsroom's settings plus one trivial view, for measuring the framework's ceiling."""

from newsroom.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
