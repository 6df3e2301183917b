"""The Siamese tracker family: AlexNet backbone, optional top-down-modulation neck,
cross-correlation head, and SiamFC's tracking procedure."""
