"""Build, validate and score the ICT self-assessment portal from YAML data kept in git."""

__version__ = "0.1.0"
