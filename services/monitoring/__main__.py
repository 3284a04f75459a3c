from services.monitoring.service import definition
from shared.serve import serve

serve("monitoring", definition)
