import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { VARIABLES, type VariableSpec } from "../../src/config";

/** A row of docs/configuration.md's variables table: `name`, kind, default (e.g. `` `10485760` (10 MiB) ``). */
interface DocumentedVariable {
  kind: string;
  default: string;
  gloss?: { amount: number; unit: string };
}

const UNIT_SIZES: Record<string, number> = { days: 24 * 3600, MiB: 1024 * 1024 };

function readVariablesTable(markdown: string): Map<string, DocumentedVariable> {
  const lines = markdown.split("\n");
  const header = lines.indexOf("| name | kind | default | meaning |");
  if (header < 0) throw new Error("docs/configuration.md has no `| name | kind | default | meaning |` table");
  const rows = new Map<string, DocumentedVariable>();
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith("|")) break;
    // The meaning, last, may hold anything; the three cells before it never hold a `|`.
    const [, name = "", kind = "", cell = ""] = line.split("|").map((part) => part.trim());
    const [, value = cell, amount, unit] = /^(`[^`]*`) \((\d+) (\S+)\)$/.exec(cell) ?? [];
    rows.set(name.replaceAll("`", ""), { kind, default: value, ...(unit ? { gloss: { amount: Number(amount), unit } } : {}) });
  }
  return rows;
}

/** The kind and default as the doc writes them: `90`, `"true"`, "none" for a required secret, "unset" otherwise. */
function asDocumented(spec: VariableSpec): DocumentedVariable {
  switch (spec.type) {
    case "secret":
      return spec.required ? { kind: "secret, required", default: "none" } : { kind: "secret", default: "unset" };
    case "positiveInt":
      return { kind: spec.kind, default: spec.default === null ? "unset" : `\`${spec.default}\`` };
    case "boolean":
      return { kind: spec.kind, default: `\`"${spec.default}"\`` };
    default:
      return { kind: spec.kind, default: "unset" };
  }
}

const documented = readVariablesTable(readFileSync(new URL("../../docs/configuration.md", import.meta.url), "utf8"));
const isBinding = (row: DocumentedVariable) => /\bbinding\b/.test(row.kind);

describe("docs/configuration.md's variables table", () => {
  it.each(Object.entries(VARIABLES))("lists %s with the kind and default the code gives it", (name, spec) => {
    const documentedRow = documented.get(name);
    expect(documentedRow, `${name} is not in the table`).toBeDefined();
    const { gloss, ...row } = documentedRow!;
    expect(row).toEqual(asDocumented(spec));
    if (gloss) {
      expect(UNIT_SIZES, `${name}'s default is glossed in a unit this test does not know`).toHaveProperty(gloss.unit);
      expect(gloss.amount * UNIT_SIZES[gloss.unit]!, `${name}'s default in ${gloss.unit}`).toBe(Number(row.default.replaceAll("`", "")));
    }
  });

  it("lists no variable the code does not read, besides bindings", () => {
    const unknown = [...documented].filter(([name, row]) => !isBinding(row) && !(name in VARIABLES)).map(([name]) => name);
    expect(unknown).toEqual([]);
  });
});
