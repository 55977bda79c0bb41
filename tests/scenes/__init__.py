"""Webcam-like test scenes for the reader (`python -m tests.scenes` prints the per-scene table)."""

from tests.scenes.generate import SCENES, Scene, make_scene

__all__ = ["SCENES", "Scene", "make_scene"]
