# The spreadgraph web app; Neo4j runs in its own container (see docker-compose.yml).
FROM python:3.11-slim
WORKDIR /app
ENV HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
RUN pip install --no-cache-dir --no-deps --no-build-isolation -e .
EXPOSE 8000
# Apply the schema (idempotent), load the demo cases, then serve on all interfaces of the container.
CMD ["sh", "-c", "spreadgraph init && spreadgraph ingest examples/cases && spreadgraph serve --host 0.0.0.0 --port 8000"]
