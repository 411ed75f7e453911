# nginx with the SPA built in: `docker compose build nginx` needs no Node.js on the host.
FROM node:20-slim AS spa
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
COPY openapi/ /src/openapi/
RUN npm run build

FROM nginx:1.27-alpine
COPY deploy/nginx.conf /etc/nginx/conf.d/default.conf
COPY deploy/nginx-security-headers.conf /etc/nginx/lsphub-security-headers.conf
COPY --from=spa /src/frontend/dist /usr/share/nginx/html
