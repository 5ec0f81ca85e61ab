// End-to-end: the team turns a lead into a pilot participant and invites a person; she logs
// in with the mailed link, enters an AI system (first with a review date in the past), and
// downloads the register as PDF and CSV, and names an obstacle that the team tags and sees in
// the insights dashboard. axe-core checks every page on the way.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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

async function waitForMail(to, pattern) {
  for (let i = 0; i < 150; i++) {
    const found = smtp.messages.find((m) => m.to.some((t) => t.includes(to)) && pattern.test(mailText(m.data)));
    if (found) return mailText(found.data);
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no mail to ${to}`);
}

test('a participant logs in by mailed link, adds an AI system and exports the register', async () => {
  const team = await browser.newContext({ locale: 'de-AT' });
  const admin = await team.newPage();
  await admin.goto(app.base + '/admin/login');
  await admin.getByRole('textbox', { name: /E-Mail-Adresse/ }).fill('thomas@odoublet.test');
  await admin.getByLabel('Passwort').fill('ein-sicheres-passwort');
  await admin.getByRole('button', { name: 'Anmelden' }).click();
  await admin.waitForURL(/\/admin$/);

  // A contact from an event becomes a participant.
  await admin.goto(app.base + '/admin/kontakt');
  await admin.getByLabel('Name', { exact: true }).fill('Maria Holzer');
  await admin.getByLabel('Unternehmen', { exact: true }).fill('Tischlerei Holzer');
  await admin.getByLabel('E-Mail-Adresse').fill('kontakt@tischlerei-holzer.test');
  await admin.getByRole('button', { name: 'Speichern und Bestätigung senden' }).click();
  await admin.goto(app.base + '/admin/leads');
  await admin.getByRole('link', { name: 'Tischlerei Holzer' }).first().click();
  await admin.getByLabel('Phase in der Pipeline').selectOption('teilnehmer');
  await admin.getByRole('button', { name: 'Phase speichern' }).click();
  await admin.getByText('Die Phase wurde gespeichert.').waitFor();
  await accessible(admin, 'lead page with the invitation form');
  // Invited right from the lead page.
  await admin.getByLabel('Name der Person').fill('Maria Holzer');
  await admin.getByLabel('E-Mail-Adresse der Person').fill('maria@tischlerei-holzer.test');
  await admin.getByLabel('Rolle').selectOption('ansprechperson');
  await admin.getByRole('button', { name: 'In den Teilnehmerbereich einladen' }).click();
  await admin.waitForURL(/\/admin\/leads\/\d+\/teilnehmer\?ok=eingeladen$/);
  await admin.getByText('Die Einladung ist unterwegs.').waitFor();
  await admin.getByRole('cell', { name: 'maria@tischlerei-holzer.test' }).waitFor();
  await accessible(admin, 'participants of a company');

  // The invitation mail carries a single-use link.
  const text = await waitForMail('maria@tischlerei-holzer.test', /teilnehmer\/anmelden\/link/);
  const link = text.match(/(\/teilnehmer\/anmelden\/link\?token=[0-9a-f]{64})/)[1];

  const ctx = await browser.newContext({ locale: 'de-AT', acceptDownloads: true });
  const page = await ctx.newPage();
  await page.goto(app.base + '/teilnehmer/anmelden');
  await accessible(page, 'login request page');
  assert.equal((await ctx.cookies()).length, 0, 'no cookie before login');
  await page.goto(app.base + link);
  await accessible(page, 'login button page');
  await page.getByRole('button', { name: 'Anmelden' }).click();
  await page.waitForURL(/\/teilnehmer$/);
  await page.getByRole('heading', { name: 'Guten Tag, Maria Holzer' }).waitFor();
  const cookies = await ctx.cookies();
  assert.equal(cookies.length, 1);
  assert.equal(cookies[0].httpOnly, true);
  assert.equal(cookies[0].sameSite, 'Strict');
  await accessible(page, 'participant start page');

  await page.getByRole('link', { name: 'KI-Verzeichnis', exact: true }).click();
  await page.waitForURL('**/teilnehmer/verzeichnis');
  await accessible(page, 'empty register');
  await page.getByRole('link', { name: 'KI-System eintragen' }).click();
  await accessible(page, 'register form');
  await page.getByLabel(/^Name des KI-Systems/).fill('ChatGPT Team');
  await page.getByLabel(/^Anbieter/).fill('OpenAI');
  await page.getByLabel(/^Zweck/).fill('Angebotstexte für Küchen formulieren');
  await page.getByLabel(/^Wer nutzt es/).fill('Büro, 2 Personen');
  await page.getByLabel(/^Gehen personenbezogene Daten hinein/).selectOption('nein');
  await page.getByLabel(/^Wo verarbeitet der Anbieter/).selectOption('drittland');
  await page.getByLabel(/^Auftragsverarbeitungsvertrag/).selectOption('nicht_noetig');
  await page.getByLabel(/^Verantwortliche Person/).fill('Maria Holzer');
  await page.getByLabel(/^Risikoklasse/).selectOption('minimal');
  await page.getByLabel(/^Nächste Prüfung/).fill('2020-01-01');
  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.getByText(/Der Prüftermin 1\. Jänner 2020 liegt in der Vergangenheit/).first().waitFor();
  assert.equal(await page.getByLabel(/^Zweck/).inputValue(), 'Angebotstexte für Küchen formulieren');
  await accessible(page, 'register form with an error');
  const next = new Date(Date.now() + 365 * 86400000).toISOString().slice(0, 10);
  await page.getByLabel(/^Nächste Prüfung/).fill(next);
  await page.getByRole('button', { name: 'Speichern' }).click();
  await page.waitForURL(/\/teilnehmer\/verzeichnis\?ok=angelegt$/);
  await page.getByRole('link', { name: 'ChatGPT Team' }).waitFor();
  await accessible(page, 'register with one system');

  const [pdf] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Als PDF herunterladen' }).click(),
  ]);
  assert.match(pdf.suggestedFilename(), /^ki-verzeichnis-tischlerei-holzer-\d{4}-\d{2}-\d{2}\.pdf$/);
  assert.equal(readFileSync(await pdf.path()).subarray(0, 4).toString(), '%PDF');
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Als CSV herunterladen' }).click(),
  ]);
  const content = readFileSync(await csv.path(), 'utf8');
  assert.ok(content.startsWith('\uFEFF'));
  assert.match(content, /"ChatGPT Team";"OpenAI"/);

  await page.getByRole('link', { name: 'Änderungsverlauf' }).click();
  await page.getByRole('cell', { name: 'Maria Holzer (Ansprechperson)' }).waitFor();
  await accessible(page, 'register history');
  await page.getByRole('link', { name: 'KI-Kompetenz', exact: true }).click();
  await accessible(page, 'literacy log');
  await page.getByRole('link', { name: 'Meine Daten', exact: true }).click();
  await accessible(page, 'my data');

  // Pain points: the participant names an obstacle (first empty, then valid)…
  await page.getByRole('link', { name: 'Anliegen', exact: true }).click();
  await page.waitForURL('**/teilnehmer/anliegen');
  await accessible(page, 'pain-point form');
  await page.getByRole('button', { name: 'Absenden' }).click();
  await page.getByText(/Bitte schreiben Sie kurz, was Sie hindert/).first().waitFor();
  await accessible(page, 'pain-point form with an error');
  await page.getByLabel(/^Ihr Anliegen/).fill('Wir wissen nicht, ob Kundendaten in ChatGPT dürfen');
  await page.getByRole('button', { name: 'Absenden' }).click();
  await page.waitForURL(/\/teilnehmer\/anliegen\?ok=anliegen$/);
  await page.getByRole('cell', { name: 'Wir wissen nicht, ob Kundendaten in ChatGPT dürfen' }).waitFor();
  await accessible(page, 'pain points of the company');
  // …the team tags it and looks at the insights.
  await admin.goto(app.base + '/admin/anliegen');
  await accessible(admin, 'pain-point list');
  await admin.getByLabel('Schlagwort').first().selectOption({ label: 'Datenschutz/DSGVO' });
  await admin.getByRole('button', { name: 'Speichern' }).first().click();
  await admin.getByText('Gespeichert. Die Einordnung zählt ab sofort in den Erkenntnissen.').waitFor();
  await admin.goto(app.base + '/admin/erkenntnisse');
  await admin.getByRole('img', { name: 'Häufigste Hindernisse' }).waitFor();
  await admin.getByRole('cell', { name: 'Datenschutz/DSGVO' }).first().waitFor();
  await accessible(admin, 'insights dashboard');
  await team.close();
  await ctx.close();
});
