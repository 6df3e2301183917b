"""Training the Siamese trackers: pair sampling from tracking datasets, the three losses, SGD.

``train(tracker, data, out)`` in :mod:`trackers.siamese.training.train` is the entry point;
``siamfc`` trains SiamFC's network with its balanced logistic loss, ``hinge`` the TDM-neck network
with the advanced hinge loss and ``globalsim`` SiamFC's network with the global similarity loss.
The last two losses are evalkit's reconstructions of their seed papers (docs/trackers.md).
"""
