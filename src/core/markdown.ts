/**
 * Making untrusted text inert in GitHub-flavoured markdown (PRODUCT.md §4, §7):
 * no HTML, no @mentions, no #references, no links or autolinks, no emphasis,
 * and no broken table cells.
 */

import { markdownTable } from "markdown-table";

const ENTITY: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "@": "&#64;",
  "#": "&#35;",
  "|": "&#124;",
  ":": "&#58;",
};

/** Escape text for use inside a paragraph or a table cell: one line, rendered literally. */
export function escapeMarkdown(text: string, maxLength = 200): string {
  const oneLine = text.replace(/[\r\n\t\u2028\u2029]+/g, " ").replace(/[\u0000-\u001f\u007f]/g, "");
  const short = oneLine.length > maxLength ? `${oneLine.slice(0, maxLength - 1)}…` : oneLine;
  return (
    short
      // entities first, so the backslashes below are not doubled by them
      .replace(/[&<>"@#|]/g, (c) => ENTITY[c]!)
      // "://" and "www." would autolink; breaking the colon keeps them visibly the same
      .replace(/:(?=\/\/)/g, ENTITY[":"]!)
      .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}&#46;`)
      .replace(/[\\`*_~[\]()!{}+-]/g, (c) => `\\${c}`)
  );
}

/** Inline code for trusted-shape values we still do not fully control (versions, SHAs). */
export function code(text: string): string {
  const clean = text.replace(/[\r\n`]/g, "");
  return `\`${clean}\``;
}

/** A GitHub table; cells must already be escaped. */
export function table(header: string[], align: ("l" | "r" | "c")[], rows: string[][]): string {
  return markdownTable([header, ...rows], { align, alignDelimiters: false });
}

export function details(summary: string, body: string, open = false): string {
  return `<details${open ? " open" : ""}><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}
