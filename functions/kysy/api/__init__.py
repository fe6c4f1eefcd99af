"""HTTP layer: FastAPI apps, request/response models and the Mangum Lambda entry points.

FastAPI is imported here first, without the optional modules it would import for nothing
(``kysy.api.lean``); the apps build their routes under the same guard.
"""

from kysy.api.lean import without_optional_modules

with without_optional_modules():
    import fastapi  # noqa: F401
