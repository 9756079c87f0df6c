"""Agreements: templates, generation, signing. `pdf.py` is the only module that uses WeasyPrint."""
