# The govcloud operator image.
#
# NOT BUILT OR TESTED HERE: the development machines and CI have no Docker engine (and no
# registry to pull node:24 from), so this file has never been built by the project's CI. Build
# it where Docker (or buildah/kaniko) runs:
#   docker build -t registry.govcloud.local/govcloud/operator:0.1.0 .
# See docs/install.md ("The operator image").
#
# Node 24 runs the TypeScript sources directly (type stripping): no build step, no dev
# dependencies in the image. Pin the base image by digest in your registry mirror.
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# Production dependencies only: the `node` package (the pinned Node of development), uvu,
# TypeScript and the Pulumi SDKs are dev dependencies and stay out.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
# Owned by root, read-only for the operator's user: the container also runs with a read-only
# root filesystem (the chart sets readOnlyRootFilesystem and mounts an emptyDir on /tmp).
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY operator/bin ./operator/bin
COPY operator/src ./operator/src
# A numeric non-root user (runAsNonRoot can only verify numeric users); the chart's
# securityContext.runAsUser defaults to the same id.
USER 10001:10001
# The heap limits of the chart's default nodeOptions (a unit test keeps them equal).
ENV NODE_OPTIONS="--max-semi-space-size=2 --max-old-space-size=256"
EXPOSE 8080
ENTRYPOINT ["node", "operator/bin/govcloud.ts"]
CMD ["operator"]
