"""The alliance: models arrive with their issue."""
