# The server image: built in one stage (every dependency, the Prisma client, the portal's static
# export, the server bundles), run in another with production dependencies only, as the
# unprivileged `node` user. docs/operations.md#containers tells how to run it.
ARG NODE_VERSION=22.12.0

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1 CHECKPOINT_DISABLE=1
COPY package.json package-lock.json ./
# Scripts run after the sources are in place: postinstall builds from them.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:${NODE_VERSION}-bookworm-slim AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: the build stage made every artifact they would make.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:${NODE_VERSION}-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATA_DIR=/app/data
WORKDIR /app
COPY --from=production-dependencies /app/node_modules ./node_modules
COPY --from=build /app/package.json ./
# src/generated carries the bundles and the embedded database's cluster template (a first start
# copies it instead of running PGlite's initdb, docs/decisions/0028).
COPY --from=build /app/src ./src
COPY --from=build /app/prisma/migrations ./prisma/migrations
COPY --from=build /app/portal/out ./portal/out
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
# Ready means the database answers; a container that is up but cannot reach it is not healthy.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node itself, not npm, receives SIGTERM; the flags are the `start` script's (package.json).
CMD ["node", "--max-semi-space-size=32", "--heap-growing-percent=100", "--wasm-tiering-budget=100000000", "src/generated/main.mjs"]
