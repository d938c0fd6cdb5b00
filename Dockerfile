# PATRIOT in a container: multi-stage (build with dev dependencies, run with production ones only),
# as a non-root user, the SQLite data directory a volume. BASE: an image with Node.js 20 and npm
# (and python3, make, g++ where better-sqlite3 has no prebuilt binary), e.g. node:20-bookworm-slim.
#   podman build --build-arg BASE=node:20-bookworm-slim -t patriot .
#   podman run -d --name patriot -p 127.0.0.1:8080:8080 -v patriot-data:/data --env-file patriot.env patriot
ARG BASE=docker.io/library/node:20-bookworm-slim

FROM ${BASE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund && rm -rf dist/web-sourcemaps

FROM ${BASE}
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 PATRIOT_DATA_DIR=/data PATRIOT_BANNER_SECRETS=false
RUN useradd --system --uid 10001 --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin patriot \
 && install -d -o patriot -g patriot -m 0700 /data
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
USER patriot
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve"]
