from services.rating.service import definition
from shared.service import serve

serve("rating", definition)
