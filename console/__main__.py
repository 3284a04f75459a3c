"""``python -m console``: the console process (what ``ocop serve console`` runs)."""

from console.serve import serve

if __name__ == "__main__":
    serve()
