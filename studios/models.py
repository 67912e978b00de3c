"""Studios: models arrive with their issue."""
