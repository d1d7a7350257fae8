// Loads the rlstream dashboard in headless Chromium and checks that it shows data.
// Usage: node check-dashboard.mjs URL SCREENSHOT.png [CHROMIUM]
// Prints one JSON object on stdout (the last line) that DashboardIT parses; exit code 0 unless it crashed.
import { chromium } from 'playwright-core';

const [url, screenshot, executablePath = '/usr/bin/chromium'] = process.argv.slice(2);
const CHARTS = ['accuracy', 'reward', 'effective_ratio', 'staleness', 'throughput', 'kl', 'loss'];
const result = { url, charts: {}, errors: [] };
const browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1360, height: 1500 } });
  page.on('pageerror', e => result.errors.push('page error: ' + e.message));
  // the unknown group's 404 below is expected; any other failed request or console error is not
  page.on('console', m => {
    if (m.type() === 'error' && !(m.location().url || '').includes('api/lineage/no-such-group')) {
      result.errors.push('console: ' + m.text() + ' (' + (m.location().url || '') + ')');
    }
  });
  await page.goto(url, { waitUntil: 'load' });

  // every chart draws a data path with at least two points
  for (const id of CHARTS) {
    const sel = `.chart[data-series="${id}"] path.series`;
    try {
      await page.waitForFunction(s => { const p = document.querySelector(s); return p && +p.dataset.points >= 2; }, sel,
        { timeout: 90_000, polling: 500 });
    } catch (e) { result.errors.push(`chart ${id}: no path with 2 points within 90 s`); }
    result.charts[id] = await page.evaluate(id => {
      const card = document.querySelector(`.chart[data-series="${id}"]`);
      const path = card.querySelector('path.series');
      const v = card.querySelector('.value');
      return { points: path ? +path.dataset.points : 0, d: path ? path.getAttribute('d').length : 0,
        step: v.dataset.step === '' ? null : +v.dataset.step, value: v.dataset.value === '' ? null : +v.dataset.value,
        shown: v.textContent };
    }, id);
  }
  // what the API says for the steps the page shows last
  const api = await page.evaluate(async () => (await (await fetch('api/steps')).json()).steps);
  const byStep = new Map(api.map(r => [r.step, r.values]));
  for (const id of CHARTS) {
    const c = result.charts[id];
    c.api_value = c.step === null || !byStep.has(c.step) ? null : (byStep.get(c.step)[id] ?? null);
  }
  result.api_steps = api.length;

  // lineage: pick a trained group from the list, click it, read the panel
  await page.selectOption('#recent-stage', 'trained');
  await page.waitForSelector('#recent-groups button[data-group]', { timeout: 60_000 });
  const groupId = await page.getAttribute('#recent-groups button[data-group]', 'data-group');
  await page.click(`#recent-groups button[data-group="${groupId}"]`);
  await page.waitForSelector('#lineage-samples tbody tr', { timeout: 10_000 });
  result.lineage = await page.evaluate(() => {
    const box = document.querySelector('#lineage');
    const rows = [...document.querySelectorAll('#lineage-samples tbody tr')];
    const ck = document.querySelector('#lineage-checkpoint');
    return { group: box.dataset.group, stage: box.dataset.stage,
      prompt: document.querySelector('#lineage-prompt')?.textContent ?? null,
      rollouts: rows.length, rewards: rows.map(r => r.querySelector('td.reward').textContent),
      advantages: rows.map(r => r.querySelector('td.advantage').textContent),
      batch: document.querySelector('#lineage-batch')?.textContent ?? null,
      checkpoint_version: ck ? +ck.dataset.version : null };
  });
  result.lineage_api = await page.evaluate(async g => (await fetch('api/lineage/' + encodeURIComponent(g))).json(), groupId);
  // typing an unknown id shows the API's 404 message
  await page.fill('#group-id', 'no-such-group');
  await page.press('#group-id', 'Enter');
  await page.waitForSelector('#lineage.error', { timeout: 10_000 });
  result.unknown_group = await page.textContent('#lineage');
  // leave the trained group on screen for the screenshot
  await page.click(`#recent-groups button[data-group="${groupId}"]`);
  await page.waitForSelector('#lineage-samples tbody tr', { timeout: 10_000 });
  if (screenshot) {
    await page.screenshot({ path: screenshot, fullPage: true });
    result.screenshot = screenshot;
  }
} catch (e) {
  result.errors.push('check failed: ' + (e && e.stack || e));
} finally {
  await browser.close();
}
console.log(JSON.stringify(result));
