"""Sabt (ثبت): civil registration, vital statistics and digital identity."""

__version__ = "0.1.0"
