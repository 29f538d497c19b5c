// A step's checks and waits get its ID from its handle (StepHandle), never from a literal: a
// copy-pasted ID would put another step's name on a failure. So in the catalogues' code
// (every non-test .ts file under suites/<catalogue>/), a string or template literal may name a
// step ID (like 'SG-S4' or 'SG-M3-curl') only as:
//   (a) the whole value of an `id:` property (a step definition, or the spec a step is made from);
//   (b) an element of a `dependsOn: [...]` list (the steps it needs, named on purpose);
//   (c) part of a `title:` property's text, and only naming another step (a title like
//       "curl built with LibreSSL (as SG-B3)"; its own ID is printed before the title anyway);
//   (d) the whole value of a `breaks:` property (a faults table names the step a fault breaks).
// Anything else, including an explanatory message, is a hit, reported as file:line.
// Comments are not literals and are not checked.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import ts from 'typescript';

const suitesDir = path.resolve(__dirname, '..');
/** A catalogue step ID: a prefix, a letter and a number, maybe a lower-case variant (SG-S4-curl). */
const STEP_ID = /\b[A-Z]{2,}-[A-Z]\d+(?:-[a-z]+)*\b/g;

function catalogueFiles(): string[] {
  const catalogues = fs.readdirSync(suitesDir, { withFileTypes: true }).filter((entry) => entry.isDirectory() && entry.name !== 'runtime');
  return catalogues.flatMap((catalogue) =>
    fs
      .readdirSync(path.join(suitesDir, catalogue.name), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts') && !file.endsWith('.test.ts'))
      .map((file) => path.join(suitesDir, catalogue.name, file)),
  );
}

const propertyName = (node: ts.Node): string | undefined =>
  ts.isPropertyAssignment(node) && (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) ? node.name.text : undefined;

/** The `id:` literal of the object literal a property belongs to, if it has one. */
function ownId(property: ts.PropertyAssignment): string | undefined {
  const sibling = property.parent.properties.find((candidate) => propertyName(candidate) === 'id') as ts.PropertyAssignment | undefined;
  return sibling && ts.isStringLiteral(sibling.initializer) ? sibling.initializer.text : undefined;
}

/** Whether the IDs in `literal` are where the rule allows them. */
function allowed(literal: ts.Node, ids: string[]): boolean {
  const parent = literal.parent;
  if (ts.isStringLiteral(literal) && propertyName(parent) === 'id') return true;
  if (ts.isStringLiteral(literal) && ts.isArrayLiteralExpression(parent) && propertyName(parent.parent) === 'dependsOn') return true;
  if (ts.isStringLiteral(literal) && propertyName(parent) === 'breaks') return true;
  // A title's literal is its whole value, or a piece of its template.
  const title = propertyName(parent) === 'title' ? parent : ts.isTemplateSpan(parent) || ts.isTemplateExpression(parent) ? ancestorTitle(parent) : undefined;
  return title !== undefined && !ids.includes(ownId(title as ts.PropertyAssignment) ?? '');
}

function ancestorTitle(node: ts.Node): ts.Node | undefined {
  const template = ts.isTemplateSpan(node) ? node.parent : node;
  return propertyName(template.parent) === 'title' ? template.parent : undefined;
}

/** `file:line: text` for each literal that names a step ID outside the places the rule allows. */
function stepIdHits(file: string): string[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const hits: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      const ids = node.text.match(STEP_ID) ?? [];
      if (ids.length > 0 && !allowed(node, ids)) {
        const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
        hits.push(`${path.relative(process.cwd(), file)}:${line}: ${ids.join(', ')} in ${node.getText(source).slice(0, 80)}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return hits;
}

describe('step IDs in the catalogues', () => {
  test('the rule finds what it is meant to (a wrong ID in a check, an ID in a message, a title naming its own step)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'igc-step-ids-'));
    const file = path.join(dir, 'sample.ts');
    fs.writeFileSync(
      file,
      [
        "const steps = [{ id: 'SG-A1', title: 'as SG-B3', dependsOn: ['SG-B1'], run: async (_c, step) => step.expect(true, 'fine') },",
        "  { id: 'SG-A2', title: `SG-A2 twice`, run: async () => { throw new StepFailure('SG-A1', 'x', 'y'); } },",
        "  { id: 'SG-A3', title: 'fine', run: async () => need(undefined, `the chain (SG-C1)`) }];",
        "const faults = [{ name: 'f', breaks: 'SG-A1', why: 'before SG-A2' }];",
      ].join('\n'),
    );
    try {
      expect(stepIdHits(file).map((hit) => hit.replace(/^.*sample\.ts:/, ''))).toEqual([
        '2: SG-A2 in `SG-A2 twice`',
        "2: SG-A1 in 'SG-A1'",
        '3: SG-C1 in `the chain (SG-C1)`',
        "4: SG-A2 in 'before SG-A2'",
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('no literal step ID outside an id, a dependsOn list or another step\'s mention in a title', () => {
    const files = catalogueFiles();
    expect(files.length).toBeGreaterThan(5);
    expect(files.flatMap(stepIdHits)).toEqual([]);
  });
});
