/**
 * Worker-thread entry: profiles one byte range of a CSV file (`scanCsvRange`) and posts
 * the result. Bundled next to the door that starts it (`dist/profile-worker.js`); see
 * `table-profiler.ts`.
 */
import { closeSync, openSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import { type ScanJob, scanCsvRange } from "./csv-scanner.js";

const job = workerData as ScanJob;
const fd = openSync(job.path, "r");
try {
  parentPort!.postMessage(scanCsvRange(fd, job));
} finally {
  closeSync(fd);
}
