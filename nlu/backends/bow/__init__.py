"""The ``bow`` backend: French bag of stems and character n-grams into a small torch network."""
