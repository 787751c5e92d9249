# Runlane image: one image for API nodes (`runlane serve`) and worker nodes (`runlane worker`).
# Node 20 on Debian bookworm; scripts/setup.sh installs the sandbox and the toolchains, builds the native helpers
# (seccomp filter, launcher), runs npm ci and builds dist/, exactly as on a host.
FROM node:20-bookworm

WORKDIR /opt/runlane

# Sources first (see .dockerignore: no node_modules, dist, native/build or data from the build context), then one
# setup run: apt-get install of bubblewrap, util-linux, libseccomp-dev, gcc and the language toolchains; gcc builds
# native/build/seccomp.bpf, native/build/runlane-launcher and native/build/runlane-resident-init; npm ci; npm run build.
COPY . .
RUN bash scripts/setup.sh \
    && npm prune --omit=dev --no-audit --no-fund \
    && rm -rf /var/lib/apt/lists/* /root/.npm

# Listen on every interface inside the container; the data dir holds only node-local state in a cluster
# (the store is PostgreSQL). Runs as root: the sandbox needs namespaces, cgroups, mounts and its uid pool
# (61000-61511 by default, unused in this image).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8080 \
    RUNLANE_DATA_DIR=/var/lib/runlane

RUN mkdir -p /var/lib/runlane /run/runlane
EXPOSE 8080

# `serve` (with REDIS_URL and DATABASE_URL: a cluster API node) by default; compose and Kubernetes override the
# command for workers: ["worker", "--concurrency", "4"].
ENTRYPOINT ["node", "/opt/runlane/bin/runlane.js"]
CMD ["serve"]
