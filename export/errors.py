"""The export's own errors: an artifact that breaks its contract is refused with one of these."""

from __future__ import annotations

from runtime.errors import UserError


class ValidationError(UserError):
    """An exported artifact that breaks its row of the accuracy contract."""


class SaturationError(ValidationError):
    """An int8 ONNX model whose weights can saturate int16 pair sums on AVX2 CPUs."""
