"""Pure spam detectors: each reads a batch of features and answers points and reasons."""

from detectors.base import Detector, Features, Verdict
from detectors.registry import REGISTERED, build_detectors

__all__ = ["Detector", "Features", "Verdict", "REGISTERED", "build_detectors"]
