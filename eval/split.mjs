#!/usr/bin/env node
// Splits each shop's new questions into `dev` and `held-out`, half each, by a hash of the shop and
// the question: run once when questions are added, before any rule is tuned on them, and commit
// the result. A question that already has a split keeps it.
import { createHash } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const shopsDir = fileURLToPath(new URL('./shops/', import.meta.url));
for (const entry of await readdir(shopsDir, { withFileTypes: true })) {
  if (!entry.isDirectory()) continue;
  const file = join(shopsDir, entry.name, 'questions.json');
  const questions = JSON.parse(await readFile(file, 'utf8').catch(() => 'null'));
  if (!questions) continue;
  let added = 0;
  for (const question of questions) {
    if (question.split) continue;
    const hash = createHash('sha256').update(`${entry.name}\n${question.question}`).digest();
    question.split = hash[0] % 2 === 0 ? 'dev' : 'held-out';
    added++;
  }
  await writeFile(file, `${JSON.stringify(questions, null, 1)}\n`);
  const heldOut = questions.filter((question) => question.split === 'held-out').length;
  console.log(`${entry.name}: ${questions.length} questions, ${heldOut} held-out (${added} newly split)`);
}
