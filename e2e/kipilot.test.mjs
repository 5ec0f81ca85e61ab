// End-to-end: a visitor applies (with a typo first), confirms from the received mail, and
// the team sees the lead in the back office. axe-core checks every public page on the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSmtpSink, startKipilot, launchBrowser, axeViolations, mailText } from './harness.mjs';

let smtp;
let app;
let browser;
const requestsToOtherHosts = [];

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

async function newPage() {
  const context = await browser.newContext({ locale: 'de-AT' });
  const page = await context.newPage();
  page.on('request', (req) => {
    if (!req.url().startsWith(app.base) && !req.url().startsWith('data:')) requestsToOtherHosts.push(req.url());
  });
  return { context, page };
}

async function assertAccessible(page, label) {
  const violations = await axeViolations(page);
  assert.deepEqual(violations, [], `axe violations on ${label}`);
}

test('every public page passes axe-core and loads nothing from other hosts', async () => {
  const { context, page } = await newPage();
  const paths = ['/', '/ki-pilotprojekt', '/wissen', '/wissen/kundendaten-in-chatgpt', '/wissen/hohes-risiko', '/wissen/ki-bilder-verwenden', '/wissen/ki-anbieter-pruefen', '/wissen/vertrauliche-inhalte-sicher-eingeben', '/wissen/ki-assistenten-einfuehren', '/updates', '/updates/projektstart', '/updates/zitat-bauunternehmen', '/mitmachen',
    '/erstgespraech', '/werkzeuge/ki-check', '/werkzeuge/ki-check/chatgpt', '/werkzeuge/anonymisieren', '/impressum', '/datenschutz', '/embed/teaser', '/gibt-es-nicht', '/admin/login'];
  for (const path of paths) {
    await page.goto(app.base + path);
    await assertAccessible(page, path);
  }
  assert.deepEqual(requestsToOtherHosts, []);
  const cookies = await context.cookies();
  assert.deepEqual(cookies, [], 'public visitors get no cookie');
  const storage = await page.evaluate(() => localStorage.length + sessionStorage.length);
  assert.equal(storage, 0, 'nothing stored on the device');
  await context.close();
});

test('a visitor applies, fixes a typo, confirms from the mail and appears in the back office', async () => {
  const { context, page } = await newPage();
  await page.goto(app.base + '/');
  await page.getByRole('link', { name: 'Jetzt Teil des KI-Pilotprojekts werden' }).first().click();
  await page.waitForURL('**/mitmachen');

  await page.getByLabel('Unternehmen', { exact: true }).fill('Tischlerei Gruber');
  await page.getByLabel('Ihr Name').fill('Maria Gruber');
  await page.getByRole('textbox', { name: /E-Mail-Adresse/ }).fill('maria@gruber');
  await page.getByLabel('Branche').selectOption('bau');
  await page.getByLabel('Unternehmensgröße').selectOption('1-9');
  await page.getByLabel(/Texte erstellen/).check();
  await page.getByLabel(/größtes Hindernis/).fill('Wir wissen nicht, ob wir Kundendaten eingeben dürfen.');
  await page.getByLabel(/Ich bin einverstanden/).check();
  await page.getByRole('button', { name: 'Anmeldung absenden' }).click();

  // The typo is explained in German next to the field; everything typed is still there.
  await page.getByText('Nach dem @ fehlt eine gültige Domain').first().waitFor();
  assert.equal(await page.getByLabel('Unternehmen', { exact: true }).inputValue(), 'Tischlerei Gruber');
  assert.equal(await page.getByLabel('Branche').inputValue(), 'bau');
  assert.equal(await page.getByLabel(/Ich bin einverstanden/).isChecked(), true);
  await assertAccessible(page, '/mitmachen with errors');

  await page.getByRole('textbox', { name: /E-Mail-Adresse/ }).fill('maria@gruber.at');
  await page.getByRole('button', { name: 'Anmeldung absenden' }).click();
  await page.waitForURL('**/mitmachen/danke');
  await assertAccessible(page, '/mitmachen/danke');

  let mail;
  for (let i = 0; i < 100 && !mail; i++) {
    mail = smtp.messages.find((m) => m.to.some((t) => t.includes('maria@gruber.at')));
    if (!mail) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(mail, 'confirmation mail received over SMTP');
  const link = mailText(mail.data).match(/http:\/\/127\.0\.0\.1:\d+\/mitmachen\/bestaetigen\?token=[0-9a-f]{64}/);
  assert.ok(link, 'mail contains the confirmation link');

  await page.goto(link[0]);
  await assertAccessible(page, 'confirmation page');
  await page.getByRole('button', { name: 'Anmeldung bestätigen' }).click();
  await page.getByRole('heading', { name: /Sie sind dabei/ }).waitFor();
  await context.close();

  const team = await newPage();
  await team.page.goto(app.base + '/admin');
  await team.page.waitForURL('**/admin/login');
  await team.page.getByRole('textbox', { name: /E-Mail-Adresse/ }).fill('thomas@odoublet.test');
  await team.page.getByLabel('Passwort').fill('ein-sicheres-passwort');
  await team.page.getByRole('button', { name: 'Anmelden' }).click();
  await team.page.waitForURL(/\/admin$/);
  await team.page.getByRole('link', { name: 'Leads' }).click();
  await team.page.getByRole('link', { name: 'Tischlerei Gruber' }).click();
  await team.page.getByText('maria@gruber.at').first().waitFor();
  await team.page.getByText('bestätigt', { exact: true }).first().waitFor();
  await assertAccessible(team.page, 'back-office lead page');
  await team.context.close();
});
