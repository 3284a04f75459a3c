#!/usr/bin/env node
// Validates an AsyncAPI document with @asyncapi/parser, the AsyncAPI project's reference parser (the schema of the
// spec, its bindings and its Spectral rules). Prints one JSON object:
//   {"file": ..., "asyncapi": "3.0.0", "errors": [...], "warnings": [...]}
// each diagnostic {code, message, path}. Exit 0 when there is no error, 1 when there is, 2 on bad usage.
//   node tools/asyncapi/validate.mjs shared/contracts/asyncapi.json
import { readFile } from "node:fs/promises";
import { Parser, DiagnosticSeverity } from "@asyncapi/parser";

const file = process.argv[2];
if (!file) {
  console.error("usage: node validate.mjs ASYNCAPI.json");
  process.exit(2);
}
const text = await readFile(file, "utf8");
const parser = new Parser();
const { document, diagnostics } = await parser.parse(text, { source: file });
const shape = (d) => ({ code: String(d.code), message: d.message, path: d.path.join(".") });
const errors = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error).map(shape);
const warnings = diagnostics.filter((d) => d.severity === DiagnosticSeverity.Warning).map(shape);
if (document === undefined && errors.length === 0) {
  errors.push({ code: "unparsed", message: "the parser returned no document", path: "" });
}
const version = document ? document.version() : null;
console.log(JSON.stringify({ file, asyncapi: version, errors, warnings }, null, 2));
process.exit(errors.length === 0 ? 0 : 1);
