// Test harness for the browser tests: a loopback SMTP sink, the kipilot binary on a free
// port with a fresh database, and Debian's Chromium via playwright-core.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const BIN = process.env.KIPILOT_BIN || join(here, '..', 'target', 'debug', 'kipilot');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** A minimal SMTP server that keeps every received message in memory. */
export async function startSmtpSink() {
  const messages = [];
  const server = createServer((socket) => {
    let buffer = '';
    let inData = false;
    let data = '';
    const to = [];
    socket.write('220 sink.test ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let idx;
      while ((idx = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, idx);
        buffer = buffer.slice(idx + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            messages.push({ to: [...to], data });
            data = '';
            to.length = 0;
            socket.write('250 queued\r\n');
          } else {
            data += line + '\r\n';
          }
          continue;
        }
        const upper = line.toUpperCase();
        if (upper.startsWith('EHLO') || upper.startsWith('HELO')) socket.write('250-sink.test\r\n250 8BITMIME\r\n');
        else if (upper.startsWith('MAIL FROM:')) socket.write('250 OK\r\n');
        else if (upper.startsWith('RCPT TO:')) { to.push(line.slice(8).trim()); socket.write('250 OK\r\n'); }
        else if (upper.startsWith('DATA')) { inData = true; socket.write('354 go ahead\r\n'); }
        else if (upper.startsWith('QUIT')) { socket.write('221 bye\r\n'); socket.end(); }
        else socket.write('250 OK\r\n');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: server.address().port, messages, close: () => server.close() };
}

/** Decodes quoted-printable soft breaks and escapes enough to find links. */
export function mailText(raw) {
  return raw.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
}

let databaseCounter = 0;

/**
 * A fresh PostgreSQL database next to `serverUrl` (which names an existing database used only
 * to create and drop it). Why: every test file starts its own kipilot; sharing one database
 * would let a previous instance's mail worker, still shutting down, take this file's mails.
 */
function freshPostgresDatabase(serverUrl) {
  const name = `kipilot_e2e_${process.pid}_${++databaseCounter}`;
  const created = spawnSync('psql', [serverUrl, '-qc', `CREATE DATABASE ${name}`]);
  if (created.status !== 0) throw new Error(`cannot create ${name}: ${created.stderr}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const drop = () => spawnSync('psql', [serverUrl, '-qc', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`]);
  return { url: url.toString(), drop };
}

/** Starts kipilot; returns { base, stop }. */
export async function startKipilot({ smtpPort, databaseUrl }) {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'kipilot-e2e-'));
  const postgres = databaseUrl ? freshPostgresDatabase(databaseUrl) : null;
  const env = {
    ...process.env,
    KIPILOT_LISTEN: `127.0.0.1:${port}`,
    KIPILOT_DATABASE_URL: postgres ? postgres.url : `sqlite://${dir}/kipilot.db`,
    KIPILOT_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    KIPILOT_FORM_MIN_FILL_MS: '0',
    KIPILOT_TEAM_EMAIL: 'team@odoublet.test',
  };
  const admin = spawnSync(BIN, ['admin', 'create', '--email', 'thomas@odoublet.test'], { env, input: 'ein-sicheres-passwort\n' });
  if (admin.status !== 0) throw new Error(`admin create failed: ${admin.stderr}`);
  const child = spawn(BIN, ['serve'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    try {
      const r = await fetch(`${base}/healthz`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    base,
    stop: async () => {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      postgres?.drop();
    },
  };
}

/** Launches Debian's Chromium headless. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Runs axe-core (WCAG 2.1 A/AA) on the current page; returns the violations. */
export async function axeViolations(page) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}
