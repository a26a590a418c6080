"""Live views: what the render timer redraws from the newest snapshot: network, losses, weights, boundary, objective."""
