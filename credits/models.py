"""Credits: models arrive with their issue."""
