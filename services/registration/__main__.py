from services.registration.service import definition
from shared.service import serve

serve("registration", definition)
