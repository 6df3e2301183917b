"""Runners drive trackers through protocols: one sequence at a time, a process pool, or K
sequences batched in the slots of a batched tracker."""
