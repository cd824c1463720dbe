// Lighthouse's Node API for tests/lighthouse.py: several visits in one Node process, each in a Chrome of its
// own with a fresh profile (a cold first visit, as the `lighthouse` command gives). The command paid, per
// visit, Node's start and Lighthouse's loading (about 2 s) and then waited for its Chrome's profile to be
// removed while Chrome was still exiting (about 3.5 s); here the profiles go when every visit is done.
//
//     node tests/lighthouse_runner.mjs JOB.json
//
// JOB.json: {"chromePath": "...", "chromeFlags": [...], "profiles": "DIR", "flags": {Lighthouse's flags},
//            "visits": [{"url": "...", "headers": {...}, "out": "FILE"}]}
// Each visit's report (Lighthouse's JSON) is written to its "out"; a visit whose run throws gets
// {"runnerError": {"code": ..., "message": ...}} there instead, and the next visit runs all the same.
import fs from 'node:fs';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';

const job = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
for (const visit of job.visits) {
  let chrome;
  try {
    chrome = await chromeLauncher.launch({
      chromePath: job.chromePath,
      chromeFlags: job.chromeFlags,
      userDataDir: fs.mkdtempSync(`${job.profiles}/profile-`),
    });
    const flags = {...job.flags, port: chrome.port, output: 'json', logLevel: 'error', extraHeaders: visit.headers};
    const result = await lighthouse(visit.url, flags);
    fs.writeFileSync(visit.out, result.report);
  } catch (error) {
    const runnerError = {code: error.code ?? null, message: String(error.stack ?? error)};
    fs.writeFileSync(visit.out, JSON.stringify({runnerError}));
  } finally {
    chrome?.kill();
  }
}
fs.rmSync(job.profiles, {recursive: true, force: true, maxRetries: 10});
// Not waiting for the killed Chromes' last handles to close: their processes are gone, and so are the profiles.
process.exit(0);
