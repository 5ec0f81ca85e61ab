// End-to-end: the team writes a LinkedIn poll post, sees the checks react to "Prüfen"
// (the site has no JavaScript), saves it with a new tracked link and exports it.
// axe-core checks every back-office page on the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

test('a LinkedIn post is written, checked, saved with a tracked link and exported', async () => {
  const context = await browser.newContext({ locale: 'de-AT', acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(app.base + '/admin/login');
  await page.getByRole('textbox', { name: /E-Mail-Adresse/ }).fill('thomas@odoublet.test');
  await page.getByLabel('Passwort').fill('ein-sicheres-passwort');
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.waitForURL(/\/admin$/);

  await page.getByRole('link', { name: 'LinkedIn', exact: true }).click();
  await page.waitForURL('**/admin/posts');
  await page.getByText('keine LinkedIn-API').first().waitFor();
  await accessible(page, 'post planner');

  await page.getByLabel('Art des neuen Posts').selectOption('umfrage');
  await page.getByRole('button', { name: 'Neuen Post beginnen' }).click();
  await page.waitForURL('**/admin/posts/neu?typ=umfrage');
  assert.match(await page.getByLabel(/^Text Ich-Form/).inputValue(), /Was hindert euch derzeit am meisten/);
  assert.equal(await page.getByLabel(/^Frage/).inputValue(), 'Was hindert euch derzeit am meisten, KI im Unternehmen einzusetzen?');
  await accessible(page, 'new post from the poll template');

  // Too long: the length check turns into an error after "Prüfen"; the text stays.
  await page.getByLabel(/^Text Ich-Form/).fill('x'.repeat(3001));
  await page.getByRole('button', { name: 'Prüfen' }).click();
  await page.getByText('Der Text ist zu lang: 3.001 Zeichen').first().waitFor();
  assert.equal((await page.getByLabel(/^Text Ich-Form/).inputValue()).length, 3001);

  // A proper text, but one poll answer of 31 characters.
  const body = 'Eine ehrliche Frage an euch: Was bremst euch bei KI?\n\nStimm ab und schreib mir in die Kommentare! {link}\n\n#KI #DSGVO #KMU';
  await page.getByLabel(/^Text Ich-Form/).fill(body);
  await page.getByLabel(/^Antwort 1/).fill('o'.repeat(31));
  await page.getByRole('button', { name: 'Prüfen' }).click();
  await page.getByText('Jede Antwort darf höchstens 30 Zeichen haben').first().waitFor();
  assert.equal(await page.getByLabel(/^Text Ich-Form/).inputValue(), body);
  await page.getByText(/Der Text ist zu lang/).waitFor({ state: 'detached' });
  await accessible(page, 'editor with check results');

  await page.getByLabel(/^Antwort 1/).fill('Datenschutz / DSGVO');
  await page.getByRole('button', { name: 'Prüfen' }).click();
  await page.getByText('Stimm ab und schreib mir').first().waitFor();
  assert.equal(await page.locator('.checks .status.err').count(), 0, 'no errors left');
  assert.match(await page.getByLabel('Text zum Kopieren').inputValue(), /\/l\/post-1\n/);

  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.waitForURL(/\/admin\/posts\/\d+\?ok=gespeichert$/);
  await page.getByText('Gespeichert.').waitFor();
  await accessible(page, 'saved post');

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Als Textdatei exportieren' }).click(),
  ]);
  const text = readFileSync(await download.path(), 'utf8');
  assert.match(text, /Stimm ab und schreib mir in die Kommentare! http:\/\/127\.0\.0\.1:\d+\/l\/post-1/);
  assert.match(text, /Frage: Was hindert euch derzeit am meisten, KI im Unternehmen einzusetzen\?/);
  assert.match(text, /Dauer: 7 Tage/);

  await page.getByRole('link', { name: 'LinkedIn-Posts' }).click();
  await page.getByRole('link', { name: /Eine ehrliche Frage an euch/ }).waitFor();
  await context.close();
});
