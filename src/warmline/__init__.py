"""warmline: build empathetic mental-health support chatbots."""

__version__ = "0.1.0"
