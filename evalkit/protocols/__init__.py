"""What happens per frame of a sequence, independent of how frames are scheduled."""
