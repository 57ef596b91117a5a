"""Static site generator for the minutes (referater) of the Danish sundhedsklynger."""

__version__ = "0.1.0"
