// End-to-end: a visitor books a first call in the week view (no JavaScript on the site),
// receives the invitation over SMTP, confirms and cancels via the links in the mails; the
// team sees the booking in the back office. axe-core checks every page on the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSmtpSink, startKipilot, launchBrowser, axeViolations, mailText } from './harness.mjs';

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

async function mailTo(address, predicate) {
  for (let i = 0; i < 150; i++) {
    const found = smtp.messages.find((m) => m.to.some((t) => t.includes(address)) && predicate(m.data));
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no matching mail to ${address}`);
}

function link(mail, path) {
  const m = mailText(mail.data).match(new RegExp(`http://127\\.0\\.0\\.1:\\d+/termin/${path}\\?t=[0-9a-f.]+`));
  assert.ok(m, `mail contains the ${path} link`);
  return m[0];
}

test('a visitor books a first call, confirms it from the mail and cancels it via the link', async () => {
  const context = await browser.newContext({ locale: 'de-AT' });
  const page = await context.newPage();
  await page.goto(app.base + '/');
  await page.getByRole('link', { name: 'Unverbindliches Erstgespräch vereinbaren' }).first().click();
  await page.waitForURL('**/erstgespraech');
  await accessible(page, '/erstgespraech');

  // Pick another day through the week view (a plain link), then the first free time.
  const days = page.locator('.week-days a:not(.empty)');
  const count = await days.count();
  assert.ok(count >= 1, 'at least one day with free slots');
  await days.nth(count - 1).click();
  await page.waitForURL(/tag=\d{4}-\d{2}-\d{2}/);
  const slot = page.locator('#f-slot input[name="slot"]').first();
  await slot.check();
  const chosen = await slot.getAttribute('value');

  // First an invalid address: the message is German and everything typed stays.
  await page.getByLabel('Ihr Name').fill('Maria Gruber');
  await page.getByLabel('Unternehmen', { exact: true }).fill('Tischlerei Gruber');
  await page.getByRole('textbox', { name: /E-Mail-Adresse/ }).fill('maria@gruber');
  await page.getByLabel('Texte', { exact: true }).check();
  await page.getByLabel(/Ich bin einverstanden/).check();
  await page.getByRole('button', { name: 'Termin buchen' }).click();
  await page.getByText('Nach dem @ fehlt eine gültige Domain').first().waitFor();
  assert.equal(await page.getByLabel('Unternehmen', { exact: true }).inputValue(), 'Tischlerei Gruber');
  assert.equal(await page.locator(`input[name="slot"][value="${chosen}"]`).first().isChecked(), true);
  await accessible(page, '/erstgespraech with errors');

  await page.getByRole('textbox', { name: /E-Mail-Adresse/ }).fill('maria@gruber.at');
  await page.getByRole('button', { name: 'Termin buchen' }).click();
  await page.waitForURL('**/erstgespraech/danke');
  await accessible(page, '/erstgespraech/danke');

  const invitation = await mailTo('maria@gruber.at', (d) => d.includes('method=REQUEST'));
  assert.match(invitation.data, /text\/calendar; method=REQUEST/);
  assert.match(mailText(invitation.data), /BEGIN:VCALENDAR[\s\S]*UID:booking-\d+@127\.0\.0\.1/);

  await page.goto(link(invitation, 'bestaetigen'));
  await accessible(page, 'confirm page');
  await page.getByRole('button', { name: 'Termin bestätigen' }).click();
  await page.getByRole('heading', { name: 'Ihr Termin ist bestätigt' }).waitFor();
  await accessible(page, 'confirmed page');
  await mailTo('team@odoublet.test', (d) => mailText(d).includes('Tischlerei Gruber'));

  await page.goto(link(invitation, 'absagen'));
  await accessible(page, 'cancel page');
  await page.getByRole('button', { name: 'Termin absagen' }).click();
  await page.getByRole('heading', { name: 'Ihr Termin ist abgesagt' }).waitFor();
  await accessible(page, 'cancelled page');
  const cancellation = await mailTo('maria@gruber.at', (d) => d.includes('method=CANCEL'));
  assert.match(mailText(cancellation.data), /SEQUENCE:1/);
  assert.deepEqual(await context.cookies(), [], 'visitors get no cookie');

  // The slot is free again.
  await page.goto(app.base + '/erstgespraech');
  const url = new URL(link(invitation, 'absagen'));
  assert.ok(url.searchParams.get('t'));
  await context.close();
});

test('the team sees bookings and availability settings in the back office', async () => {
  const context = await browser.newContext({ locale: 'de-AT' });
  const page = await context.newPage();
  await page.goto(app.base + '/admin/login');
  await page.getByRole('textbox', { name: /E-Mail-Adresse/ }).fill('thomas@odoublet.test');
  await page.getByLabel('Passwort').fill('ein-sicheres-passwort');
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.waitForURL(/\/admin$/);
  await page.getByRole('link', { name: 'Termine', exact: true }).click();
  await page.waitForURL('**/admin/termine');
  await accessible(page, '/admin/termine');
  await page.getByRole('link', { name: /Alle Termine zeigen/ }).click();
  await page.getByText('Tischlerei Gruber (Maria Gruber)').first().waitFor();
  await page.getByText('abgesagt', { exact: true }).first().waitFor();
  await accessible(page, '/admin/termine?alle=1');
  await page.getByRole('link', { name: 'Zeiten: Erstgespräch' }).click();
  await accessible(page, 'availability settings');
  await page.getByLabel('Freitag').fill('09:00-12:00, 13:00-15:00');
  await page.getByRole('button', { name: 'Zeiten speichern' }).click();
  await page.getByText('Die Einstellungen sind gespeichert').waitFor();
  assert.equal(await page.getByLabel('Freitag').inputValue(), '09:00-12:00, 13:00-15:00');
  await page.goto(app.base + '/admin/termine/sperrzeiten');
  await accessible(page, 'closed periods');
  await context.close();
});
