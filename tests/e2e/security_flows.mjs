// Untrusted text stays text: every payload of the XSS lists, sent as a
// customer message, an agent reply and a knowledge-base article, renders as
// inert text, and no dialog opens and no script runs. A customer's token
// opens its own conversation only, in the page and over the stream.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Candor, readPayloads, scriptsRan, shot } from './harness.mjs';
import { login } from './agent_flows.mjs';

const escapeHtml = (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

// Elements a payload would bring if it were parsed as markup.
async function injected(page, scope) {
  return page.evaluate((sel) => {
    const root = document.querySelector(sel);
    if (!root) return ['no ' + sel];
    const found = [];
    for (const el of root.querySelectorAll('script, img, svg, iframe, object, embed, video, audio, math, form, input, body, style, link, meta, marquee, details'))
      found.push(el.outerHTML.slice(0, 80));
    for (const el of root.querySelectorAll('*')) {
      for (const a of el.attributes) if (/^on/i.test(a.name)) found.push(`${el.tagName} ${a.name}`);
      const href = el.getAttribute('href');
      if (href && !/^https?:/i.test(href)) found.push(`${el.tagName} href=${href}`);
    }
    return found;
  }, scope);
}

async function assertInert(page, scope, what) {
  const bad = await injected(page, scope);
  assert.deepEqual(bad, [], `${what}: no markup from payloads`);
  const ran = await scriptsRan(page);
  assert.deepEqual(ran, [], `${what}: no script ran`);
}

let xss = null; // a candor of its own, its knowledge base made of payloads

async function xssCandor(w) {
  if (xss) return xss;
  const payloads = readPayloads();
  if (!payloads) return null;
  const kb = mkdtempSync(path.join(os.tmpdir(), 'candor-e2e-kb-'));
  const paragraphs = payloads.map((p) => `<p>xylophone payment ${escapeHtml(p)}</p>`).join('\n');
  writeFileSync(
    path.join(kb, 'en-xss.html'),
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Xylophone payments ${escapeHtml('<script>alert("title")</script><img src=x onerror=alert(1)>')}</title>
<meta name="language" content="en"><meta name="tags" content="payments">
<meta name="url" content="https://demo-bank.example/help/xylophone">
<meta name="reviewed-on" content="2026-10-01"></head><body>
<h1>Xylophone payments</h1>
<h2>Xylophone payment ${escapeHtml('<svg onload=alert(1)>')}</h2>
${paragraphs}
</body></html>\n`,
  );
  const candor = await Candor.start(w.binary, { demo: false, agents: w.agents, kbDir: kb, name: 'xss' });
  rmSync(kb, { recursive: true, force: true });
  xss = { candor, payloads };
  return xss;
}

export const securityFlows = [
  [
    'XSS payloads as customer messages and agent replies render as inert text',
    async (w) => {
      const x = await xssCandor(w);
      if (!x) {
        console.log('# ../shared/data/xss-payloads is absent: XSS payloads not checked');
        return;
      }
      const { candor, payloads } = x;
      const conv = (await candor.call('POST', '/api/v1/conversations', null, {})).json;
      const token = conv.customer_token;
      // With a person, the AI keeps silent: only the payloads are in the conversation.
      assert.equal((await candor.call('POST', `/api/v1/conversations/${conv.id}/handoff`, token, {})).status < 300, true);
      const agent = (await candor.call('POST', '/api/v1/agents/login', null, { name: w.agents[0].name, password: w.agents[0].password })).json;
      for (const p of payloads) {
        const r = await candor.call('POST', `/api/v1/conversations/${conv.id}/messages`, token, { text: p });
        assert.equal(r.status, 201, `customer message accepted: ${r.text}`);
        const a = await candor.call('POST', `/api/v1/conversations/${conv.id}/replies`, agent.token, { text: p });
        assert.equal(a.status, 201, `agent reply accepted: ${a.text}`);
      }

      const page = await w.newPage();
      await page.goto(`${candor.base}/chat`);
      await page.evaluate((s) => sessionStorage.setItem('candor.chat', JSON.stringify(s)), { id: conv.id, token });
      await page.reload();
      await page.waitForFunction(
        (n) => document.querySelectorAll('li.msg[data-author="person"]').length === n,
        payloads.length,
        { timeout: 60000 },
      );
      const texts = (author) =>
        page.locator(`li.msg[data-author="${author}"] .text`).evaluateAll((ps) => ps.map((p) => p.textContent));
      assert.deepEqual(await texts('customer'), payloads, 'each customer payload shows as the text typed');
      assert.deepEqual(await texts('person'), payloads, 'each agent reply shows as the text sent');
      await assertInert(page, '.transcript', 'customer chat');
      await shot(page, '12-xss-chat');

      const console_ = await w.newPage();
      await console_.goto(`${candor.base}/agent`);
      await login({ candor }, console_, w.agents[0]);
      await console_.getByTestId('waiting-list').getByRole('button', { name: new RegExp(conv.id) }).click().catch(async () => {
        await console_.getByTestId('inbox-list').getByRole('button', { name: new RegExp(conv.id) }).click();
      });
      await console_.waitForFunction(
        (n) => document.querySelectorAll('[data-testid=agent-transcript] [data-author="person"]').length === n,
        payloads.length,
        { timeout: 60000 },
      );
      await assertInert(console_, '[data-testid=agent-transcript]', 'agent console');
      await assertInert(console_, '[data-testid=inbox-list]', 'agent inbox');
      await shot(console_, '13-xss-agent');
      await page.close();
      await console_.close();
    },
  ],
  [
    'a knowledge-base article made of XSS payloads renders as inert text',
    async (w) => {
      const x = await xssCandor(w);
      if (!x) {
        console.log('# ../shared/data/xss-payloads is absent: XSS payloads not checked');
        return;
      }
      const { candor, payloads } = x;
      const page = await w.newPage();
      await login({ candor }, page, w.agents[0]);
      await page.getByLabel('Question').fill('xylophone payment');
      await page.getByRole('button', { name: 'Search' }).click();
      const hits = page.getByTestId('kb-hits');
      await hits.waitFor();
      const text = await hits.innerText();
      assert.match(text, /Xylophone payments <script>alert\("title"\)<\/script>/, 'the title shows its markup as text');
      assert.ok(payloads.some((p) => text.includes(p.trim().slice(0, 20))), 'payload text from the article is shown');
      await assertInert(page, '[data-testid=kb-hits]', 'knowledge search');
      await shot(page, '14-xss-kb-search');

      // The customer's side: the answer quoting the article, and its Why?.
      const chat = await w.newPage();
      await chat.goto(`${candor.base}/chat`);
      const box = chat.getByRole('textbox', { name: 'Message' });
      await box.fill('How does a xylophone payment work?');
      await box.press('Enter');
      const answer = chat.locator('li.msg[data-author="ai"], li.msg[data-author="ai_approved"]').first();
      await answer.waitFor();
      await answer.getByRole('button', { name: 'Why?' }).click();
      await answer.getByRole('region', { name: 'Why this answer' }).waitFor();
      await assertInert(chat, '.transcript', 'answer and Why?');
      await shot(chat, '15-xss-why');

      // The dashboard's list of articles, once the server offers it.
      const admin = await w.newPage();
      await admin.goto(`${candor.base}/admin`);
      await admin.getByLabel('Name').fill(w.agents[1].name);
      await admin.getByLabel('Password').fill(w.agents[1].password);
      await admin.getByRole('button', { name: 'Log in' }).click();
      await admin.getByRole('heading', { name: 'Knowledge base' }).waitFor();
      await admin.locator('[data-testid=kb-articles], [data-testid=kb-articles-missing]').first().waitFor();
      if (await admin.getByTestId('kb-articles').count()) {
        await admin.getByTestId('kb-articles').getByText(/Xylophone payments <script>/).waitFor();
        await assertInert(admin, '[data-testid=kb-articles]', 'dashboard articles');
      }
      await page.close();
      await chat.close();
      await admin.close();
    },
  ],
  [
    "a customer's token does not open another conversation, in the page or over the stream",
    async (w) => {
      const a = (await w.candor.call('POST', '/api/v1/conversations', null, {})).json;
      const b = (await w.candor.call('POST', '/api/v1/conversations', null, {})).json;
      const secret = 'my secret order number is 4711';
      assert.equal((await w.candor.call('POST', `/api/v1/conversations/${b.id}/messages`, b.customer_token, { text: secret })).status, 201);
      const page = await w.newPage();
      await page.goto(`${w.candor.base}/chat`);
      await page.evaluate((s) => sessionStorage.setItem('candor.chat', JSON.stringify(s)), { id: b.id, token: a.customer_token });
      await page.reload();
      await page.getByRole('alert').getByText('This conversation is not open to you.').waitFor();
      assert.equal(await page.getByText(secret).count(), 0, "the other conversation's text is not shown");
      const statuses = await page.evaluate(
        async ({ id, token }) => {
          const stream = await fetch(`/api/v1/conversations/${id}/stream?access_token=${encodeURIComponent(token)}`);
          const events = await fetch(`/api/v1/conversations/${id}/events`, { headers: { Authorization: `Bearer ${token}` } });
          const es = await new Promise((resolve) => {
            const s = new EventSource(`/api/v1/conversations/${id}/stream?access_token=${encodeURIComponent(token)}`);
            let got = false;
            s.addEventListener('message', () => (got = true));
            s.addEventListener('message', () => (got = true));
            s.onerror = () => {
              s.close();
              resolve(got ? 'events' : 'refused');
            };
          });
          return { stream: stream.status, events: events.status, eventSource: es };
        },
        { id: b.id, token: a.customer_token },
      );
      assert.ok([403, 404].includes(statuses.stream), `stream: ${statuses.stream}`);
      assert.ok([403, 404].includes(statuses.events), `events: ${statuses.events}`);
      assert.equal(statuses.eventSource, 'refused');
      await shot(page, '16-chat-other-conversation');
      // Starting afresh works.
      await page.getByRole('button', { name: 'New conversation' }).click();
      await page.getByRole('textbox', { name: 'Message' }).waitFor();
      await page.close();
    },
  ],
];

export async function stopSecurityCandor() {
  if (xss) await xss.candor.stop();
  xss = null;
}
