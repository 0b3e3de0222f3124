"""Foundation models and scale: the course's tables of model and dataset sizes, the Chinchilla rule, and a ladder
of the suite's own base models trained by one recipe at many sizes (`ladder`), scored by exact match and by
continuous metrics (`emergence`)."""
