"""Export: the experiment as a plain Keras script, and its run as TensorBoard logs."""
