"""Katalog Lokal: a local e-catalogue and e-purchasing system for Indonesian regional governments."""
