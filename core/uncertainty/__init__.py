"""A classifier's confidence vs. distance from the class centres.

A discriminative classifier models p(y|x) only, so its confidence says nothing about where x lies;
a density or distance model of the features does. One module per idea: `data` (in- and
out-of-distribution sets), `classifiers`, `scores` (confidence), `density` (distance and density),
`ood_metrics`, `grid` (the 2-D view), `setup` (one fitted setup) and `charts`.
"""
