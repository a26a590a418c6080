"""RegLab's window: all the Qt lives here, and no TensorFlow/Keras (the training worker reaches them via engine/)."""
