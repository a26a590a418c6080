"""Plotting helpers shared by the views: palette, plot style, axes, legends, captions, picture export."""
