"""Training: the Keras model built from a spec, the one-graph epoch, and the numpy snapshot it yields."""
