"""What the flows demo offers a student, importable without torch, zuko or scikit-learn: the 2-D datasets,
the flow kinds, the training budget, the held-out digits and the bundled models' registry names."""

MOONS = "two moons"
RINGS = "rings"
CHECKERBOARD = "checkerboard"
MIXTURE = "Gaussian mixture"
DRAWN = "drawn points"
DATASETS = (MOONS, RINGS, CHECKERBOARD, MIXTURE, DRAWN)

REALNVP = "RealNVP"
SPLINE = "Neural spline flow"
KINDS = (REALNVP, SPLINE)

MAX_STEPS = 5000  # training steps of a live 2-D run
MAX_LAYERS = 12  # coupling layers of a live 2-D flow
MAX_SAMPLES = 100  # digits drawn in one request
MAX_TEMPERATURE = 2.0  # of the flow's latent noise
TEST_SIZE = 297  # held-out digits, never seen in training (1500 remain for training)

FLOW_MODEL = "flows-digits-nsf"
DDPM_MODEL = "flows-digits-ddpm"
