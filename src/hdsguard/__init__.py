"""hdsguard: policy-as-code compliance checks for health organisations."""

__version__ = "0.1.0"
