"""Transfer learning: pre-train a model on a source domain, then adapt it to a target domain with few labels
(course notes, "Transfer Learning" and the "Tuning LLMs" table), and check whether it is faster, more
accurate and needs less data than training from scratch."""
