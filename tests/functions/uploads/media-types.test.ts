import { extensionOf, EXTENSIONS, extensionsFor, isMediaType } from "@mobile-s3/contract";
import * as assert from "node:assert/strict";

describe("functions/uploads/media-types", () => {
  const extensions: [string, string][] = [
    ["photos/cat.jpg", "jpg"],
    ["photos/CAT.JPEG", "jpeg"],
    ["a.b/c.tar.gz", "gz"],
    ["photos/cat", ""],
    ["photos.d/cat", ""],
    [".hidden", ""],
    ["photos/cat.", ""],
  ];
  for (const [path, extension] of extensions) {
    it(`reads the extension of ${path} as "${extension}"`, () => {
      assert.equal(extensionOf(path), extension);
    });
  }

  it("knows the program's default content types", () => {
    for (const type of ["image/jpeg", "image/png", "image/heic", "video/mp4", "application/pdf"]) {
      assert.ok(extensionsFor(type), type);
    }
  });

  it("keys the table by valid media types and lists lowercase extensions, each under one type only", () => {
    const seen = new Map<string, string>();
    for (const [type, list] of Object.entries(EXTENSIONS)) {
      assert.ok(isMediaType(type), type);
      for (const extension of list) {
        assert.match(extension, /^[a-z0-9]+$/);
        assert.equal(seen.get(extension), undefined, `.${extension} is listed for ${seen.get(extension)} and ${type}`);
        seen.set(extension, type);
      }
    }
  });

  it("knows nothing of types outside the table, even inherited names", () => {
    assert.equal(extensionsFor("image/tiff"), undefined);
    assert.equal(extensionsFor("constructor"), undefined);
  });
});
