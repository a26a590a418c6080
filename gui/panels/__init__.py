"""Side panels: data, the selected layer, the lesson, and the CSV preview dialog."""
