"""Ledges task catalogue: navigation, object and menu task files."""
