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
  // GitHub finds mentions and #refs in the rendered text, after entities are decoded,
  // so break them with a zero-width space rather than an entity
  "@": "@&#8203;",
  "#": "#&#8203;",
  "|": "&#124;",
  ":": "&#58;",
};

/** Escape text for use inside a paragraph or a table cell: one line, rendered literally. */
export function escapeMarkdown(text: string, maxLength = 200): string {
  return escapeHtmlText(text, maxLength).replace(/[\\`*_~[\]()!{}+-]/g, (c) => `\\${c}`);
}

/**
 * Escape text inside raw HTML such as `<summary>`, where markdown is not
 * parsed (so backslash escapes would show) but entities are.
 */
export function escapeHtmlText(text: string, maxLength = 200): string {
  const oneLine = text.replace(/[\r\n\t\u2028\u2029]+/g, " ").replace(/[\u0000-\u001f\u007f]/g, "");
  const short = oneLine.length > maxLength ? `${oneLine.slice(0, maxLength - 1)}…` : oneLine;
  return (
    short
      // entities first, so the backslashes below are not doubled by them
      .replace(/[&<>"@#|]/g, (c) => ENTITY[c]!)
      // "://" and "www." would autolink; breaking the colon keeps them visibly the same
      .replace(/:(?=\/\/)/g, ENTITY[":"]!)
      .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}&#46;`)
  );
}

/** Inline code: HTML and mentions are inert inside it; backticks and newlines are removed, pipes escaped for tables. */
export function code(text: string, maxLength = 200): string {
  const clean = text
    .replace(/[\r\n`]/g, "")
    .slice(0, maxLength)
    .replace(/\|/g, "\\|");
  return `\`${clean}\``;
}

/** A GitHub table; cells must already be escaped. */
export function table(header: string[], align: ("l" | "r" | "c")[], rows: string[][]): string {
  return markdownTable([header, ...rows], { align, alignDelimiters: false });
}

export function details(summary: string, body: string, open = false): string {
  return `<details${open ? " open" : ""}><summary>${summary}</summary>\n\n${body}\n\n</details>`;
}
