#!/usr/bin/env node
// candor in a real browser: the customer chat, the agent console and the
// trust dashboard, driven through Debian's Chromium by playwright-core.
//   node tests/e2e/run.mjs --candor build/release/src/cli/candor [--only NAME]
// Exits 0 when every flow passes, 1 when one fails, 77 (skipped) when
// Chromium, playwright-core or web/dist is missing. Screenshots: build/e2e/.
import { Candor, guard, launchBrowser, loadPlaywright, skip } from './harness.mjs';
import { customerFlows } from './customer_flows.mjs';
import { agentFlows } from './agent_flows.mjs';
import { adminFlows } from './admin_flows.mjs';
import { securityFlows, stopSecurityCandor } from './security_flows.mjs';

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const binary = opt('--candor') ?? process.env.CANDOR_BINARY;
const only = opt('--only');
if (!binary) skip('no candor binary given (--candor PATH)');

const playwright = await loadPlaywright();
const browser = await launchBrowser(playwright);
const agents = [
  { name: 'anna', role: 'agent', password: 'anna-e2e-password-1' },
  { name: 'root', role: 'admin', password: 'root-e2e-password-1' },
];
let candor;
let failures = 0;
let passed = 0;
try {
  candor = await Candor.start(binary, { agents, name: 'demo' });
  // One world the flows share: the customer who was handed to a person is the
  // one the agent then helps.
  const world = { candor, browser, agents, binary, problems: [] };
  world.newPage = async (opts = {}) => {
    const context = await browser.newContext({ locale: opts.locale ?? 'en-GB', viewport: opts.viewport ?? { width: 1100, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20000);
    await guard(page, world.problems);
    return page;
  };
  const flows = [...customerFlows, ...agentFlows, ...adminFlows, ...securityFlows];
  for (const [name, fn] of flows) {
    if (only && !name.includes(only)) continue;
    const started = Date.now();
    try {
      await fn(world);
      if (world.problems.length) throw new Error(`page problems: ${world.problems.join('; ')}`);
      passed++;
      console.log(`ok - ${name} (${Date.now() - started} ms)`);
    } catch (e) {
      failures++;
      world.problems.length = 0;
      console.log(`not ok - ${name}\n  ${String(e?.stack ?? e).split('\n').slice(0, 6).join('\n  ')}`);
    }
  }
} catch (e) {
  failures++;
  console.log(`not ok - start\n  ${e?.stack ?? e}`);
} finally {
  await browser.close().catch(() => {});
  await stopSecurityCandor().catch(() => {});
  await candor?.stop().catch(() => {});
}
console.log(`# ${passed} passed, ${failures} failed; screenshots in build/e2e/`);
process.exit(failures ? 1 : 0);
