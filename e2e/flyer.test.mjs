// End-to-end: the team creates a tracked link for a WKO event, writes the flyer text, sees
// the preview change, saves it and views the PDF. axe-core checks the editor.
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

test('a WKO flyer is written with a preview, saved and opened as PDF', async () => {
  const context = await browser.newContext({ locale: 'de-AT' });
  const page = await context.newPage();
  await page.goto(app.base + '/admin/login');
  await page.getByRole('textbox', { name: /E-Mail-Adresse/ }).fill('thomas@odoublet.test');
  await page.getByLabel('Passwort').fill('ein-sicheres-passwort');
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.waitForURL(/\/admin$/);

  await page.getByRole('link', { name: 'Links', exact: true }).click();
  await page.getByLabel(/^Bezeichnung/).fill('WKO Steyr 14.01.');
  await page.getByLabel('Kanal').selectOption('flyer');
  await page.getByLabel(/^Kurzcode/).fill('wko-steyr');
  await page.getByRole('button', { name: 'Link anlegen' }).click();
  await page.getByRole('link', { name: 'Flyer für WKO Steyr 14.01. bearbeiten' }).click();
  await page.waitForURL('**/admin/links/wko-steyr/flyer');
  assert.equal(await page.getByLabel(/^Überschrift/).inputValue(), 'KI einsetzen, aber sicher');

  await page.getByLabel(/^Überschrift/).fill('KI für Steyrer Handwerksbetriebe');
  await page.getByLabel(/^Nutzenpunkte/).fill('Angebote in halber Zeit schreiben\nBautagebuch per Sprache führen');
  await page.getByRole('button', { name: 'Vorschau aktualisieren' }).click();
  await page.getByText('Vorschau – noch nicht gespeichert.').waitFor();
  const preview = page.locator('.flyer-preview');
  assert.match(await preview.innerText(), /KI für Steyrer Handwerksbetriebe/);
  assert.match(await preview.innerText(), /Bautagebuch per Sprache führen/);
  const qr = preview.getByRole('img', { name: /QR-Code zu/ });
  assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), 'QR code image loads');
  assert.deepEqual(await axeViolations(page), [], 'axe violations on the flyer editor');
  if (process.env.E2E_SCREENSHOTS) await page.screenshot({ path: process.env.E2E_SCREENSHOTS + '/flyer-editor.png', fullPage: true });

  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.waitForURL('**/admin/links/wko-steyr/flyer?ok=gespeichert');
  assert.equal(await page.getByLabel(/^Überschrift/).inputValue(), 'KI für Steyrer Handwerksbetriebe');

  const pdf = await context.request.get(app.base + '/admin/links/wko-steyr/flyer.pdf?format=a6&ansicht=1');
  assert.equal(pdf.status(), 200);
  assert.match(pdf.headers()['content-disposition'], /^inline/);
  assert.ok((await pdf.body()).subarray(0, 4).toString() === '%PDF');
  await context.close();
});
