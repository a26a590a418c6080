"""Studies: many independent trainings of one experiment — compare, K-fold cross-validation, sweeps."""
