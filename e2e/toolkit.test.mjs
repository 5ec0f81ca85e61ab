// End-to-end: the KI-Risiko-Check wizard answered as a user would (axe-core on every step),
// the ChatGPT quick check, and the anonymizer round trip.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSmtpSink, startKipilot, launchBrowser, axeViolations } from './harness.mjs';

let smtp;
let app;
let browser;

before(async () => {
  smtp = await startSmtpSink();
  app = await startKipilot({ smtpPort: smtp.port, databaseUrl: process.env.E2E_DATABASE_URL });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  smtp?.close();
});

async function accessible(page, label) {
  assert.deepEqual(await axeViolations(page), [], `axe violations on ${label}`);
}

// Answers for a recruiting tool bought from a vendor (Annex III point 4(a)): high risk.
const ANSWERS = { 'a.AT/DE': 'AT', 'a.A1': 'ja', 'a.B1': 'ja', 'a.C2': 'ja', 'a.C7': 'applicants', 'a.F': '4', 'a.F-4(a)': 'ja',
  'a.G0': 'ja', 'a.GDPR-1': 'ja', 'a.GDPR-28': 'ja', 'a.GDPR-44': 'US', 'a.H1': 'ja' };

test('the risk check wizard leads a non-lawyer to a high-risk result with dated duties', async () => {
  const page = await browser.newPage();
  await page.goto(app.base + '/werkzeuge/ki-check');
  await accessible(page, 'wizard start');
  await page.getByRole('button', { name: /Check starten/ }).click();
  await page.locator('button[value="weiter"]').click();
  await page.getByRole('alert').first().waitFor();
  await accessible(page, 'step with missing answers');
  for (let i = 0; i < 40; i++) {
    if ((await page.title()).startsWith('Ihr Ergebnis')) break;
    const groups = await page.$$eval('fieldset', (fs) => fs.map((f) => {
      const ins = [...f.querySelectorAll('input')];
      return { name: ins[0]?.name, type: ins[0]?.type, values: ins.map((x) => x.value), checked: ins.some((x) => x.checked) };
    }));
    for (const g of groups) {
      if (!g.name || g.checked) continue;
      const want = ANSWERS[g.name];
      const value = want && g.values.includes(want) ? want
        : g.type === 'checkbox' ? null : g.values.includes('nein') ? 'nein' : g.values.includes('keine') ? 'keine' : g.values[0];
      if (value) await page.check(`input[name="${g.name}"][value="${value}"]`);
    }
    await page.locator('button[value="weiter"]').click();
    await accessible(page, `wizard page ${i}`);
  }
  assert.match(await page.title(), /^Ihr Ergebnis/);
  const body = await page.locator('main').innerText();
  assert.match(body, /[Hh]ohes Risiko/);
  assert.match(body, /gilt (bereits|ab)/);
  assert.match(body, /Keine Rechtsberatung|keine Rechtsberatung/);
  await page.getByLabel(/Name des KI-Systems/).fill('Bewerbungs-Vorauswahl');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Bericht herunterladen (PDF)' }).click(),
  ]);
  assert.match(download.suggestedFilename(), /^ki-risiko-check-.*\.pdf$/);
  const stream = await download.createReadStream();
  const chunks = [];
  for await (const chunk of stream) chunks.push(chunk);
  const pdf = Buffer.concat(chunks);
  assert.equal(pdf.subarray(0, 4).toString(), '%PDF');
  await page.close();
});

test('the ChatGPT quick check answers with reasons', async () => {
  const page = await browser.newPage();
  await page.goto(app.base + '/werkzeuge/ki-check/chatgpt');
  await page.check('input[name="data"][value="customer_personal_data"]');
  await page.check('input[name="plan"][value="consumer"]');
  await page.check('input[name="location"][value="us_dpf"]');
  await page.check('input[name="training"][value="yes"]');
  await page.getByRole('button', { name: /Antwort anzeigen/ }).click();
  await accessible(page, 'quick check answer');
  assert.match(await page.locator('main').innerText(), /Art\. 28/);
  await page.close();
});

test('the anonymizer replaces names in the browser and restores the AI answer', async () => {
  const page = await browser.newPage();
  await page.goto(app.base + '/werkzeuge/anonymisieren');
  await page.getByLabel('Ihr Text').fill('Sehr geehrte Frau Elisabeth Haas, Ihre IBAN AT61 1904 3002 3457 3201 ist notiert.');
  await page.getByRole('button', { name: 'Text anonymisieren' }).click();
  await accessible(page, 'anonymizer result');
  const anonymized = await page.getByLabel(/Markieren, kopieren/).inputValue();
  assert.ok(!anonymized.includes('Haas') && anonymized.includes('[PERSON_1]'), anonymized);
  await page.getByLabel(/Antwort der KI/).fill('Liebe [PERSON_1], die Zahlung ist eingegangen.');
  await page.getByRole('button', { name: 'Echte Werte wieder einsetzen' }).click();
  assert.match(await page.getByLabel('Antwort mit den echten Werten').inputValue(), /Liebe Elisabeth Haas/);
  await accessible(page, 'anonymizer restored');
  await page.close();
});
