from services.rating.service import definition
from shared.serve import serve

serve("rating", definition)
