"""Curated domain blueprints and compliance controls, kept as data files."""
