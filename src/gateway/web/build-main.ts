// `npm run build:web`: build the dashboard bundle into web/dist and say how large it is.
import { buildDashboard } from "./build.ts";

const report = await buildDashboard();
const sizes = Object.entries(report.bytes)
  .map(([file, n]) => `${file} ${(n / 1024).toFixed(1)} KiB`)
  .join(", ");
process.stdout.write(`dashboard built in ${report.ms} ms into ${report.outDir}: ${sizes}\n`);
