// The trust dashboard, and the chat used with the keyboard alone.
import assert from 'node:assert/strict';
import http from 'node:http';
import { contrastFailures, shot } from './harness.mjs';
import { login } from './agent_flows.mjs';

export const adminFlows = [
  [
    'an admin opens the trust dashboard: metrics over time, the policy, the articles, the ledger checkpoint',
    async (w) => {
      const page = await w.newPage({ viewport: { width: 1280, height: 1000 } });
      await page.goto(`${w.candor.base}/admin`);
      await page.getByLabel('Name').fill(w.agents[1].name);
      await page.getByLabel('Password').fill(w.agents[1].password);
      await page.getByRole('button', { name: 'Log in', exact: true }).click();
      await page.getByRole('heading', { name: 'Policy in force' }).waitFor();

      const trust = page.getByTestId('trust');
      await trust.waitFor();
      const text = await trust.innerText();
      for (const label of ['Answered by the AI alone', 'Handed to a person', 'Time to a person', 'Drafts', '"I don\'t know"', 'Promises kept']) {
        assert.ok(text.includes(label), `the dashboard shows ${label}`);
      }
      // The earlier flows made turns, a handoff and an edited draft.
      assert.doesNotMatch(text, /^0 requests/m);
      await page.getByTestId('chart-shares').locator('canvas').waitFor();
      await page.getByTestId('chart-drafts').getByText('As a table').click();
      await page.getByTestId('chart-drafts').locator('table tbody tr').first().waitFor();
      const drafts = await page.getByTestId('chart-drafts').locator('table:not(.u-legend)').innerText();
      assert.match(drafts, /\b1\b/, 'the edited draft of the agent flow is counted');
      await page.getByTestId('policy-rules').waitFor();
      assert.ok((await page.getByTestId('policy-rules').locator('tbody tr').count()) > 3, 'the rules are listed');
      assert.match(await page.getByTestId('policy-rules').innerText(), /money_disputes/);
      await page.getByTestId('kb-articles').waitFor();
      assert.ok((await page.getByTestId('kb-articles').locator('tbody tr').count()) >= 40, 'the articles are listed');
      assert.match(await page.getByTestId('kb-articles').innerText(), /\d{4}-\d\d-\d\d/, 'with their review dates');
      await page.locator('[data-testid=ledger], [data-testid=ledger-missing]').first().waitFor();
      await shot(page, '17-admin-dashboard');
      await page.getByRole('button', { name: 'Deutsch' }).click();
      await page.getByRole('heading', { name: 'Geltende Regeln' }).waitFor();
      await shot(page, '18-admin-dashboard-de');
      await page.getByRole('button', { name: 'English' }).click();
      await page.close();
    },
  ],
  [
    'text on the chat, the agent console and the dashboard meets WCAG 2.1 AA contrast',
    async (w) => {
      const problems = [];
      const chat = await w.newPage();
      await chat.goto(`${w.candor.base}/chat`);
      await chat.getByTestId('ai-notice').waitFor();
      const box = chat.getByRole('textbox', { name: 'Message' });
      await box.fill('How do I change my PIN?');
      await box.press('Enter');
      const answer = chat.locator('li.msg[data-author="ai"]').first();
      await answer.waitFor();
      await answer.getByRole('button', { name: 'Why?' }).click();
      problems.push(...(await contrastFailures(chat)).map((f) => `chat: ${f}`));
      await chat.close();

      const agent = await w.newPage();
      await login(w, agent, w.agents[0]);
      problems.push(...(await contrastFailures(agent)).map((f) => `agent: ${f}`));
      await agent.close();

      const admin = await w.newPage({ viewport: { width: 1280, height: 1000 } });
      await admin.goto(`${w.candor.base}/admin`);
      await admin.getByLabel('Name').fill(w.agents[1].name);
      await admin.getByLabel('Password').fill(w.agents[1].password);
      await admin.getByRole('button', { name: 'Log in', exact: true }).click();
      await admin.getByTestId('policy-rules').waitFor();
      problems.push(...(await contrastFailures(admin)).map((f) => `admin: ${f}`));
      await admin.close();
      assert.deepEqual(problems, [], 'every text has enough contrast');
    },
  ],
  [
    'the chat works with the keyboard alone, in German',
    async (w) => {
      const page = await w.newPage({ locale: 'de-DE' });
      await page.goto(`${w.candor.base}/chat`);
      await page.getByRole('button', { name: 'Mit einem Menschen sprechen' }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'de');
      await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Mit einem Menschen sprechen');
      // Tab on to the message box.
      for (let i = 0; i < 6 && !(await page.evaluate(() => document.activeElement?.id === 'chat-input')); ++i) {
        await page.keyboard.press('Tab');
      }
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'chat-input');
      await page.keyboard.type('Wie bestelle ich eine neue Karte?');
      await page.keyboard.press('Enter');
      const answer = page.locator('li.msg[data-author="ai"]').first();
      await answer.waitFor();
      assert.equal(await answer.locator('.who').innerText(), 'KI');
      await page.keyboard.press('Shift+Tab');
      assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Warum?');
      await page.keyboard.press('Enter');
      await answer.getByRole('region', { name: 'Warum diese Antwort' }).waitFor();
      await shot(page, '19-chat-keyboard-de');
      await page.close();
    },
  ],
  [
    'the widget embeds the chat in another page with a launcher button',
    async (w) => {
      // A shop on another origin (another port) that embeds the widget.
      const shop = http.createServer((_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
        res.end(`<!doctype html><html lang="en"><title>Shop</title><h1>A shop</h1><script src="${w.candor.base}/widget.js"></script></html>`);
      });
      await new Promise((r) => shop.listen(0, '127.0.0.1', r));
      const page = await w.newPage({ viewport: { width: 800, height: 800 } });
      await page.goto(`http://127.0.0.1:${shop.address().port}/`);
      await page.getByRole('button', { name: 'Open chat' }).click();
      const launcher = page.getByRole('button', { name: 'Close chat' });
      assert.equal(await launcher.getAttribute('aria-expanded'), 'true');
      const frame = page.frameLocator('iframe[src$="/chat?embed=1"]');
      await frame.getByTestId('ai-notice').waitFor();
      await frame.getByRole('button', { name: 'Talk to a person' }).waitFor();
      await shot(page, '20-widget');
      await page.close();
      shop.close();
    },
  ],
];
