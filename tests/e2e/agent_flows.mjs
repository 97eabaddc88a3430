// What an agent does: log in, take the waiting customer, read the summary,
// reveal masked data with a reason, reply, approve an edited draft, promise
// a reply time, hand back to the AI; and what the customer sees of it.
import assert from 'node:assert/strict';
import { shot } from './harness.mjs';

export async function login(w, page, who) {
  await page.goto(`${w.candor.base}/agent`);
  await page.getByLabel('Name').fill(who.name);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in', exact: true }).click();
  await page.getByRole('heading', { name: 'Waiting for a person' }).waitFor();
}

async function ask(page, text) {
  const box = page.getByRole('textbox', { name: 'Message' });
  await box.fill(text);
  await box.press('Enter');
}

export const agentFlows = [
  [
    'agent logs in, sees the summary, reveals with a reason and replies; the customer sees the person',
    async (w) => {
      assert.ok(w.handoff, 'the double-charge flow ran first');
      const customer = w.handoff.page;
      const id = w.handoff.session.id;
      const page = await w.newPage();
      w.agentPage = page;
      await login(w, page, w.agents[0]);
      await shot(page, '05-agent-queue');
      await page.getByTestId('waiting-list').getByRole('button', { name: new RegExp(id) }).click();
      const summary = page.getByTestId('summary');
      await summary.getByTestId('summary-intent').waitFor();
      assert.ok((await summary.getByTestId('summary-intent').innerText()).trim().length > 0, 'the summary names the intent');
      assert.match(await summary.innerText(), /Decision\s*\n?\s*person/);
      const transcript = page.getByTestId('agent-transcript');
      await transcript.getByText('I was charged twice for the same purchase').waitFor();

      // The customer adds an IBAN: the agent sees it masked and reveals it with a reason.
      await ask(customer, 'The refund should go to DE89 3704 0044 0532 0130 00 please');
      const mask = page.getByRole('button', { name: /Reveal IBAN_1/ });
      await mask.waitFor();
      assert.equal(await transcript.getByText('DE89 3704 0044 0532 0130 00').count(), 0, 'the agent sees the IBAN masked');
      await mask.click();
      await page.getByLabel(/Reason for viewing/).fill('to check the refund account');
      await page.getByRole('button', { name: 'Reveal', exact: true }).click();
      await page.locator('mark.revealed').getByText('DE89 3704 0044 0532 0130 00').waitFor();
      const notice = customer.getByTestId('notice-reveal');
      await notice.waitFor();
      assert.match(await notice.innerText(), /viewed your IBAN: to check the refund account/);

      // Look-alikes the customer types are shown as typed and cannot be revealed.
      await ask(customer, 'Is that [IBAN_2] or [IBAN_1]?');
      await transcript.locator('.typed-placeholder', { hasText: '[IBAN_2]' }).waitFor();
      assert.equal(await transcript.locator('.typed-placeholder', { hasText: '[IBAN_1]' }).count(), 1, 'a typed [IBAN_1] is not the real one');
      assert.equal(await page.getByRole('button', { name: /Reveal IBAN_2/ }).count(), 0, 'a typed look-alike has no reveal button');
      await customer.getByText('Is that [IBAN_2] or [IBAN_1]?').waitFor();

      await page.getByRole('button', { name: 'Take', exact: true }).click();
      await customer.getByText(/anna is with you now|anna ist jetzt für Sie da/).first().waitFor();
      await page.getByLabel('Reply').fill('Hello, this is Anna. I am looking into the double charge now.');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      await transcript.locator('[data-author="person"]').getByText('I am looking into the double charge now.').waitFor();
      await shot(page, '06-agent-conversation');

      const reply = customer.locator('li.msg[data-author="person"]').first();
      await reply.waitFor();
      assert.equal(await reply.locator('.who').innerText(), 'Person · anna');
      assert.equal(await reply.getByRole('button', { name: 'Why?' }).count(), 0, "a person's message has no AI Why?");
      await shot(customer, '07-chat-person-reply');

      // A promised reply time: the customer sees it with its due time.
      await page.getByLabel('within').selectOption('60');
      await page.getByRole('button', { name: 'Promise', exact: true }).click();
      const panel = customer.getByTestId('promises-panel');
      await panel.waitFor();
      assert.match(await panel.innerText(), /Reply by/);
      await shot(customer, '08-chat-promise');

      await page.getByRole('button', { name: 'Hand back to the AI', exact: true }).click();
      await customer.locator('[data-testid="notice-queue"]').last().waitFor();
    },
  ],
  [
    'agent approves an edited draft; the customer sees "AI, approved by a person"',
    async (w) => {
      const customer = await w.newPage();
      await customer.goto(`${w.candor.base}/chat`);
      await ask(customer, 'What does a transfer abroad cost?');
      await customer.locator('.step[data-stage="review"]').first().waitFor();
      assert.equal(await customer.locator('li.msg[data-author="ai"]').count(), 0, 'the unapproved draft is not shown');
      await shot(customer, '09-chat-draft-in-review');
      const id = (await customer.evaluate(() => JSON.parse(sessionStorage.getItem('candor.chat')))).id;

      const page = w.agentPage ?? (await w.newPage());
      if (!w.agentPage) await login(w, page, w.agents[0]);
      await page.getByTestId('draft-list').getByRole('button', { name: new RegExp(id) }).click();
      const review = page.getByTestId('draft-review');
      await review.waitFor();
      const box = review.getByLabel('Draft (editable)');
      const draft = await box.inputValue();
      assert.ok(draft.length > 20, 'the draft text is there to edit');
      await box.fill(`${draft} Questions? Just ask us here.`);
      await review.getByTestId('draft-diff').locator('ins').getByText(/Questions\? Just ask us here\./).waitFor();
      await shot(page, '10-agent-draft-diff');
      await review.getByRole('button', { name: 'Approve edited', exact: true }).click();

      const approved = customer.locator('li.msg[data-author="ai_approved"]').first();
      await approved.waitFor();
      assert.match(await approved.locator('.who').innerText(), /^AI, approved by a person/);
      assert.match(await approved.locator('.text').innerText(), /Questions\? Just ask us here\.$/);
      await approved.getByRole('button', { name: 'Why?' }).click();
      await approved.getByRole('region', { name: 'Why this answer' }).locator('a').first().waitFor();
      await shot(customer, '11-chat-approved');
      await customer.close();
    },
  ],
  [
    'a missed promise is overdue in the console, served first, and the customer is told honestly with a new time',
    async (w) => {
      const customer = await w.newPage();
      await customer.goto(`${w.candor.base}/chat`);
      await customer.getByRole('button', { name: 'Talk to a person' }).click();
      await customer.getByTestId('notice-queue').first().waitFor();
      const id = (await customer.evaluate(() => JSON.parse(sessionStorage.getItem('candor.chat')))).id;
      const token = (await w.candor.call('POST', '/api/v1/agents/login', '', { name: w.agents[0].name, password: w.agents[0].password })).json.token;
      // A promise two seconds ahead, so the flow need not wait for a real one to lapse.
      const due = new Date(Date.now() + 2000).toISOString();
      const made = await w.candor.call('POST', `/api/v1/conversations/${id}/promises`, token, { due_at: due });
      assert.equal(made.status, 201, JSON.stringify(made.json));

      const page = w.agentPage ?? (await w.newPage());
      if (!w.agentPage) await login(w, page, w.agents[0]);
      const late = page.getByTestId('late-list').getByRole('button', { name: new RegExp(id) });
      await late.waitFor();
      // Escalated once the miss is written (the keeper checks every second).
      await page.getByTestId('waiting-list').getByRole('button', { name: new RegExp(`${id}.*late – served first`) }).waitFor();
      const first = page.getByTestId('waiting-list').getByRole('button').first();
      assert.match(await first.innerText(), new RegExp(id), 'served first');
      await shot(page, '21-agent-late-promise');
      const notice = customer.getByTestId('notice-promise').filter({ hasText: /late/ });
      await notice.first().waitFor();
      assert.match(await notice.first().innerText(), /new time|neue Zeit|by /i);
      await shot(customer, '22-chat-promise-missed');
      await customer.close();
    },
  ],
];
