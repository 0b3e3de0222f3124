"""Inside a transformer (Vaswani et al. 2017): embeddings, positional encoding, multi-head attention in the
encoder, the decoder and between them, and the output layer generating one token at a time."""
