from services.registration.service import definition
from shared.serve import serve

serve("registration", definition)
