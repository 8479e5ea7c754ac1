import * as assert from "node:assert/strict";
import { existsSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import { anchors, githubSlug, isExternal, links, markdownFiles, REPO_ROOT } from "./markdown";

/*
 * The documentation is read on GitHub and in a clone: every relative link of every Markdown file
 * must land on a file or folder of the repository (and an #anchor into a Markdown file on one of its
 * headings), and none may leave it. The design notes beside the working copy (`../shared`) are not
 * in a clone, so nothing may point there.
 */
describe("docs: links in the repository's Markdown", () => {
  const files = markdownFiles();
  const anchorCache = new Map<string, Set<string>>();
  const anchorsOf = (file: string) => {
    let found = anchorCache.get(file);
    if (found === undefined) {
      found = anchors(readFileSync(file, "utf8"));
      anchorCache.set(file, found);
    }
    return found;
  };

  it("finds the front door, the docs and the folder READMEs", () => {
    for (const expected of ["README.md", "docs/API.md", "docs/ARCHITECTURE.md", "docs/BENCHMARKS.md", "docs/deploying.md"]) {
      assert.ok(files.includes(expected), `${expected} is missing from ${files.join(", ")}`);
    }
    assert.ok(files.some((f) => f.startsWith("functions/")), "no README under functions/");
  });

  it("resolves every relative link to a file or folder inside the repository, and every #anchor to a heading", () => {
    const problems: string[] = [];
    for (const file of files) {
      const absolute = path.join(REPO_ROOT, file);
      for (const { target, line } of links(readFileSync(absolute, "utf8"))) {
        if (isExternal(target)) {
          continue;
        }
        const where = `${file}:${line} → ${target}`;
        const hash = target.indexOf("#");
        const rawPath = hash === -1 ? target : target.slice(0, hash);
        const anchor = hash === -1 ? undefined : target.slice(hash + 1);
        let decoded: string;
        try {
          decoded = decodeURIComponent(rawPath.split("?")[0]);
        } catch {
          problems.push(`${where}: not a valid URL path`);
          continue;
        }
        // GitHub resolves "/x" from the repository's root, anything else from the file's folder.
        const resolved =
          decoded === "" ? absolute : decoded.startsWith("/") ? path.join(REPO_ROOT, decoded) : path.resolve(path.dirname(absolute), decoded);
        const inside = path.relative(REPO_ROOT, resolved);
        if (inside.startsWith("..") || path.isAbsolute(inside)) {
          problems.push(`${where}: leaves the repository (resolves to ${resolved})`);
          continue;
        }
        if (inside.split(path.sep).includes("node_modules")) {
          problems.push(`${where}: points into node_modules, which a clone does not have`);
          continue;
        }
        if (!existsSync(resolved)) {
          problems.push(`${where}: no such file or folder (${inside})`);
          continue;
        }
        if (anchor !== undefined && anchor !== "" && statSync(resolved).isFile() && resolved.endsWith(".md")) {
          const offered = anchorsOf(resolved);
          if (!offered.has(decodeURIComponent(anchor))) {
            problems.push(`${where}: ${inside} has no heading with the anchor #${anchor}`);
          }
        }
      }
    }
    assert.deepEqual(problems, [], `broken links:\n${problems.join("\n")}`);
  });

  it("never points at the design notes outside the repository (../shared)", () => {
    const problems: string[] = [];
    for (const file of files) {
      readFileSync(path.join(REPO_ROOT, file), "utf8")
        .split(/\r?\n/)
        .forEach((text, i) => {
          if (/(^|[^\w.])\.\.\/(\.\.\/)*shared\//.test(text)) {
            problems.push(`${file}:${i + 1}: ${text.trim()}`);
          }
        });
    }
    assert.deepEqual(problems, [], `mentions of ../shared (cite docs/ instead):\n${problems.join("\n")}`);
  });

  it("computes GitHub's anchors", () => {
    assert.equal(githubSlug("How the Lambda gets ClamAV (`scanner: clamav`)"), "how-the-lambda-gets-clamav-scanner-clamav");
    assert.equal(githubSlug("4. The malware scanner"), "4-the-malware-scanner");
    assert.equal(githubSlug("Cognito's e-mail: 50 a day unless you bring SES"), "cognitos-e-mail-50-a-day-unless-you-bring-ses");
    assert.equal(githubSlug("`POST /v1/uploads/{uploadId}/parts`"), "post-v1uploadsuploadidparts");
    assert.equal(githubSlug("What `pulumi destroy` keeps, and a real teardown"), "what-pulumi-destroy-keeps-and-a-real-teardown");
    assert.equal(githubSlug("[Link](x.md) and _under_score"), "link-and-_under_score");
    const repeated = anchors("# A\n## Notes\n```\n# not a heading\n```\n## Notes\n");
    assert.deepEqual([...repeated], ["a", "notes", "notes-1"]);
  });
});
