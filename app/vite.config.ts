import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  base: "./",
  plugins: [react()],
  define: { "process.env": {}, global: "globalThis" },
  resolve: { alias: { buffer: "buffer/" } },
  build: { target: "es2022", outDir: "dist", chunkSizeWarningLimit: 4096 },
});
