from services.monitoring.service import definition
from shared.service import serve

serve("monitoring", definition)
