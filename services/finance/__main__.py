from services.finance.service import definition
from shared.serve import serve

serve("finance", definition)
