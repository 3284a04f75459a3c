"""The HTTP face of a service: the app factory (:mod:`.app`), error bodies (:mod:`.errors`), body limit (:mod:`.limits`)."""
