"""The HTTP face of a service: app factory (:mod:`.app`), error bodies (:mod:`.errors`), body limit (:mod:`.limits`)."""
