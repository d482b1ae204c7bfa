"""Measure the detectors and the judge against human labels before anyone trusts them."""

from rewriter.calibrate.detectors import Metric, calibrate_detectors
from rewriter.calibrate.judge import JudgeCalibration, JudgedRow, calibrate_judge

__all__ = ["JudgeCalibration", "JudgedRow", "Metric", "calibrate_detectors", "calibrate_judge"]
