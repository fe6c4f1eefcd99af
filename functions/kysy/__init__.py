"""Kysy: a serverless Q&A widget for company blogs."""

__version__ = "0.1.0"
