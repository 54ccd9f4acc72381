import { Buffer } from "buffer";
(globalThis as { Buffer?: typeof Buffer }).Buffer ??= Buffer;

const { App } = await import("./App.js");
const { createRoot } = await import("react-dom/client");
const { createElement, StrictMode } = await import("react");

createRoot(document.getElementById("root")!).render(
  createElement(StrictMode, null, createElement(App)),
);
