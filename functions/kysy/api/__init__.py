"""HTTP layer: FastAPI apps, request/response models and the Mangum Lambda entry points."""
