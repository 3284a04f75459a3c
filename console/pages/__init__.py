"""The console's routes: the frame (sign-in, language, health) and one module per page."""

from console.pages import finance, frame, monitoring, operations, product, programme, rating

PAGE_ROUTERS = (frame.router, programme.router, product.router, rating.router, finance.router, monitoring.router,
                operations.router)
