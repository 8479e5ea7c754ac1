import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import * as path from "node:path";

/** The repository's root: every link must stay inside it. */
export const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** One line of a Markdown file outside fenced code blocks, with inline code spans kept apart. */
export interface ProseLine {
  /** 1-based line number in the file. */
  line: number;
  text: string;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** The lines of `markdown` outside fenced code blocks (``` or ~~~), numbered as in the file. */
export function proseLines(markdown: string): ProseLine[] {
  const out: ProseLine[] = [];
  let fence: string | undefined;
  markdown.split(/\r?\n/).forEach((text, i) => {
    const open = FENCE.exec(text);
    if (fence !== undefined) {
      if (open && open[1][0] === fence[0] && open[1].length >= fence.length && text.trim() === open[1]) {
        fence = undefined;
      }
      return;
    }
    if (open) {
      fence = open[1];
      return;
    }
    out.push({ line: i + 1, text });
  });
  return out;
}

/** The text of a line with its inline code spans removed (links inside code are not links). */
export function withoutCodeSpans(text: string): string {
  return text.replace(/(`+)(?:(?!\1).)+?\1/g, (span) => " ".repeat(span.length));
}

/** The contents of the inline code spans of a line. */
export function codeSpans(text: string): string[] {
  return [...text.matchAll(/(`+)((?:(?!\1).)+?)\1/g)].map((m) => m[2].trim());
}

export interface Heading {
  level: number;
  /** The heading as written, e.g. ``### `POST /v1/uploads` ``. */
  text: string;
  line: number;
}

/** ATX headings (`#` to `######`) outside fenced code. */
export function headings(markdown: string): Heading[] {
  const out: Heading[] = [];
  for (const { line, text } of proseLines(markdown)) {
    const match = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(text);
    if (match) {
      out.push({ level: match[1].length, text: match[2], line });
    }
  }
  return out;
}

/**
 * GitHub's anchor for a heading: its rendered text lowercased, every character that is not a
 * letter, mark, digit, connector (`_`), space or hyphen dropped, spaces turned into hyphens.
 */
export function githubSlug(heading: string): string {
  const rendered = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1") // links and images: their text
    .replace(/<[^>]+>/g, "") // inline HTML
    .trim()
    .toLowerCase();
  return rendered.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "").replace(/ /g, "-");
}

/** Every anchor a Markdown file offers: its headings' slugs (repeats numbered -1, -2… as GitHub does) and explicit HTML ids. */
export function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const heading of headings(markdown)) {
    const slug = githubSlug(heading.text);
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    out.add(count === 0 ? slug : `${slug}-${count}`);
  }
  for (const match of markdown.matchAll(/<a\s+(?:[^>]*\s)?(?:id|name)="([^"]+)"/g)) {
    out.add(match[1]);
  }
  return out;
}

export interface Link {
  target: string;
  line: number;
}

/** The targets of inline links and images (`[text](target)`, `![alt](target)`) and of reference definitions (`[ref]: target`). */
export function links(markdown: string): Link[] {
  const out: Link[] = [];
  for (const { line, text } of proseLines(markdown)) {
    const prose = withoutCodeSpans(text);
    for (const match of prose.matchAll(/\]\(\s*(<[^>]*>|[^\s)]+)(?:\s+"[^"]*")?\s*\)/g)) {
      out.push({ target: match[1].replace(/^<|>$/g, ""), line });
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*(<[^>]*>|\S+)/.exec(prose);
    if (definition) {
      out.push({ target: definition[1].replace(/^<|>$/g, ""), line });
    }
  }
  return out;
}

/** A link to another site or scheme (`https:`, `mailto:`…), which the repository does not hold. */
export const isExternal = (target: string) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith("//");

/**
 * The repository's Markdown files, relative to its root: every tracked one and every one not yet
 * tracked that git does not ignore, outside `node_modules`. Without git, a walk of the tree.
 */
export function markdownFiles(): string[] {
  let files: string[];
  try {
    const listed = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z", "--", "*.md"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    files = listed.split("\0").filter((f) => f !== "");
  } catch {
    files = walk(REPO_ROOT).map((f) => path.relative(REPO_ROOT, f));
  }
  return [...new Set(files.map((f) => f.split(path.sep).join("/")))]
    .filter((f) => !f.split("/").includes("node_modules") && existsSync(path.join(REPO_ROOT, f)))
    .sort();
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name === ".git") {
      continue;
    }
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      out.push(...walk(full));
    } else if (entry.name.endsWith(".md")) {
      out.push(full);
    }
  }
  return out;
}
