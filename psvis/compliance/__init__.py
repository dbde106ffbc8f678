"""The regulation's decisions (pure rules) and the findings they produce."""
