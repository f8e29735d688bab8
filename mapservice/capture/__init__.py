"""Field capture: walkthroughs, observations, photos, interview findings and their imports."""
