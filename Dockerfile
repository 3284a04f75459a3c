# syntax=docker/dockerfile:1
# One image for all four OCOP services; pick the service with the command:
#   docker run ocop-platform:0.1.0 serve registration
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    OCOP_HOST=0.0.0.0

WORKDIR /app

# Copy the repository (see .dockerignore) and install the project with its `ocop` console script.
COPY . .
RUN pip install . \
 && groupadd --system --gid 10001 ocop \
 && useradd --system --uid 10001 --gid ocop --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin ocop

# Numeric UID so Kubernetes' runAsNonRoot can verify it.
USER 10001:10001

EXPOSE 8001 8002 8003 8004 8005

ENTRYPOINT ["ocop"]
CMD ["--help"]
