// Prints the gzip size of the built bundle (app/dist).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const dir = new URL("../dist", import.meta.url).pathname;
let raw = 0;
let gz = 0;
const walk = (d) => {
  for (const name of readdirSync(d)) {
    const p = join(d, name);
    if (statSync(p).isDirectory()) walk(p);
    else {
      const data = readFileSync(p);
      raw += data.length;
      gz += gzipSync(data).length;
    }
  }
};
walk(dir);
console.log(`app bundle: ${(raw / 1024).toFixed(1)} KiB, ${(gz / 1024).toFixed(1)} KiB gzip`);
