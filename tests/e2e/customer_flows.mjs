// What a customer sees: the AI notice, the work steps appearing, the answer
// with its author and sources, "Why?", and being handed to a person.
import assert from 'node:assert/strict';
import { shot } from './harness.mjs';

// Notes, in the page, the order in which steps and messages first appear.
async function watchAppearances(page) {
  await page.evaluate(() => {
    window.__seen = [];
    const note = () => {
      for (const li of document.querySelectorAll('.tracker .step')) {
        const key = `${li.dataset.stage}:${li.dataset.status}`;
        if (!window.__seen.includes(key)) window.__seen.push(key);
      }
      for (const li of document.querySelectorAll('.transcript > li.msg')) {
        const key = `message:${li.dataset.author}`;
        if (!window.__seen.includes(key)) window.__seen.push(key);
      }
    };
    new MutationObserver(note).observe(document.body, { subtree: true, childList: true, attributes: true });
  });
}

async function ask(page, text) {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

export const customerFlows = [
  [
    'customer asks a how-to question, watches the steps and opens Why?',
    async (w) => {
      const page = await w.newPage();
      await page.goto(`${w.candor.base}/chat`);
      const notice = page.getByTestId('ai-notice');
      await notice.waitFor();
      assert.match(await notice.innerText(), /An AI answers first.*person is always one click away/s);
      const person = page.getByRole('button', { name: 'Talk to a person' });
      assert.ok(await person.isVisible(), '"Talk to a person" is visible before anything was said');
      await shot(page, '01-chat-empty');

      await watchAppearances(page);
      await ask(page, 'How do I order a new card?');
      const mine = page.locator('li.msg[data-author="customer"]').first();
      await mine.waitFor();
      assert.equal(await mine.locator('.who').innerText(), 'You');

      const answer = page.locator('li.msg[data-author="ai"]').first();
      await answer.waitFor();
      await page.locator('.step[data-stage="deliver"][data-status="done"]').first().waitFor();
      assert.equal(await answer.locator('.who').innerText(), 'AI');

      const stages = await page.locator('li.msg[data-author="customer"] .step').evaluateAll((lis) =>
        lis.map((li) => li.dataset.stage),
      );
      for (const s of ['receive', 'protect', 'understand', 'decide', 'retrieve', 'compose', 'deliver']) {
        assert.ok(stages.includes(s), `the tracker shows the ${s} step (it has ${stages.join(', ')})`);
      }
      assert.ok(!stages.includes('handoff'), 'a step that did not run is not shown');
      // Every row has a label and a time.
      const rows = await page.locator('.tracker .step').evaluateAll((lis) =>
        lis.map((li) => [li.querySelector('.label')?.textContent ?? '', li.querySelector('time')?.textContent ?? '']),
      );
      for (const [label, time] of rows) {
        assert.ok(label.trim().length > 0, 'each step has a label');
        assert.match(time, /\d\d:\d\d:\d\d/, 'each step has a time');
      }
      const seen = await page.evaluate(() => window.__seen);
      const at = (k) => seen.indexOf(k);
      assert.ok(at('receive:done') >= 0 && at('compose:done') > at('receive:done'), `steps appear in order: ${seen}`);
      assert.ok(at('message:ai') > at('retrieve:done'), `the answer comes after the sources were searched: ${seen}`);

      // Screen readers hear the new message.
      await page.waitForFunction(() => /New message from AI/.test(document.querySelector('[data-testid=announcer]')?.textContent ?? ''));
      await shot(page, '02-chat-answer');

      await answer.getByRole('button', { name: 'Why?' }).click();
      const why = answer.getByRole('region', { name: 'Why this answer' });
      await why.waitFor();
      await why.locator('a').first().waitFor();
      const links = await why.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      assert.ok(links.length >= 1 && links.every((h) => /^https?:\/\//.test(h)), `sources are http(s) links: ${links}`);
      const whyText = await why.innerText();
      assert.match(whyText, /Rule/);
      assert.match(whyText, /Confidence\s*\n?.*\d+ %/);
      assert.match(whyText, /Sources/);
      await shot(page, '03-chat-why');

      // German, switched on the page.
      await page.getByRole('button', { name: 'Deutsch' }).click();
      await page.getByRole('button', { name: 'Mit einem Menschen sprechen' }).waitFor();
      assert.equal(await answer.locator('.who').innerText(), 'KI');
      await page.getByRole('button', { name: 'English' }).click();
      await page.close();
    },
  ],
  [
    'customer reports a double charge and is handed to a person with a queue position',
    async (w) => {
      const page = await w.newPage({ viewport: { width: 390, height: 844 } });
      await page.goto(`${w.candor.base}/chat`);
      await ask(page, 'I was charged twice for the same purchase');
      const panel = page.getByTestId('queue-panel');
      await panel.waitFor();
      await panel.getByText(/You are number \d+ in the queue/).waitFor();
      assert.match(await page.getByRole('button', { name: /asked for a person|Talk to a person/ }).innerText(), /person/);
      await page.locator('li.msg[data-author="ai"]').first().waitFor();
      await page.locator('.step[data-stage="handoff"]').first().waitFor();
      assert.equal(await page.locator('.step[data-stage="compose"]').count(), 0, 'no answer was composed for a dispute');
      await shot(page, '04-chat-handoff-phone');
      const session = await page.evaluate(() => JSON.parse(sessionStorage.getItem('candor.chat')));
      w.handoff = { page, session };

      // A reload continues the same conversation.
      await page.reload();
      await page.locator('li.msg[data-author="customer"]').first().waitFor();
      await page.getByTestId('queue-panel').getByText(/number \d+ in the queue/).waitFor();
    },
  ],
];
