"""One turn, feature-free: the activity handler, the router, replies and formatting, the text
catalogue, the card kit and the dialog runner. Imports no capability."""
