"""Foundation models and scale: the course's tables of model and dataset sizes, and the Chinchilla rule."""
