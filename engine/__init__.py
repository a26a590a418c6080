"""RegLab's engine: experiment spec, data, Keras model building, training and snapshots. No Qt here."""
