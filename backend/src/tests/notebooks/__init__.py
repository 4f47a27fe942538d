"""The notebooks in jupyter/notebooks, executed headlessly against a real backend."""
