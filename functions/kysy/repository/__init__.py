"""Persistence. The only package that imports boto3 or knows DynamoDB key strings."""

from kysy.repository.store import Page, Store

__all__ = ["Page", "Store"]
