// Parse an AsyncAPI document with the official parser; exit 1 on any error-level diagnostic.
// Usage: node validate.mjs <asyncapi.yaml>
import { Parser, fromFile } from '@asyncapi/parser';

const { document, diagnostics } = await fromFile(new Parser(), process.argv[2]).parse();
const errors = diagnostics.filter((d) => d.severity === 0);
for (const d of errors) console.log(`${d.code}: ${d.message} at ${d.path.join('.')}`);
console.log(`${errors.length} errors; ${document ? 'parsed' : 'not parsed'}`);
process.exit(errors.length > 0 || !document ? 1 : 0);
