"""Network analysis over the projected networkx graph."""
