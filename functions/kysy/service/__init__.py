"""Domain rules: statuses, moderation, limits, cursors and search orchestration."""
