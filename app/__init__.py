"""The user-facing edge: CLI, settings and web app. Nothing imports app."""
