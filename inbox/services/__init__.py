"""State changes live here: views parse forms, services change rows and record what happened."""
