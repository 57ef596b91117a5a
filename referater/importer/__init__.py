"""Importer: referater exported from agenda systems (text, PDF) → content Markdown."""
