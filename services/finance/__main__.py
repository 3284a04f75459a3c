from services.finance.service import definition
from shared.service import serve

serve("finance", definition)
