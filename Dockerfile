# The govcloud operator image.
#
# NOT BUILT OR TESTED HERE: the development machines and CI have no Docker engine (and no
# registry to pull node:24 from), so this file has never been built by the project's CI. Build
# it where Docker (or buildah/kaniko) runs:
#   docker build -t registry.govcloud.local/govcloud/operator:0.1.0 .
# See docs/install.md ("The operator image"); `make image-check` runs the final stage's files.
#
# The image holds one file of JavaScript, dist/govcloud.js (and the operator's list of rights,
# which `govcloud join` grants): the sources and their production
# dependencies bundled by operator/bin/bundle.ts (esbuild). No node_modules, no TypeScript at
# run time, ~50 MB less resident memory than running the sources. Pin the base image by digest
# in your registry mirror.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# esbuild is a dev dependency; its binary comes as an optional dependency, no install script.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY operator/bin ./operator/bin
COPY operator/src ./operator/src
COPY charts/govcloud-operator/rbac-requirements.yaml ./charts/govcloud-operator/
RUN node operator/bin/bundle.ts dist/govcloud.js

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# Owned by root, read-only for the operator's user: the container also runs with a read-only
# root filesystem (the chart sets readOnlyRootFilesystem and mounts an emptyDir on /tmp).
COPY --from=build /src/dist ./dist
# `govcloud join` grants the operator exactly this list; the bundle finds it upwards from dist/.
COPY --from=build /src/charts/govcloud-operator/rbac-requirements.yaml ./charts/govcloud-operator/rbac-requirements.yaml
# A numeric non-root user (runAsNonRoot can only verify numeric users); the chart's
# securityContext.runAsUser defaults to the same id.
USER 10001:10001
# The heap limits of the chart's default nodeOptions (a unit test keeps them equal).
ENV NODE_OPTIONS="--max-semi-space-size=2 --max-old-space-size=256"
EXPOSE 8080
ENTRYPOINT ["node", "dist/govcloud.js"]
CMD ["operator"]
