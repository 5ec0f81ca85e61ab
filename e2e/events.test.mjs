// End-to-end: the team plans a round-table in the back office, a visitor registers, confirms
// from the received mail (the seat comes with a calendar invitation), opens the personal
// link and cancels. axe-core checks every page on the way; the visitor gets no cookie.
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

async function waitForMail(predicate) {
  for (let i = 0; i < 100; i++) {
    const mail = smtp.messages.find(predicate);
    if (mail) return mail;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('mail not received');
}

test('the team plans a round-table; a visitor registers, confirms from the mail and cancels', async () => {
  const team = await browser.newContext({ locale: 'de-AT' });
  const admin = await team.newPage();
  await admin.goto(app.base + '/admin/login');
  await admin.getByRole('textbox', { name: /E-Mail-Adresse/ }).fill('thomas@odoublet.test');
  await admin.getByLabel('Passwort').fill('ein-sicheres-passwort');
  await admin.getByRole('button', { name: 'Anmelden' }).click();
  await admin.waitForURL(/\/admin$/);
  await admin.getByRole('link', { name: 'Round-Tables', exact: true }).click();
  await admin.waitForURL('**/admin/veranstaltungen');
  await accessible(admin, 'event list');
  await admin.getByRole('link', { name: 'Neue Veranstaltung' }).click();
  const date = new Date(Date.now() + 10 * 86400000).toISOString().slice(0, 10);
  await admin.getByLabel('Titel', { exact: true }).fill('Round-Table Browser-Test');
  await admin.getByLabel(/^Datum/).fill(date);
  await admin.getByLabel('Beginn', { exact: true }).fill('17:00');
  await admin.getByLabel('Plätze', { exact: true }).fill('3');
  await admin.getByLabel(/^Link zum Online-Treffen/).fill('https://meet.example.at/rt');
  await admin.getByLabel(/^Beschreibung/).fill('Bringen Sie **eine Frage** aus Ihrem Betrieb mit.');
  await admin.getByRole('button', { name: 'Speichern' }).click();
  await admin.getByText('Gespeichert.').waitFor();
  await accessible(admin, 'event editor');

  const visitor = await browser.newContext({ locale: 'de-AT' });
  const page = await visitor.newPage();
  await page.goto(app.base + '/');
  await page.getByRole('link', { name: 'Round-Tables', exact: true }).click();
  await page.waitForURL('**/veranstaltungen');
  await accessible(page, '/veranstaltungen');
  await page.getByRole('link', { name: 'Round-Table Browser-Test' }).click();
  await page.getByText('Noch 3 von 3 Plätzen frei.').waitFor();
  await accessible(page, 'event page');

  // A typo first: the German message appears, the name stays.
  await page.getByLabel('Ihr Name').fill('Maria Gruber');
  await page.getByRole('textbox', { name: /E-Mail-Adresse/ }).fill('maria@gruber');
  await page.getByLabel(/Ich bin einverstanden/).check();
  await page.getByRole('button', { name: 'Platz reservieren' }).click();
  await page.getByText('Nach dem @ fehlt eine gültige Domain').first().waitFor();
  assert.equal(await page.getByLabel('Ihr Name').inputValue(), 'Maria Gruber');
  await accessible(page, 'event page with errors');
  await page.getByRole('textbox', { name: /E-Mail-Adresse/ }).fill('maria@gruber.at');
  await page.getByRole('button', { name: 'Platz reservieren' }).click();
  await page.getByRole('heading', { name: /Bitte schauen Sie in Ihr Postfach/ }).waitFor();
  await accessible(page, 'thanks page');

  const confirmMail = await waitForMail((m) => m.to.some((t) => t.includes('maria@gruber.at')));
  const confirmLink = mailText(confirmMail.data).match(/http:\/\/127\.0\.0\.1:\d+\/veranstaltungen\/anmeldung\/bestaetigen\?token=\d+\.[0-9a-f]{64}/);
  assert.ok(confirmLink, 'confirmation link in the mail');
  await page.goto(confirmLink[0]);
  await accessible(page, 'confirmation page');
  await page.getByRole('button', { name: 'Anmeldung bestätigen' }).click();
  await page.getByRole('heading', { name: /Ihr Platz ist reserviert/ }).waitFor();
  await accessible(page, 'seat confirmed');

  const invite = await waitForMail((m) => m.data.includes('text/calendar; method=REQUEST'));
  const personal = mailText(invite.data).match(/http:\/\/127\.0\.0\.1:\d+\/veranstaltungen\/anmeldung\?token=\d+\.[0-9a-f]{64}/);
  assert.ok(personal, 'personal link in the invitation');
  await page.goto(personal[0]);
  await page.getByText('Platz reserviert').waitFor();
  await accessible(page, 'personal page');
  await page.getByRole('button', { name: 'Teilnahme absagen' }).click();
  await page.getByRole('heading', { name: 'Sie haben abgesagt' }).waitFor();
  await accessible(page, 'cancelled');
  assert.deepEqual(await visitor.cookies(), [], 'visitors get no cookie');

  await admin.goto(admin.url().split('?')[0] + '/anmeldungen');
  await admin.getByText('maria@gruber.at').waitFor();
  await admin.getByText('abgesagt', { exact: true }).first().waitFor();
  await accessible(admin, 'registration list');
  await visitor.close();
  await team.close();
});
