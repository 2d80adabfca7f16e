"""Handouts: a routine on paper for a patient, as HTML or PDF, from one document model."""
