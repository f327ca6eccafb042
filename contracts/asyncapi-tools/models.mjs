// Generate Python (pydantic) models of every message of an AsyncAPI document with Modelina,
// as a consumer's team would, into <directory>/<package>/.
// Usage: node models.mjs <asyncapi.yaml> <directory> <package>
import { Parser, fromFile } from '@asyncapi/parser';
import { PythonFileGenerator, PYTHON_PYDANTIC_PRESET } from '@asyncapi/modelina';
import fs from 'node:fs';
import path from 'node:path';

const [source, directory, name] = process.argv.slice(2);
const { document } = await fromFile(new Parser(), source).parse();
if (!document) throw new Error(`${source} does not parse`);
const target = path.join(directory, name);
const generator = new PythonFileGenerator({ presets: [PYTHON_PYDANTIC_PRESET] });
const models = await generator.generateToFiles(document, target, { importsStyle: 'explicit' }, true);
fs.writeFileSync(path.join(target, '__init__.py'), '');
console.log(`${models.length} models in ${target}`);
