// Vite builds the app into the Python package's static files: server/static/app is what /app serves,
// committed so that a machine without Node.js still serves the app (`make web` rebuilds it).
import { defineConfig } from "vite";

// `PERFGRAPH_API=http://127.0.0.1:8000 npx vite`: the server the development proxy forwards to.
const API = process.env.PERFGRAPH_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  base: "/app/",
  build: {
    outDir: "../server/static/app",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  server: {
    // `npm run dev` beside `make serve`: the API and its WebSocket on the same origin.
    proxy: { "/graphql": { target: API, ws: true }, "/auth": API,
             "/dev": API },
  },
});
