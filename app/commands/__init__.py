"""Subcommand groups of the ``seal`` CLI; each module has ``register(app)``."""
