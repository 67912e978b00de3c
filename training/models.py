"""Training: models arrive with their issue."""
