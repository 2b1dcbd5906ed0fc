# One image for every service; docker-compose.yml picks the command.
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md alembic.ini ./
COPY shared ./shared
COPY services ./services
COPY migrations ./migrations
RUN pip install --no-cache-dir .
ENV PYTHONUNBUFFERED=1
EXPOSE 8000 8100 8300
CMD ["uvicorn", "--factory", "services.simon_api.main:create_app", "--host", "0.0.0.0", "--port", "8000"]
